"""A finding as the scanners' allowlists see it, and the names of the scanners' files (what the
`secrets` plugin needs of this package on every run: kept light)."""

from __future__ import annotations

from dataclasses import dataclass

# The files, at the top of the repository, that hold a scanner's decisions.
CONFIG = ".gitleaks.toml"
IGNORE = ".gitleaksignore"
BASELINE = ".secrets.baseline"


@dataclass(frozen=True)
class Evidence:
    """One finding as an allowlist sees it. It holds the secret: it is never printed (its
    repr shows the rule and the place only), logged or stored."""

    rule: str  # the full rule id, `secrets.<kind>`
    path: str  # repository-relative, `/` separators
    line: int  # 0 for a finding about a whole file
    secret: str
    match: str  # what the rule's pattern matched (the secret and its context, for some rules)
    text: str  # the whole line

    def __repr__(self) -> str:
        return f"Evidence({self.rule}, {self.path}:{self.line})"

    def sha1(self) -> set[str]:
        """The SHA-1 digests detect-secrets could have stored for this finding: of the secret,
        and of what the rule matched (a private key's header, for one)."""
        import hashlib

        forms = {self.secret, self.match, self.match.strip("-")} - {""}
        return {hashlib.sha1(form.encode("utf-8", "surrogatepass")).hexdigest() for form in forms}
