"""The built-in agent (`provider = "anthropic"`): a tool loop over the Messages API through the
official `anthropic` SDK, run by the agent runner as `python -m supervisor.agents.builtin
--feature NAME` in the feature's shadow.

Its tools (read, list, search, write, edit, run a command) reach nothing outside the shadow;
every write is judged against the feature's rules before it happens, by the supervisor when
one answers, in-process otherwise. Usage is counted and priced from every response; limits on
tokens, dollars, turns and wall time end the run cleanly. The conversation is kept, owner-only,
in the feature's agent folder after every turn, so `--resume` carries on where it stopped, and
the notices the watcher and `git agent tell` post there reach the model as a user message."""
