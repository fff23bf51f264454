"""git I/O: the only layer that imports pygit2 or runs git.

`objects`, `trees` and `change` are plain Python (no pygit2, no subprocess); `run` runs the git
CLI; `catfile` and `diffs` read objects and changes through it (the light path of the gates);
`repo`, `packs` and `changes` go through pygit2. Importing this package imports none of them.
"""
