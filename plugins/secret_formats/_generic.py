"""The generic family: credentials that no provider names. A team can turn these off and keep
every named format."""

from __future__ import annotations

import re

from ._checks import random_printable
from ._model import GENERIC, MEDIUM, RANK_GENERIC, Format, mixed, password_like, raw


def _password(hit: re.Match[str]) -> bool:
    secret = hit.group("secret")
    return mixed(secret) and password_like(secret)


def _base64_secret(hit: re.Match[str]) -> bool:
    return random_printable(hit.group("secret"))


FORMATS: tuple[Format, ...] = (
    raw(
        "url-credentials",
        "password in a URL",
        ("://",),
        r"\b[a-z][a-z0-9+.-]{1,20}://[^:@/\s\"'`<>]{1,64}:(?P<secret>[^:@/\s\"'`<>]{8,128})@[\w-]+\.[\w.-]+",
        accept=_password,
        confidence=MEDIUM,
        family=GENERIC,
        rank=RANK_GENERIC,
    ),
    raw(
        "kubernetes-secret",
        "base64-encoded secret value (Kubernetes Secret data)",
        ("password:", "passwd:", "token:", "secret:", "key:", "credentials:"),
        r"^\s{1,40}[\w.-]{0,60}?(?i:password|passwd|token|secret|key|credentials)[\w.-]{0,60}:[ \t]+[\"']?"
        r"(?P<secret>[A-Za-z0-9+/]{16,}={0,2})[\"']?\s*$",
        accept=_base64_secret,
        confidence=MEDIUM,
        family=GENERIC,
        rank=RANK_GENERIC,
    ),
)
