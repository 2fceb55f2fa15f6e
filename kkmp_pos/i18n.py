"""User-facing text: Bahasa Indonesia is the source language, other languages are JSON catalogues."""

from __future__ import annotations

import json
from importlib import resources

SOURCE_LANGUAGE = "id"
LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}

_catalog: dict[str, str] = {}
_language = SOURCE_LANGUAGE


def load_catalog(language: str) -> dict[str, str]:
    """The translation table from Indonesian source text to `language` (empty for the source language)."""
    if language == SOURCE_LANGUAGE:
        return {}
    path = resources.files("kkmp_pos.resources").joinpath("i18n", f"{language}.json")
    return dict(json.loads(path.read_text(encoding="utf-8")))


def set_language(language: str) -> None:
    """Switch every later `tr()` call to `language`; unknown languages fall back to Indonesian."""
    global _catalog, _language
    if language not in LANGUAGES:
        language = SOURCE_LANGUAGE
    _catalog = load_catalog(language)
    _language = language


def current_language() -> str:
    return _language


def tr(text: str, /, **params: object) -> str:
    """Translate Indonesian `text`, then fill its `{named}` fields."""
    translated = _catalog.get(text, text)
    return translated.format(**params) if params else translated
