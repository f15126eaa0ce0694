"""Asset tags: short, uppercase, QR-alphanumeric, with a check character.

``RF-7K2Q9W``: a station prefix, five random symbols and one check symbol from the
Crockford base-32 alphabet (no I, L, O, U: nothing to misread). Random, not sequential,
so stations that intake at the same moment need no coordination; the database's unique
constraint catches the rare collision and a new tag is drawn. The check symbol lets a
scanner loop tell "mistyped" from "unknown". "RF-" plus six symbols is 9 characters:
QR version 1 (21x21) holds 10 alphanumerics at error correction H.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_WEIGHTS = (1, 3, 5, 7, 9)  # odd, so every single-symbol substitution changes the sum
_PREFIX = re.compile(r"^[A-Z0-9]{1,3}$")
TAG_PATTERN = re.compile(r"^([A-Z0-9]{1,3})-([0-9A-HJKMNP-TV-Z]{6})$")


def valid_prefix(prefix: str) -> bool:
    return bool(_PREFIX.match(prefix))


def check_symbol(body: str) -> str:
    total = sum(w * ALPHABET.index(c) for w, c in zip(_WEIGHTS, body, strict=True))
    return ALPHABET[total % 32]


def new_tag(prefix: str = "RF") -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(5))
    return f"{prefix}-{body}{check_symbol(body)}"


def normalize(text: str) -> str:
    """What a person or a scanner typed, as a tag: upper case, Crockford look-alikes fixed."""
    tag = text.strip().upper().replace(" ", "")
    if "-" in tag:
        prefix, _, body = tag.partition("-")
        body = body.replace("O", "0").replace("I", "1").replace("L", "1")
        tag = f"{prefix}-{body}"
    return tag


def is_well_formed(tag: str) -> bool:
    m = TAG_PATTERN.match(tag)
    return bool(m) and check_symbol(m.group(2)[:5]) == m.group(2)[5]  # type: ignore[union-attr]
