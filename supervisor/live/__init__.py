"""The live supervisor: one process per repository watches the features' shadows (watchdog),
judges each batch of changes with the same engine as every other gate, contains what must
not stay, checkpoints on its own, records everything in the audit log, and answers the CLI
over a socket in the state directory.

`client` and `paths` are light (the CLI imports them before anything heavy); the rest runs in
the supervisor process."""
