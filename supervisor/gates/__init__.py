"""The gates outside the supervisor: the staged changes (pre-commit), the pushed commits
(pre-push) and a range in CI (`check`), judged by the same rules engine.

The gates run on every commit, so they read git through its CLI (`git diff-index`, `diff-tree
--stdin`, `cat-file --batch-command`) and the policy from a validated cache: no pygit2, no
pydantic. The policy always comes from the commit the change is judged against, never from
the change under review."""
