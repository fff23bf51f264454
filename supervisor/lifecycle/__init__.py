"""The feature lifecycle: start, the checkpoint chain, validation, revert, promote, remove.

A `Workspace` is one repository's git-agent world (repository, state, settings); a `Feature`
is one named unit of work in it: its record and configuration, with its `chain` of
checkpoints and the `scanner` that turns its shadow into trees."""
