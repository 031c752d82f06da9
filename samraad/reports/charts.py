"""The geometry of the reports' charts, computed here and drawn as inline SVG by the templates
(`reports/_bar_chart.html`, `reports/_week_heat_map.html`): no chart script, nothing from elsewhere.
Every chart comes with a title, a description and the table of its numbers beside it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from samraad.reports.period import HOURS_PER_WEEK

BAR_CHART_WIDTH = 640
BAR_HEIGHT = 22
BAR_GAP = 8
LABEL_WIDTH = 200
VALUE_WIDTH = 70
BAR_COLOUR = "#0059b3"
# From pale to dark; dark cells get white numbers. Each step stays distinguishable in grey scale.
HEAT_COLOURS = ["#f2f2f2", "#d6e6f5", "#a9cbea", "#6fa6d9", "#3a7fc4", "#0b559f", "#06376b"]


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    shown: str
    y: int
    width: float

    @property
    def text_y(self) -> int:
        return self.y + BAR_HEIGHT // 2 + 5

    @property
    def value_x(self) -> float:
        return LABEL_WIDTH + self.width + 6


@dataclass(frozen=True)
class BarChart:
    title: str
    description: str
    bars: list[Bar]
    width: int = BAR_CHART_WIDTH
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT
    colour: str = BAR_COLOUR

    @property
    def height(self) -> int:
        return max(1, len(self.bars)) * (BAR_HEIGHT + BAR_GAP) + BAR_GAP


def bar_chart(title: str, description: str, items: list[tuple[str, float]], *, decimals: int = 0) -> BarChart:
    """Returns horizontal bars for (label, value) pairs, scaled so the largest fills the width."""
    largest = max((value for _, value in items), default=0) or 1
    room = BAR_CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = [
        Bar(
            label=label if len(label) <= 26 else label[:25] + "…",
            value=value,
            shown=number_format(value, decimal_pos=decimals, force_grouping=True),
            y=BAR_GAP + index * (BAR_HEIGHT + BAR_GAP),
            width=round(room * value / largest, 1),
        )
        for index, (label, value) in enumerate(items)
    ]
    return BarChart(title=title, description=description, bars=bars)


@dataclass(frozen=True)
class HeatCell:
    x: int
    y: int
    fill: str
    dark: bool
    marked: bool
    tooltip: str


@dataclass(frozen=True)
class HeatMap:
    title: str
    description: str
    cells: list[HeatCell]
    day_labels: list[tuple[int, str]]
    hour_labels: list[tuple[int, str]]
    legend: list[tuple[int, str, str]]
    cell_width: int = 24
    cell_height: int = 24
    left: int = 44
    top: int = 24

    @property
    def width(self) -> int:
        return self.left + 24 * self.cell_width + 4

    @property
    def height(self) -> int:
        return self.top + 7 * self.cell_height + 44


def weekday_names() -> list[str]:
    return [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]


def _step(value: float, largest: float) -> int:
    if value <= 0 or largest <= 0:
        return 0
    return min(len(HEAT_COLOURS) - 1, 1 + int((len(HEAT_COLOURS) - 1) * value / largest - 1e-9))


def week_heat_map(
    title: str,
    description: str,
    values: list[float],
    *,
    tooltips: list[str] | None = None,
    marked: list[bool] | None = None,
) -> HeatMap:
    """Returns 7 × 24 cells (a row per weekday, a column per hour) shaded by `values` (168, Monday
    00 first). `marked` cells get a visible mark as well as their shade, for what needs attention."""
    if len(values) != HOURS_PER_WEEK:
        raise ValueError("a week has 168 hours")
    largest = max(values, default=0)
    left, top, size = 44, 24, 24
    cells = []
    for index, value in enumerate(values):
        day, hour = divmod(index, 24)
        step = _step(value, largest)
        cells.append(
            HeatCell(
                x=left + hour * size,
                y=top + day * size,
                fill=HEAT_COLOURS[step],
                dark=step >= 4,
                marked=bool(marked and marked[index]),
                tooltip=tooltips[index] if tooltips else "",
            )
        )
    days = [(top + day * size + 16, name) for day, name in enumerate(weekday_names())]
    hours = [(left + hour * size + 12, f"{hour:02d}") for hour in range(0, 24, 3)]
    legend_values: list[Any] = [largest * (step / (len(HEAT_COLOURS) - 1)) for step in range(len(HEAT_COLOURS))]
    legend = [
        (left + step * 60, HEAT_COLOURS[step], number_format(value, decimal_pos=1 if largest < 10 else 0))
        for step, value in enumerate(legend_values)
    ]
    return HeatMap(title=title, description=description, cells=cells, day_labels=days, hour_labels=hours, legend=legend)
