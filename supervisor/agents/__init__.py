"""Running agents: the command agents (any CLI agent) and the built-in Anthropic one, each in
its feature's shadow, in a process group of its own, sandboxed where the kernel allows, under
the supervisor that watches the shadow; scheduled, budgeted, stopped and resumed."""
