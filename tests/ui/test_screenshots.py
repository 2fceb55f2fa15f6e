"""The manual's screenshots: the script makes every one the Markdown shows, none blank, and none is stale."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from kkmp_pos.manual import load_manual, manual_dir, referenced_images
from kkmp_pos.ui.screenshots import MAX_SIZE, SHOTS, take_screenshots

COMMITTED = Path(str(manual_dir())) / "img"


def colours(image: QImage) -> int:
    """How many distinct colours a 64×40 thumbnail has: 1 for a blank (single-colour) picture."""
    small = image.scaled(64, 40, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.FastTransformation)
    return len({small.pixel(x, y) for x in range(small.width()) for y in range(small.height())})


def test_the_script_makes_every_screenshot_the_manual_shows(qtbot: QtBot, tmp_path: Path) -> None:
    out = tmp_path / "img"
    made = take_screenshots(out, work_dir=tmp_path)
    assert [path.stem for path in made[:len(SHOTS)]] == list(SHOTS)
    produced = {f"img/{path.name}" for path in made}
    wanted = referenced_images(load_manual())
    assert sorted(set(wanted) - produced) == []
    for path in made:
        image = QImage(str(path))
        assert not image.isNull(), path.name
        assert 300 <= image.width() <= MAX_SIZE.width() and 200 <= image.height() <= MAX_SIZE.height(), path.name
        assert colours(image) > 8, f"{path.name} is blank"
        committed = QImage(str(COMMITTED / path.name))
        assert committed.size() == image.size(), f"{path.name}: rebuild with python -m kkmp_pos.ui.screenshots"
    assert QImage(str(out / "kasir.png")).width() == MAX_SIZE.width()  # the whole till, scaled to fit


def test_every_committed_screenshot_is_used_and_every_used_one_is_committed() -> None:
    wanted = referenced_images(load_manual())
    assert wanted and all(name.startswith("img/") for name in wanted)
    committed = {f"img/{path.name}" for path in COMMITTED.glob("*.png")}
    assert sorted(set(wanted) - committed) == []  # the manual never shows a missing picture
    assert sorted(committed - set(wanted)) == []  # nor keeps a stale one nobody references
    assert sum((COMMITTED / name[4:]).stat().st_size for name in wanted) < 2_000_000
