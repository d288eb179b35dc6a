"""Bar charts as inline SVG, drawn on the server: the page needs no network and no script.

Each chart is an image with a title for screen readers (role="img", <title>); the page puts the same
numbers in a table beside it. Presentation attributes only (no style attributes), so the app's
Content-Security-Policy holds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup, escape

Number = int | float | Decimal

SERIES_COLOURS = ("#0d6efd", "#fd7e14", "#198754", "#6f42c1")
BAND_COLOUR = "#198754"
WIDTH, LABEL_WIDTH, VALUE_WIDTH = 640, 210, 90
BAR_HEIGHT, ROW_GAP, LEGEND_HEIGHT = 16, 10, 26
LABEL_CHARACTERS = 30


@dataclass(frozen=True)
class Row:
    """One category: a value per series, and optionally its target band (max None: "at least")."""

    label: str
    values: tuple[Number | None, ...]
    band: tuple[Number | None, Number | None] | None = None


def _has_band(row: Row) -> bool:
    return row.band is not None and any(bound is not None for bound in row.band)


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARACTERS else label[: LABEL_CHARACTERS - 1] + "…"


def bar_chart(
    chart_id: str,
    title: str,
    rows: Sequence[Row],
    series: Sequence[str] = (),
    value_text: Callable[[Number], str] = str,
    band_label: str = "",
) -> Markup:
    """Horizontal bars, one group per row, one bar per series; a row's band is shaded over its bars."""
    count = max((len(row.values) for row in rows), default=1)
    legend = LEGEND_HEIGHT if len(series) > 1 or any(_has_band(row) for row in rows) else 0
    row_height = count * BAR_HEIGHT + ROW_GAP
    height = legend + max(len(rows), 1) * row_height + ROW_GAP
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bounds = [float(v) for row in rows for v in row.values if v is not None]
    bounds += [float(b) for row in rows if _has_band(row) for b in row.band or () if b is not None]
    top = max(bounds, default=0) or 1.0

    def x(value: Number) -> float:
        return LABEL_WIDTH + plot * max(float(value), 0) / top

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{chart_id}" role="img" '
        f'aria-labelledby="{chart_id}-title" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" font-family="sans-serif" font-size="12">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
    ]
    if legend:
        position = LABEL_WIDTH
        for index, name in enumerate(series if len(series) > 1 else ()):
            colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
            parts.append(f'<rect x="{position}" y="6" width="12" height="12" fill="{colour}"/>')
            parts.append(f'<text x="{position + 16}" y="16">{escape(name)}</text>')
            position += 24 + 7 * len(name)
        if band_label and any(_has_band(row) for row in rows):
            parts.append(
                f'<rect x="{position}" y="6" width="12" height="12" fill="{BAND_COLOUR}" '
                f'fill-opacity="0.2" stroke="{BAND_COLOUR}" stroke-dasharray="3 2"/>'
            )
            parts.append(f'<text x="{position + 16}" y="16">{escape(band_label)}</text>')
    for index, row in enumerate(rows):
        y = legend + ROW_GAP + index * row_height
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + count * BAR_HEIGHT / 2 + 4:.1f}" text-anchor="end">'
            f"<title>{escape(row.label)}</title>{escape(_short(row.label))}</text>"
        )
        for serie, value in enumerate(row.values):
            bar_y = y + serie * BAR_HEIGHT
            colour = SERIES_COLOURS[serie % len(SERIES_COLOURS)]
            if value is None:
                parts.append(f'<text x="{LABEL_WIDTH + 4}" y="{bar_y + 12}" fill="#6c757d">—</text>')
                continue
            width = x(value) - LABEL_WIDTH
            parts.append(
                f'<rect class="bar" x="{LABEL_WIDTH}" y="{bar_y + 1}" width="{width:.1f}" '
                f'height="{BAR_HEIGHT - 2}" fill="{colour}"/>'
            )
            parts.append(
                f'<text x="{LABEL_WIDTH + width + 4:.1f}" y="{bar_y + 12}">{escape(value_text(value))}</text>'
            )
        if _has_band(row):
            low, high = row.band or (None, None)
            start = x(low or 0)
            end = x(high) if high is not None else LABEL_WIDTH + plot
            parts.append(
                f'<rect class="band" x="{start:.1f}" y="{y - 3}" width="{max(end - start, 1):.1f}" '
                f'height="{count * BAR_HEIGHT + 6}" fill="{BAND_COLOUR}" fill-opacity="0.2" '
                f'stroke="{BAND_COLOUR}" stroke-dasharray="3 2"/>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 -- every text in it is escaped above
