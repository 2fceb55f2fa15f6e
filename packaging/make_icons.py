"""Draw the KKMP POS icon (red over white, like the flag, with the KKMP mark) as PNG and multi-size ICO.

Run once with the venv's Python (Pillow comes with reportlab); the images are committed in resources/icons/.
Packaging tool only: the application never imports it.
"""

from __future__ import annotations

from pathlib import Path

import reportlab
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "resources" / "icons"
RED, WHITE, DARK = (206, 17, 38, 255), (255, 255, 255, 255), (140, 10, 24, 255)
ICO_SIZES = [(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)]
# reportlab's bundled Bitstream Vera: the same font on every machine, so the committed images are reproducible.
FONT = Path(reportlab.__file__).parent / "fonts" / "VeraBd.ttf"


def draw(size: int = 1024) -> Image.Image:
    """The mark at `size` px (drawn large, then scaled down for smooth edges)."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    margin, radius, border = size // 16, size // 6, size // 40
    box = (margin, margin, size - margin, size - margin)
    pen.rounded_rectangle(box, radius=radius, fill=WHITE, outline=DARK, width=border)
    # The red upper half: the same rounded box, clipped to its top half.
    top = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    ImageDraw.Draw(top).rounded_rectangle(box, radius=radius, fill=RED, outline=DARK, width=border)
    image.paste(top.crop((0, 0, size, size // 2)), (0, 0))
    big, small = ImageFont.truetype(str(FONT), size * 23 // 100), ImageFont.truetype(str(FONT), size * 20 // 100)
    pen.text((size // 2, size * 30 // 100), "KKMP", font=big, fill=WHITE, anchor="mm")
    pen.text((size // 2, size * 70 // 100), "POS", font=small, fill=RED, anchor="mm")
    return image


def main() -> None:
    ICONS.mkdir(parents=True, exist_ok=True)
    large = draw()
    png = large.resize((256, 256), Image.Resampling.LANCZOS)
    png.save(ICONS / "kkmp-pos.png", optimize=True)
    png.save(ICONS / "kkmp-pos.ico", sizes=ICO_SIZES)
    print(f"{ICONS / 'kkmp-pos.png'} and {ICONS / 'kkmp-pos.ico'} written")


if __name__ == "__main__":
    main()
