"""Hook shim templates that `git agent install-hooks` writes into the repository's hooks dir."""
