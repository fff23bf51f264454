"""The rule engine: the plugin manager (pluggy, project `git_agent`), the hook specifications,
and the one function that judges a change set with them (`engine.judge`)."""
