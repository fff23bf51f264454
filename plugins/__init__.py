"""Built-in git-agent policy plugins, registered through the `git_agent` entry-point group."""
