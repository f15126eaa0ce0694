"""Names typed by people (communities, donors): two spellings that differ only in case,
accents or spaces name the same place. Pure."""

from __future__ import annotations

import unicodedata


def name_key(text: str) -> str:
    """ "Iqaluit", "iqaluit " and "IQALUIT" share a key; so do "Québec" and "Quebec"."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())
