"""One module per command: `run(args, out, env, cwd) -> exit code` parses nothing itself (the
parser did), calls one core function and renders its result."""
