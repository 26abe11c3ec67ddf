"""Draw content/img/recap_phases.png from the phase data of the example site.

The picture is a horizontal timeline of the beta.gouv.fr programme: one block
per phase of the ``content/_phases/`` collection, in ``order``, whose width is
proportional to the phase's maximum duration (weeks are converted to months at
4.345 weeks per month), with its label and its duration in French ("6 à 9
semaines", "12 mois"). Below the blocks, a marker is drawn every N months for
the investment committee, N being ``investment_committee.every`` in
``content/_data/programme.yml`` (6 if absent).

Pillow is NOT a dependency of betacontent. Install it out of the project's
virtualenv, then run the script with the project's Python (it has PyYAML):

    /work/main/.venv/bin/python -m pip install --target /tmp/pil pillow
    PYTHONPATH=/tmp/pil /work/main/.venv/bin/python scripts/draw_recap_phases.py

Options: ``--content DIR`` (default: ``content/`` next to this script's
folder) and ``--output FILE`` (default: ``<content>/img/recap_phases.png``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml
from PIL import Image, ImageDraw, ImageFont

WEEKS_PER_MONTH = 4.345

WIDTH, HEIGHT = 1200, 320
MARGIN_X = 40
NOTE_Y = 60  # annotation row for blocks too narrow to hold their text
BAR_TOP, BAR_HEIGHT = 92, 114
AXIS_Y = BAR_TOP + BAR_HEIGHT + 22

# DSFR-like palette: blue France, then lighter shades, text colours.
PHASE_COLOURS = ["#000091", "#313178", "#6a6af4", "#8585f6", "#a5a5f8"]
TEXT_ON_BLOCK = "#ffffff"
TEXT = "#161616"
MUTED = "#666666"
COMMITTEE = "#e1000f"
BACKGROUND = "#ffffff"

FONT_DIRS = [Path("/usr/share/fonts"), Path("/usr/local/share/fonts")]


def find_font(bold: bool) -> Path | None:
    """Return a DejaVu Sans font file if one is installed."""
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for folder in FONT_DIRS:
        if folder.is_dir():
            for path in folder.rglob(name):
                return path
    return None


def load_font(size: int, bold: bool = False) -> ImageFont.ImageFont:
    path = find_font(bold)
    if path is not None:
        return ImageFont.truetype(str(path), size)
    try:  # Pillow >= 10.1 can scale its built-in font
        return ImageFont.load_default(size=size)
    except TypeError:
        return ImageFont.load_default()


def read_front_matter(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise ValueError(f"{path}: no front matter")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise ValueError(f"{path}: unterminated front matter") from None
    data = yaml.safe_load("\n".join(lines[1:end])) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: front matter is not a mapping")
    return data


def load_phases(content: Path) -> list[dict[str, Any]]:
    phases = [read_front_matter(p) for p in sorted((content / "_phases").glob("*.md"))]
    if not phases:
        raise SystemExit(f"no phase found in {content / '_phases'}")
    return sorted(phases, key=lambda p: p["order"])


def committee_interval(content: Path) -> float:
    path = content / "_data" / "programme.yml"
    if path.is_file():
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        committee = data.get("investment_committee") or {}
        every = committee.get("every")
        unit = committee.get("unit", "month")
        if isinstance(every, (int, float)) and every > 0:
            return every / WEEKS_PER_MONTH if unit == "week" else float(every)
    return 6.0


def months(value: float, unit: str) -> float:
    if unit == "week":
        return value / WEEKS_PER_MONTH
    if unit == "month":
        return float(value)
    raise ValueError(f"unknown duration unit: {unit!r}")


def duration_text(duration: dict[str, Any]) -> str:
    lo, hi, unit = duration["min"], duration["max"], duration["unit"]
    word = ("semaine" if hi <= 1 else "semaines") if unit == "week" else "mois"
    return f"{lo} {word}" if lo == hi else f"{lo} à {hi} {word}"


def text_size(draw: ImageDraw.ImageDraw, text: str, font: Any) -> tuple[int, int]:
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    return right - left, bottom - top


def fit_lines(draw: ImageDraw.ImageDraw, text: str, font: Any, max_width: int) -> list[str]:
    """Greedy word wrap of ``text`` to ``max_width`` pixels."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and text_size(draw, candidate, font)[0] > max_width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def draw(content: Path, output: Path) -> None:
    phases = load_phases(content)
    spans = [months(p["duration"]["max"], p["duration"]["unit"]) for p in phases]
    total = sum(spans)
    every = committee_interval(content)

    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    pen = ImageDraw.Draw(image)
    title_font = load_font(22, bold=True)
    label_font = load_font(17, bold=True)
    small_font = load_font(15)
    number_font = load_font(26, bold=True)

    pen.text((MARGIN_X, 16), "Déroulé du programme beta.gouv.fr", font=title_font, fill=TEXT)

    usable = WIDTH - 2 * MARGIN_X
    scale = usable / total  # pixels per month
    x = float(MARGIN_X)
    for index, (phase, span) in enumerate(zip(phases, spans, strict=False)):
        x0, x1 = round(x), round(x + span * scale)
        colour = PHASE_COLOURS[index % len(PHASE_COLOURS)]
        pen.rectangle([x0, BAR_TOP, x1 - 3, BAR_TOP + BAR_HEIGHT], fill=colour)
        inner = x1 - x0 - 16
        label = phase["label"]
        duration = duration_text(phase["duration"])
        if inner >= 110:
            pen.text(
                (x0 + 10, BAR_TOP + 8), str(phase["order"]), font=number_font, fill=TEXT_ON_BLOCK
            )
            y = BAR_TOP + 42
            for line in fit_lines(pen, label, label_font, inner):
                pen.text((x0 + 10, y), line, font=label_font, fill=TEXT_ON_BLOCK)
                y += 22
            pen.text((x0 + 10, y + 2), duration, font=small_font, fill=TEXT_ON_BLOCK)
        else:
            # Too narrow (the investigation): number inside, text above the block.
            w, _h = text_size(pen, str(phase["order"]), number_font)
            pen.text(
                ((x0 + x1 - 3 - w) / 2, BAR_TOP + 8),
                str(phase["order"]),
                font=number_font,
                fill=TEXT_ON_BLOCK,
            )
            pen.line([x0 + 1, NOTE_Y + 4, x0 + 1, BAR_TOP], fill=colour, width=3)
            pen.text((x0 + 10, NOTE_Y), label, font=label_font, fill=colour)
            lw, _ = text_size(pen, label, label_font)
            pen.text((x0 + 10 + lw + 10, NOTE_Y + 2), duration, font=small_font, fill=TEXT)
        x += span * scale

    # Time axis with the investment committee markers.
    pen.line([MARGIN_X, AXIS_Y, WIDTH - MARGIN_X, AXIS_Y], fill=MUTED, width=2)
    t = every
    while t <= total + 1e-9:
        mx = MARGIN_X + t * scale
        pen.polygon(
            [(mx, AXIS_Y - 9), (mx + 8, AXIS_Y), (mx, AXIS_Y + 9), (mx - 8, AXIS_Y)], fill=COMMITTEE
        )
        label = f"{t:g} mois"
        w, _ = text_size(pen, label, small_font)
        pen.text((mx - w / 2, AXIS_Y + 14), label, font=small_font, fill=MUTED)
        t += every

    # Legend.
    ly = HEIGHT - 34
    pen.polygon(
        [(MARGIN_X + 8, ly), (MARGIN_X + 16, ly + 8), (MARGIN_X + 8, ly + 16), (MARGIN_X, ly + 8)],
        fill=COMMITTEE,
    )
    every_text = "six" if every == 6 else f"{every:g}"
    pen.text(
        (MARGIN_X + 26, ly - 1),
        f"Comité d’investissement tous les {every_text} mois : poursuivre ou arrêter le service",
        font=small_font,
        fill=TEXT,
    )

    output.parent.mkdir(parents=True, exist_ok=True)
    image = image.quantize(colors=64)  # keeps the PNG small
    image.save(output, format="PNG", optimize=True)


def main(argv: list[str] | None = None) -> int:
    root = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--content", type=Path, default=root / "content")
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args(argv)
    output = args.output or args.content / "img" / "recap_phases.png"
    draw(args.content, output)
    print(f"wrote {output} ({output.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
