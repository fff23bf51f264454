"""git's object kinds and entry modes, as plain numbers."""

from __future__ import annotations

BLOB = 3
TREE = 2
COMMIT = 1
TAG = 4
KIND_NAMES = {BLOB: "blob", TREE: "tree", COMMIT: "commit", TAG: "tag"}
KINDS = {name: kind for kind, name in KIND_NAMES.items()}
MODE_TREE = 0o040000
MODE_FILE = 0o100644
MODE_EXEC = 0o100755
MODE_LINK = 0o120000
MODE_GITLINK = 0o160000
NULL_OID = "0" * 40
EMPTY_TREE_OID = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
SIGNATURE = ("git-agent", "git-agent@localhost")
