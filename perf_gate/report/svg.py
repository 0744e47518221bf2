"""Two small inline SVG plots, built by hand: a strip plot of samples and a trend line.

Hand-built on purpose: the report must open offline and the action's image must not
grow a plotting stack for two kinds of picture. Every data point is an element with
class ``mark`` (the browser tests count them); text goes through :func:`html.escape`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from itertools import cycle

WIDTH = 360
HEIGHT = 120
PAD = 24
_ONE_ZERO = re.compile(r"(\.[1-9])0 ")  # "72.10 " -> "72.1 " (see Scale.texts)


@dataclass(frozen=True)
class Scale:
    low: float
    high: float
    start: float
    end: float

    def __call__(self, value: float) -> float:
        span = self.high - self.low or 1.0
        return round(self.start + (value - self.low) / span * (self.end - self.start), 2)

    def texts(self, values: Sequence[float]) -> list[str]:
        """``[repr(self(v)) for v in values]``, the same arithmetic and the same text, in
        C passes: the coordinates formatted with two decimals all at once (the digits
        ``round(x, 2)`` keeps: both round the exact binary value, half to even), then the
        trailing zeros ``repr`` leaves out dropped (``72.10`` is ``72.1``, ``72.00``
        ``72.0``). Coordinates far from 1e12 only: there two decimals are the shortest text
        of the rounded float, as ``repr`` writes it (a plot's are below 1,000)."""
        low, start, width = self.low, self.start, self.end - self.start
        span = self.high - low or 1.0
        xs = [start + (v - low) / span * width for v in values]
        if not xs or not (min(xs) > -1e12 and max(xs) < 1e12):
            return [repr(round(x, 2)) for x in xs]
        text = ("%.2f " * len(xs)) % tuple(xs)
        return _ONE_ZERO.sub(r"\1 ", text.replace(".00 ", ".0 ")).split()


def _bounds(values: Sequence[float]) -> tuple[float, float]:
    low, high = min(values), max(values)
    pad = (high - low) * 0.05 or abs(high) * 0.05 or 1.0
    return low - pad, high + pad


def _svg(title: str, body: list[str], height: int = HEIGHT) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img"><title>{escape(title)}</title>'
        + "".join(body)
        + "</svg>"
    )


def strip_plot(
    title: str,
    sides: Sequence[tuple[str, Sequence[float]]],
    band: tuple[float, float] | None = None,
) -> str:
    """One row of dots per side (``("baseline", samples)``...), ``band`` shaded on the
    current row: the interval of the current values."""
    values = [v for _, samples in sides for v in samples]
    if band:
        values += list(band)
    x = Scale(*_bounds(values), PAD * 3, WIDTH - PAD)
    row_h = (HEIGHT - PAD) / max(len(sides), 1)
    body = []
    for i, (name, samples) in enumerate(sides):
        y = PAD / 2 + row_h * (i + 0.5)
        body.append(f'<text x="4" y="{y + 4:.1f}" font-size="11">{escape(name)}</text>')
        if band and i == len(sides) - 1:
            body.append(
                f'<rect class="interval" x="{x(band[0])}" y="{y - row_h / 3:.1f}" '
                f'width="{max(x(band[1]) - x(band[0]), 1):.2f}" height="{row_h / 1.5:.1f}" '
                'fill="#f4c542" fill-opacity="0.35"/>'
            )
        # A dot's jitter repeats every 11 samples ((j * 7919) % 11): its text is made once.
        fill = "#1f77b4" if i == 0 else "#d62728"
        rest = [
            f'cy="{y + ((j * 7919) % 11 - 5) * row_h / 40:.1f}" r="2.5" '
            f'fill="{fill}" fill-opacity="0.6"/>'
            for j in range(11)
        ]
        body += [
            f'<circle class="mark" cx="{cx}" {r}' for cx, r in zip(x.texts(samples), cycle(rest))
        ]
    return _svg(title, body)


def trend_plot(
    title: str,
    values: Sequence[float],
    labels: Sequence[str],
    band: tuple[float, float] | None = None,
    flagged: Sequence[bool] = (),
) -> str:
    """A line through ``values`` with a dot per value (``flagged`` dots red and marked
    ``regression``), and the tolerance ``band`` shaded."""
    y = Scale(*_bounds([*values, *(band or ())]), HEIGHT - PAD, PAD / 2)
    step = (WIDTH - 2 * PAD) / max(len(values) - 1, 1)
    xs = [round(PAD + i * step, 2) for i in range(len(values))]
    body = []
    if band:
        top, bottom = y(max(band)), y(min(band))
        body.append(
            f'<rect class="band" x="{PAD}" y="{top}" width="{WIDTH - 2 * PAD}" '
            f'height="{max(bottom - top, 1):.2f}" fill="#2ca02c" fill-opacity="0.15"/>'
        )
    points = " ".join(f"{px},{y(v)}" for px, v in zip(xs, values, strict=True))
    body.append(f'<polyline points="{points}" fill="none" stroke="#555" stroke-width="1.5"/>')
    for i, (px, value) in enumerate(zip(xs, values, strict=True)):
        bad = i < len(flagged) and flagged[i]
        name = escape(labels[i] if i < len(labels) else "")
        body.append(
            f'<circle class="mark{" regression" if bad else ""}" cx="{px}" cy="{y(value)}" '
            f'r="{4 if bad else 3}" fill="{"#d62728" if bad else "#1f77b4"}">'
            f"<title>{name}: {value:.6g}</title></circle>"
        )
    if labels:  # the first and the last run under the axis
        for anchor, px, text in (("start", xs[0], labels[0]), ("end", xs[-1], labels[-1])):
            body.append(
                f'<text x="{px}" y="{HEIGHT - 6}" font-size="10" text-anchor="{anchor}">'
                f"{escape(text)}</text>"
            )
    return _svg(title, body)
