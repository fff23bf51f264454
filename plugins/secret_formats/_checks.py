"""Checksums and decoded structure some formats carry.

A checksum only ever changes a match's confidence: a token whose checksum is wrong (a test
token typed by hand, a truncated copy) is still a token to anyone who reads it. Decoders used
by `accept` decide whether a value is the format at all (a Docker `auth` that is not base64 of
`user:password` is something else).
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib

from ._model import Check, lazy, shannon

_B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _digits(number: int, alphabet: str, width: int) -> str:
    base = len(alphabet)
    out = ""
    while number:
        number, digit = divmod(number, base)
        out = alphabet[digit] + out
    return out.rjust(width, alphabet[0])


def crc32_base62_tail(prefix_length: int) -> Check:
    """GitHub's scheme (adopted by npm): the last 6 characters are the base62 CRC32 of the
    random characters between the prefix and them."""

    def check(secret: str) -> bool:
        random_part, tail = secret[prefix_length:-6], secret[-6:]
        return _digits(zlib.crc32(random_part.encode()), _B62, 6) == tail

    return check


def gitlab_routable(secret: str) -> bool:
    """GitLab's routable tokens end in a 7-character base36 CRC32 of everything before it."""
    body, tail = secret[:-7], secret[-7:]
    return _digits(zlib.crc32(body.encode()), _B36, 7) == tail


def _polymod(values: list[int]) -> int:
    generator = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    check = 1
    for value in values:
        top = check >> 25
        check = (check & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            check ^= generator[i] if (top >> i) & 1 else 0
    return check


def bech32_valid(secret: str) -> bool:
    """BIP-173 bech32 checksum (age keys are bech32, upper-cased)."""
    text = secret.lower()
    hrp, _, data = text.rpartition("1")
    if not hrp or len(data) < 6 or any(c not in _BECH32 for c in data):
        return False
    words = [_BECH32.index(c) for c in data]
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    return _polymod(expanded + words) == 1


# --- decoded structure ------------------------------------------------------------------------------


def b64decode(text: str) -> bytes | None:
    """Standard or URL-safe base64, padded or not; None when it is neither."""
    text = text.rstrip("=")
    padded = text + "=" * (-len(text) % 4)
    try:
        if "-" in text or "_" in text:
            return base64.urlsafe_b64decode(padded)
        return base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError):
        return None


def json_object(text: str) -> dict[str, object] | None:
    """`text` as base64 of a JSON object."""
    data = b64decode(text)
    if data is None:
        return None
    try:
        value = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None


def json_with(*keys: str) -> Check:
    """A check: base64 of a JSON object that has all of `keys`."""

    def check(text: str) -> bool:
        value = json_object(text)
        return value is not None and all(k in value for k in keys)

    return check


def jwt_valid(secret: str) -> bool:
    """Three base64url segments, the first a JSON header naming its algorithm."""
    header, _, rest = secret.partition(".")
    value = json_object(header)
    return value is not None and "alg" in value and rest.count(".") == 1


_PRINTABLE = lazy(r"[\x20-\x7e]+")


def printable(text: str) -> str | None:
    """`text` as base64 of printable ASCII, decoded; None otherwise."""
    data = b64decode(text)
    if data is None:
        return None
    try:
        decoded = data.decode("ascii")
    except UnicodeDecodeError:
        return None
    return decoded if _PRINTABLE.fullmatch(decoded) else None


def user_and_password(text: str) -> bool:
    """base64 of `user:password` with a password that is not a word."""
    decoded = printable(text)
    if decoded is None or ":" not in decoded:
        return False
    user, _, password = decoded.partition(":")
    return bool(user) and len(password) >= 8 and shannon(password) >= 3.0


def random_printable(text: str) -> bool:
    """base64 of a printable value that looks generated (a Kubernetes Secret's data)."""
    decoded = printable(text)
    return (
        decoded is not None
        and len(decoded) >= 12
        and " " not in decoded
        and shannon(decoded) >= 3.5
        and any(c.isdigit() for c in decoded)
    )


def discord_id(secret: str) -> bool:
    """A Discord bot token starts with base64 of the bot's numeric id."""
    decoded = printable(secret.partition(".")[0])
    return decoded is not None and decoded.isdigit() and 17 <= len(decoded) <= 20


def pypi_macaroon(secret: str) -> bool:
    """PyPI tokens are `pypi-` and a base64url macaroon whose location is a PyPI host."""
    data = b64decode(secret.removeprefix("pypi-"))
    return data is not None and (b"pypi.org" in data[:40])
