"""Ready policy presets, read by `git agent init --preset NAME`."""
