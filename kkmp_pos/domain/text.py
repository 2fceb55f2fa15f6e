"""Text normalisation shared by search and import: casefolded, accents stripped, spaces collapsed."""

from __future__ import annotations

import unicodedata


def search_key(text: str) -> str:
    """`Kécap  MANIS` -> `kecap manis`: what product search compares."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())
