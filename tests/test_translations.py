"""Every Indonesian UI text has an English translation with the same {placeholders}."""

from __future__ import annotations

import ast
import json
import string
from pathlib import Path

import pytest

import kkmp_pos
from kkmp_pos import i18n
from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.lpg import CATEGORY_LABELS
from kkmp_pos.domain.payment import METHOD_LABELS, STATUS_LABELS
from kkmp_pos.domain.roles import ACTION_LABELS, ROLE_LABELS
from kkmp_pos.domain.stock import ADJUSTMENT_REASONS, COUNT_REASONS

PACKAGE = Path(kkmp_pos.__file__).parent
# Calls whose first argument is Indonesian source text translated through kkmp_pos.i18n.tr.
TRANSLATED_CALLS = {"tr", "PosError", "InvalidInput", "NotFound", "PrinterError", "super().__init__",
                    "LoginRefused", "ApprovalRefused", "MasterRejected"}


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        if isinstance(func.value, ast.Call) and isinstance(func.value.func, ast.Name) and func.value.func.id == "super":
            return "super()." + func.attr
        return func.attr
    return ""


def source_texts() -> dict[str, str]:
    """Every literal first argument of a translated call, with where it was found."""
    found: dict[str, str] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _call_name(node) in TRANSLATED_CALLS and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    found.setdefault(first.value, f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    # Labels translated through a lookup table rather than a literal call.
    for table in (METHOD_LABELS, STATUS_LABELS, ACTION_LABELS, ROLE_LABELS, CATEGORY_LABELS, COUNT_REASONS,
                  ADJUSTMENT_REASONS):
        for label in table.values():
            found.setdefault(label, "a label table")
    return found


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_text_has_an_english_translation_with_the_same_fields() -> None:
    english = i18n.load_catalog("en")
    texts = source_texts()
    assert len(texts) > 50
    missing = {text: where for text, where in texts.items() if text not in english}
    assert not missing, "untranslated:\n" + json.dumps(missing, ensure_ascii=False, indent=1)
    stale = set(english) - set(texts)
    assert not stale, f"en.json has texts the code no longer uses: {sorted(stale)}"
    wrong = [text for text in texts if _fields(text) != _fields(english[text])]
    assert not wrong, f"placeholders differ: {wrong}"


def test_switching_language_changes_messages_and_back() -> None:
    try:
        i18n.set_language("en")
        assert i18n.current_language() == "en"
        assert str(InvalidInput("Jumlah harus lebih dari nol.")) == "The quantity must be more than zero."
        i18n.set_language("xx")
        assert i18n.current_language() == "id"
        assert str(InvalidInput("Jumlah harus lebih dari nol.")) == "Jumlah harus lebih dari nol."
    finally:
        i18n.set_language("id")


@pytest.mark.parametrize("language", sorted(i18n.LANGUAGES))
def test_catalogues_load(language: str) -> None:
    assert isinstance(i18n.load_catalog(language), dict)
