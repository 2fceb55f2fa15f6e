"""Tampering with a stored event body the way a forger would: one number changed, still canonical JSON."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from typing import Any

from sync.protocol.canonical import canon


def int_paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Where the integers (amounts, quantities, numbers) sit in a body."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield from int_paths(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from int_paths(child, (*path, index))
    elif type(value) is int:
        yield path


def changed_body(body_text: str, rng: random.Random) -> str:
    """The body with one integer changed (an amount, a quantity...), still canonical JSON."""
    body = json.loads(body_text)
    paths = list(int_paths(body))
    if not paths:  # a body without numbers: change a text instead
        body["_"] = "x"
        return canon(body).decode()
    *parents, last = rng.choice(paths)
    holder = body
    for key in parents:
        holder = holder[key]
    holder[last] += rng.choice((-1, 1, 1000, -1000, 99_000))
    return canon(body).decode()
