"""What git-agent keeps for itself under the common git dir: where things live (`layout`), the
feature registry (`state`), per-feature locks and the rules for names."""
