"""Rendering results for people and programs, in one place: `output` (the streams, paths quoted
as git quotes them), `text` (what each command prints) and `formats` (the reports of the gates:
text, JSON, GitHub annotations and summary, SARIF, JUnit)."""
