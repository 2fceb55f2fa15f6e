"""The user manual (resources/manual/panduan.md): loading it, its anchored sections and the images it uses."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable

MANUAL_FILE = "panduan.md"
ANCHOR_LINE = re.compile(r'^<a id="([a-z0-9-]+)"></a>\s*$')
"""The anchor convention: `<a id="menjual"></a>` on the line right before a heading. GitHub keeps it as an
invisible link target; the help window and the PDF builder strip it and anchor the heading that follows."""
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)\)")


@dataclass(frozen=True)
class Heading:
    level: int
    title: str
    anchor: str
    """The id given by the anchor line before it; "" for a heading without one."""


def manual_dir() -> Traversable:
    """The folder holding the Markdown and its img/ folder (inside the installed package too)."""
    return resources.files("kkmp_pos.resources").joinpath("manual")


def load_manual() -> str:
    return manual_dir().joinpath(MANUAL_FILE).read_text(encoding="utf-8")


def read_image(relative: str) -> bytes:
    """An image the manual references (`img/till.png`), read from the package resources."""
    return manual_dir().joinpath(*relative.split("/")).read_bytes()


def split_anchors(text: str) -> tuple[str, list[Heading]]:
    """The Markdown without its anchor lines, and every heading with the anchor that was given to it.

    Headings inside fenced code blocks are not headings; an anchor line not followed by a heading is a
    mistake in the manual and raises ValueError (a test builds the manual, so it cannot ship broken).
    """
    lines: list[str] = []
    headings: list[Heading] = []
    pending = ""
    fenced = False
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("```"):
            fenced = not fenced
        anchor = None if fenced else ANCHOR_LINE.match(line)
        if anchor:
            pending = anchor.group(1)
            continue
        heading = None if fenced else HEADING.match(line)
        if heading:
            headings.append(Heading(len(heading.group(1)), heading.group(2), pending))
            pending = ""
        elif pending and line.strip():
            raise ValueError(f"line {number}: the anchor '{pending}' is not followed by a heading")
        lines.append(line)
    return "\n".join(lines) + "\n", headings


def anchors(text: str) -> dict[str, Heading]:
    """Anchor id → its heading; a repeated id raises ValueError."""
    found: dict[str, Heading] = {}
    for heading in split_anchors(text)[1]:
        if heading.anchor:
            if heading.anchor in found:
                raise ValueError(f"anchor '{heading.anchor}' is used twice")
            found[heading.anchor] = heading
    return found


def referenced_images(text: str) -> list[str]:
    """The relative paths of the images the Markdown shows, in order, each once."""
    seen: dict[str, None] = {}
    for match in IMAGE.finditer(text):
        seen.setdefault(match.group(2), None)
    return list(seen)
