"""Identity providers, secrets managers, key formats and framework secrets."""

from __future__ import annotations

import re

from ._checks import bech32_valid, json_with, jwt_valid
from ._model import B62, B64, HEX, MEDIUM, URL, UUID, Format, keyed, raw, shaped, token


def _jwt(hit: re.Match[str]) -> bool:
    return jwt_valid(hit.group("secret"))


IDENTITY: tuple[Format, ...] = (
    keyed("okta-token", "Okta API token", ("okta",), f"[{URL}]{{40}}", prefix="00"),
    keyed(
        "auth0-client-secret",
        "Auth0 client secret",
        ("auth0",),
        f"[{URL}]{{64}}",
        quals=("secret",),
    ),
    shaped(
        "authress-key",
        "Authress service client access key",
        (".acc_", ".acc-"),
        r"(?:sc|ext|scauth|authress)_[a-z0-9]{5,30}\.[a-z0-9]{4,6}\.acc[_-][a-z0-9-]{10,32}"
        rf"\.(?P<body>[+/={URL}]{{30,120}})",
        stop="+/=" + URL,
    ),
    shaped(
        "jwt",
        "JSON Web Token",
        ("eyj",),
        rf"(?P<body>eyJ[{URL}]{{10,}}\.eyJ[{URL}]{{10,}}\.[{URL}]{{16,}})",
        stop="." + URL,
        accept=_jwt,
        confidence=MEDIUM,
    ),
)

SECRETS_MANAGERS: tuple[Format, ...] = (
    token("doppler-token", "Doppler personal token", "dp.pt.", f"[{B62}]{{43}}"),
    shaped(
        "doppler-service-token",
        "Doppler service token",
        ("dp.st.",),
        rf"dp\.st\.(?:[a-z0-9_-]{{2,35}}\.)?(?P<body>[{B62}]{{40,44}})",
    ),
    token("doppler-cli-token", "Doppler CLI token", "dp.ct.", f"[{B62}]{{40,44}}"),
    token(
        "doppler-service-account-token",
        "Doppler service account token",
        "dp.sa.",
        f"[{B62}]{{40,44}}",
    ),
    token("doppler-scim-token", "Doppler SCIM token", "dp.scim.", f"[{B62}]{{40,44}}"),
    token("doppler-audit-token", "Doppler audit token", "dp.audit.", f"[{B62}]{{40,44}}"),
    token(
        "1password-service-account-token",
        "1Password service account token",
        "ops_",
        f"eyJ[{B64}]{{100,}}={{0,2}}",
        stop="=" + B64,
        checksum=json_with("signInAddress"),
    ),
    shaped(
        "1password-secret-key",
        "1Password account Secret Key",
        ("a3-",),
        "A3-(?P<body>[A-Z0-9]{6}-[A-Z0-9]{5,6}(?:-[A-Z0-9]{5}){4})",
    ),
    keyed(
        "bitwarden-access-token",
        "Bitwarden Secrets Manager access token",
        ("bws_", "bitwarden"),
        rf"0\.{UUID}\.[{B62}]{{30}}:[{B64}]{{22}}==",
        stop="=" + B64,
    ),
    shaped(
        "infisical-token",
        "Infisical service token",
        ("st.",),
        rf"st\.{UUID}\.[{HEX}]{{32}}\.(?P<body>[{HEX}]{{32}})",
        start="." + URL,
        gate_pattern=r"st\.[0-9a-f]{8}-",
    ),
    shaped(
        "age-secret-key",
        "age secret key",
        ("age-secret-key-1",),
        "AGE-SECRET-KEY-1(?P<body>[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})",
        checksum=bech32_valid,
    ),
)

FRAMEWORKS: tuple[Format, ...] = (
    raw(
        "django-secret-key",
        "Django SECRET_KEY",
        ("secret_key",),
        r"(?<![\w.])SECRET_KEY[ \t]*=[ \t]*(?P<quote>['\"])(?:django-insecure-)?"
        r"(?P<secret>[a-z0-9!@#$%^&*(\-_=+)]{50})(?P=quote)",
        placeholders=False,  # its alphabet has `%(`; entropy and runs still apply
    ),
    keyed(
        "rails-secret-key-base",
        "Rails secret_key_base",
        ("secret_key_base",),
        f"[{HEX}]{{128}}",
        quals=("secret",),
    ),
    raw(
        "htpasswd",
        "htpasswd password hash",
        ("$apr1$", "$2y$", "$2a$", "$2b$", "{sha}"),
        r"^\s*[\w.@-]{1,64}:(?P<secret>\$apr1\$[./0-9A-Za-z]{1,8}\$[./0-9A-Za-z]{22}"
        r"|\$2[aby]\$\d\d\$[./0-9A-Za-z]{53}|\{SHA\}[A-Za-z0-9+/]{27}=)\s*$",
        confidence=MEDIUM,
    ),
)

FORMATS: tuple[Format, ...] = (*IDENTITY, *SECRETS_MANAGERS, *FRAMEWORKS)
