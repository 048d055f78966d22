"""Geometry of the influence report's figures: the IAP2 spectrum, the tile map of territories reached and
the timeline of the process.

Pure functions of plain data returning frozen dataclasses; templates/reports/_figures.html draws them as
SVG with a data table beside each (the SVG is hidden from screen readers, the table carries the numbers).
No database, no request: the caller gathers the data and passes the display time zone.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

from ..core.territories import NATIONAL, subdivisions
from .levels import LEVELS, Level

ELLIPSIS = "…"


def shorten(text: str, width: int, lines: int = 1) -> tuple[str, ...]:
    """``text`` wrapped to at most ``lines`` lines of ``width`` characters, the last cut with an ellipsis."""
    text = " ".join(str(text).split())
    if not text:
        return ("",)
    wrapped = textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False)
    if len(wrapped) <= lines:
        return tuple(wrapped)
    kept = wrapped[:lines]
    last = kept[-1]
    if len(last) >= width:
        last = last[: width - 1].rstrip()
    kept[-1] = last + ELLIPSIS
    return tuple(kept)


# --- the IAP2 spectrum ------------------------------------------------------------------------------

SPECTRUM_HEADER = 56  # height of the band of chevrons
SPECTRUM_CHIP_PAD = 12  # a chip is this plus its lines' height
SPECTRUM_GAP = 8
SPECTRUM_LINE = 15
SPECTRUM_NOTCH = 12


@dataclass(frozen=True)
class SpectrumMark:
    """One process (a plan, a call) placed under the level it reached."""

    index: int  # position in the list the caller gave; the table uses the same index
    name: str  # in full, for the table and the tooltip
    lines: tuple[str, ...]  # shortened for the drawing
    level: Level
    x: float
    y: float
    width: float
    height: float

    @property
    def text_x(self) -> float:
        return round(self.x + self.width / 2, 1)

    @property
    def line_ys(self) -> tuple[float, ...]:
        """Baselines of the lines, the block centred vertically in the chip."""
        first = self.y + self.height / 2 - (len(self.lines) - 1) * SPECTRUM_LINE / 2 + 4.5
        return tuple(round(first + i * SPECTRUM_LINE, 1) for i in range(len(self.lines)))


@dataclass(frozen=True)
class SpectrumLevel:
    level: Level
    x: float  # left edge of the column
    width: float
    points: str  # the chevron in the header band, as an SVG polygon
    label_lines: tuple[str, ...]
    dark: bool  # the chevron is dark: its label is white
    marks: tuple[SpectrumMark, ...]

    @property
    def center(self) -> float:
        return round(self.x + self.width / 2, 1)

    @property
    def count(self) -> int:
        return len(self.marks)

    @property
    def label_ys(self) -> tuple[float, ...]:
        first = SPECTRUM_HEADER / 2 - (len(self.label_lines) - 1) * SPECTRUM_LINE / 2 + 5
        return tuple(round(first + i * SPECTRUM_LINE, 1) for i in range(len(self.label_lines)))


@dataclass(frozen=True)
class SpectrumFigure:
    width: int
    height: int
    header_height: int
    arrow_y: int
    marks_top: int
    levels: tuple[SpectrumLevel, ...]  # in order, no consultation first
    marks: tuple[SpectrumMark, ...]  # in the caller's order


def _chevron(x: float, width: float, height: float, first: bool, last: bool) -> str:
    notch = SPECTRUM_NOTCH
    right = x + width
    pts = [(x, 0.0), (right - (0 if last else notch), 0.0)]
    if not last:
        pts.append((right, height / 2))
    pts += [(right - (0 if last else notch), height), (x, height)]
    if not first:
        pts.append((x + notch, height / 2))
    return " ".join(f"{round(px, 1):g},{round(py, 1):g}" for px, py in pts)


def spectrum(marks: Sequence[tuple[str, Level]], width: int = 840) -> SpectrumFigure:
    """The six levels of the IAP2 spectrum left to right, each process stacked under the level it reached
    (DOMAIN.md, "Level of public influence"): the IRM's "level of public influence" figure."""
    column = width / len(LEVELS)
    chars = max(8, int((column - 26) / 7.2))  # characters that fit a chip at 12px semibold
    label_chars = max(6, int((column - 2 * SPECTRUM_NOTCH - 8) / 8.2))  # a chevron at 13px bold
    marks_top = SPECTRUM_HEADER + 36
    placed: list[SpectrumMark] = []
    stacks: dict[Level, list[SpectrumMark]] = {level: [] for level in LEVELS}
    bottoms = {level: float(marks_top) for level in LEVELS}  # where the next chip of each column goes
    for index, (name, level) in enumerate(marks):
        level = Level(level)
        lines = shorten(str(name), chars, lines=3)
        mark = SpectrumMark(
            index=index,
            name=str(name),
            lines=lines,
            level=level,
            x=round(level.rank * column + 4, 1),
            y=bottoms[level],
            width=round(column - 10, 1),
            height=SPECTRUM_CHIP_PAD + max(len(lines), 2) * SPECTRUM_LINE,
        )
        bottoms[level] += mark.height + SPECTRUM_GAP
        stacks[level].append(mark)
        placed.append(mark)
    height = (
        int(max(max(bottoms.values()), marks_top + 2 * SPECTRUM_LINE + SPECTRUM_CHIP_PAD + SPECTRUM_GAP)) + 2
    )
    levels = tuple(
        SpectrumLevel(
            level=level,
            x=round(level.rank * column, 1),
            width=round(column, 1),
            points=_chevron(
                level.rank * column, column - 2, SPECTRUM_HEADER, level.rank == 0, level.next is None
            ),
            label_lines=shorten(str(level.label), label_chars, lines=2),
            dark=level.rank >= 4,
            marks=tuple(stacks[level]),
        )
        for level in LEVELS
    )
    return SpectrumFigure(
        width=width,
        height=height,
        header_height=SPECTRUM_HEADER,
        arrow_y=SPECTRUM_HEADER + 18,
        marks_top=marks_top,
        levels=levels,
        marks=tuple(placed),
    )


# --- the tile map of territories ----------------------------------------------------------------------

# Mexico's 32 entidades on an 8 x 6 grid that keeps neighbours next to each other: the Baja California
# peninsula down the left, the northern border along the top, the centre packed around Mexico City, the
# Yucatán peninsula bottom right. (column, row)
MX_GRID: dict[str, tuple[int, int]] = {
    "MX-BCN": (0, 0), "MX-SON": (1, 0), "MX-CHH": (2, 0), "MX-COA": (3, 0), "MX-NLE": (4, 0),
    "MX-BCS": (0, 1), "MX-SIN": (1, 1), "MX-DUR": (2, 1), "MX-ZAC": (3, 1), "MX-SLP": (4, 1), "MX-TAM": (5, 1),
    "MX-NAY": (1, 2), "MX-AGU": (2, 2), "MX-GUA": (3, 2), "MX-QUE": (4, 2), "MX-HID": (5, 2),
    "MX-JAL": (1, 3), "MX-MIC": (2, 3), "MX-MEX": (3, 3), "MX-CMX": (4, 3), "MX-TLA": (5, 3), "MX-VER": (6, 3),
    "MX-COL": (2, 4), "MX-GRO": (3, 4), "MX-MOR": (4, 4), "MX-PUE": (5, 4), "MX-TAB": (6, 4), "MX-YUC": (7, 4),
    "MX-OAX": (4, 5), "MX-CHP": (5, 5), "MX-CAM": (6, 5), "MX-ROO": (7, 5),
}  # fmt: skip
# Where the nationwide box goes, in grid cells (column, row, columns wide, rows high): Mexico's grid
# leaves its top-right corner empty.
MX_NATIONAL = (6, 0, 2, 2)

TILE = 58
TILE_GAP = 5
SHADES = 4  # classes of non-zero counts; shade 0 is "never reached"


@dataclass(frozen=True)
class Tile:
    code: str  # ISO 3166-2, e.g. MX-JAL
    short: str  # the part after the country, e.g. JAL
    name: str
    count: int
    col: int
    row: int
    x: float
    y: float
    size: float
    shade: int  # 0 = never reached, 1..4 = class of its count

    @property
    def reached(self) -> bool:
        return self.count > 0

    @property
    def dark(self) -> bool:
        """The tile is dark, so its text is white."""
        return self.shade >= 3

    @property
    def css_class(self) -> str:
        return f"tile shade-{self.shade}" + ("" if self.reached else " not-reached")

    @property
    def cx(self) -> float:
        return round(self.x + self.size / 2, 1)


@dataclass(frozen=True)
class ShadeClass:
    shade: int
    low: int
    high: int
    tiles: int  # how many subdivisions fall in it


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float

    @property
    def cx(self) -> float:
        return round(self.x + self.width / 2, 1)

    @property
    def cy(self) -> float:
        return round(self.y + self.height / 2, 1)


@dataclass(frozen=True)
class LegendKey:
    shade: int  # 0 = never reached
    low: int
    high: int
    box: Box  # the swatch; its label sits under it


@dataclass(frozen=True)
class TileMap:
    country: str
    width: int
    height: int
    tile_size: int
    tiles: tuple[Tile, ...]  # in grid order, row by row
    classes: tuple[ShadeClass, ...]  # the shades of the non-zero counts, lowest first
    legend: tuple[LegendKey, ...]  # shade 0 first
    legend_y: float
    national: int
    national_box: Box

    @property
    def total(self) -> int:
        return len(self.tiles)

    @property
    def reached(self) -> int:
        return sum(1 for t in self.tiles if t.reached)

    @property
    def by_name(self) -> list[Tile]:
        return sorted(self.tiles, key=lambda t: (t.name.casefold(), t.code))

    def tile(self, code: str) -> Tile:
        for t in self.tiles:
            if t.code == code:
                return t
        raise KeyError(code)


def shade_classes(counts: Iterable[int]) -> list[tuple[int, int]]:
    """Up to four (low, high) classes of the non-zero counts, by quartile, none empty or overlapping: each
    count falls in exactly one, and a higher count never falls in a lower class."""
    values = sorted(c for c in counts if c > 0)
    if not values:
        return []
    uppers: list[int] = []
    for q in range(1, SHADES + 1):
        upper = values[math.ceil(q * len(values) / SHADES) - 1]  # nearest-rank quantile
        if not uppers or upper > uppers[-1]:
            uppers.append(upper)
    classes, low = [], values[0]
    for upper in uppers:
        classes.append((low, upper))
        low = upper + 1
    return classes


def _shades_for(n: int) -> list[int]:
    """Fewer than four classes take the darker shades, so every reached tile stands well apart from white."""
    return list(range(SHADES + 1 - n, SHADES + 1))


def _short(code: str) -> str:
    return code.split("-", 1)[1] if "-" in code else code


def _fallback_grid(codes: Sequence[str]) -> dict[str, tuple[int, int]]:
    cols = max(1, math.ceil(math.sqrt(len(codes))))
    return {code: (i % cols, i // cols) for i, code in enumerate(codes)}


def tile_map(counts: dict[str, int], country: str, national: int = 0) -> TileMap:
    """Every first-level subdivision of ``country`` as a tile with its count, shaded in five classes:
    never reached, then four classes of the non-zero counts (DOMAIN.md, "Who participated": territories
    reached out of all). Nationwide participants (``national``, or ``counts["national"]``) get a box of
    their own outside the tiles. A code that is not a subdivision of the country is refused."""
    counts = dict(counts)
    if NATIONAL in counts:
        from_counts = counts.pop(NATIONAL)
        if national and from_counts and national != from_counts:
            raise ValueError("national given twice, with different values")
        national = national or from_counts
    names = dict(subdivisions(country))
    unknown = sorted(set(counts) - set(names))
    if unknown:
        raise ValueError(f"not subdivisions of {country}: {', '.join(unknown)}")
    if national < 0 or any(v < 0 for v in counts.values()):
        raise ValueError("counts cannot be negative")

    if country == "MX" and set(names) == set(MX_GRID):
        grid, national_cell = MX_GRID, MX_NATIONAL
    else:
        grid = _fallback_grid(list(names))  # subdivisions() is sorted by name
        rows = max((r for _c, r in grid.values()), default=-1) + 1
        national_cell = (0, rows, 2, 1)
    pitch = TILE + TILE_GAP
    cols = max([c for c, _r in grid.values()] + [national_cell[0] + national_cell[2] - 1]) + 1
    rows = max([r for _c, r in grid.values()] + [national_cell[1] + national_cell[3] - 1]) + 1

    classes = shade_classes(counts.values())
    shades = _shades_for(len(classes))

    def shade(count: int) -> int:
        if count <= 0:
            return 0
        return next(s for (_low, high), s in zip(classes, shades, strict=True) if count <= high)

    tiles = tuple(
        Tile(
            code=code,
            short=_short(code),
            name=names[code],
            count=counts.get(code, 0),
            col=col,
            row=row,
            x=col * pitch,
            y=row * pitch,
            size=TILE,
            shade=shade(counts.get(code, 0)),
        )
        for code, (col, row) in sorted(grid.items(), key=lambda item: (item[1][1], item[1][0]))
    )
    nc, nr, nw, nh = national_cell
    # An extra gap sets the nationwide box apart from the tiles around it.
    national_box = Box(
        x=nc * pitch + TILE_GAP, y=nr * pitch, width=nw * pitch - 2 * TILE_GAP, height=nh * pitch - TILE_GAP
    )
    width = cols * pitch - TILE_GAP
    legend_y = rows * pitch + 26
    keys = [(0, 0, 0)] + [(s, low, high) for (low, high), s in zip(classes, shades, strict=True)]
    key_width = min(92, width // len(keys))
    legend = tuple(
        LegendKey(
            shade=s, low=low, high=high, box=Box(x=i * key_width, y=legend_y, width=key_width - 8, height=18)
        )
        for i, (s, low, high) in enumerate(keys)
    )
    return TileMap(
        country=country,
        width=width,
        height=int(legend_y + 18 + 22),
        tile_size=TILE,
        tiles=tiles,
        classes=tuple(
            ShadeClass(shade=s, low=low, high=high, tiles=sum(1 for t in tiles if t.shade == s))
            for (low, high), s in zip(classes, shades, strict=True)
        ),
        legend=legend,
        legend_y=legend_y,
        national=national,
        national_box=national_box,
    )


# --- the timeline of the process ------------------------------------------------------------------------

KINDS = ("call", "meeting", "version", "ballot", "publication")
KIND_LABELS = {
    "call": _l("Call dates"),
    "meeting": _l("Meetings"),
    "version": _l("Draft versions"),
    "ballot": _l("Votes"),
    "publication": _l("Publications"),
}


@dataclass(frozen=True)
class TimelineItem:
    when: datetime  # aware (UTC)
    label: str
    kind: str  # one of KINDS
    url: str | None = None

    @property
    def kind_label(self):
        return KIND_LABELS[self.kind]


@dataclass(frozen=True)
class Lane:
    kind: str
    label: object  # a lazy string
    y: float  # its centre line
    count: int


@dataclass(frozen=True)
class PlacedItem:
    item: TimelineItem
    index: int  # in date order; the table lists the same order
    x: float
    y: float
    passed: bool  # on or before now: drawn filled, else hollow
    text: str | None  # shortened label drawn on the figure, or None where it would overlap another
    text_x: float
    text_y: float
    anchor: str  # start, middle or end

    @property
    def when(self) -> datetime:
        return self.item.when

    @property
    def kind(self) -> str:
        return self.item.kind


@dataclass(frozen=True)
class Tick:
    when: datetime  # the first instant of a month in the display time zone, in UTC
    x: float
    with_year: bool  # the first tick and every January carry the year


@dataclass(frozen=True)
class ProcessTimeline:
    width: int
    height: int
    plot_left: int
    plot_right: int
    top: int
    axis_y: float
    start: datetime
    end: datetime
    lanes: tuple[Lane, ...]
    items: tuple[PlacedItem, ...]  # by date
    ticks: tuple[Tick, ...]
    today_x: float | None

    def lane(self, kind: str) -> Lane:
        for lane in self.lanes:
            if lane.kind == kind:
                return lane
        raise KeyError(kind)


LANE_HEIGHT = 58
TIMELINE_TOP = 24
LABEL_CHARS = 22
CHAR_WIDTH = 6.2  # at the 11px label size; an estimate, enough to keep labels apart


def _utc(when: datetime) -> datetime:
    if when.tzinfo is None:
        raise ValueError("timeline dates must be aware (UTC)")
    return when.astimezone(UTC)


def month_ticks(start: datetime, end: datetime, zone: ZoneInfo, most: int) -> list[datetime]:
    """First instants of months in ``zone`` between start and end, every 1, 2, 3, 6 or 12 months (or
    several years) counted from January: the finest step that gives at most ``most`` ticks."""
    local = start.astimezone(zone)
    y, m = local.year, local.month
    if local != datetime(y, m, 1, tzinfo=zone):
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    months = []
    while (when := datetime(y, m, 1, tzinfo=zone).astimezone(UTC)) <= end:
        months.append(when)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)

    def every(step: int) -> list[datetime]:
        if step < 12:
            return [w for w in months if (w.astimezone(zone).month - 1) % step == 0]
        return [
            w for w in months if w.astimezone(zone).month == 1 and w.astimezone(zone).year % (step // 12) == 0
        ]

    for step in (1, 2, 3, 6, 12, 24, 60, 120):
        if len(every(step)) <= most:
            return every(step)
    return []


def process_timeline(
    start: datetime,
    end: datetime,
    items: Iterable[TimelineItem],
    now: datetime,
    width: int = 960,
    zone: str = "America/Mexico_City",
    kinds: Sequence[str] = KINDS,
) -> ProcessTimeline:
    """Every dated step of a process on one time axis, a lane per kind (call dates, meetings, draft
    versions, votes, publications), with month ticks in the display time zone and a "today" line while the
    process runs. The axis grows to hold any item outside [start, end]."""
    items = list(items)
    for item in items:
        if item.kind not in kinds:
            raise ValueError(f"unknown kind of timeline item: {item.kind}")
    items.sort(key=lambda i: (_utc(i.when), kinds.index(i.kind), i.label))
    start, end, now = _utc(start), _utc(end), _utc(now)
    if items:
        start, end = min(start, _utc(items[0].when)), max(end, _utc(items[-1].when))
    if end <= start:
        end = start + timedelta(days=1)
    plot_left, plot_right = 150, width - 24
    span = (end - start).total_seconds()

    def x(when: datetime) -> float:
        return round(plot_left + (plot_right - plot_left) * (when - start).total_seconds() / span, 1)

    lane_y = {k: TIMELINE_TOP + i * LANE_HEIGHT + LANE_HEIGHT / 2 for i, k in enumerate(kinds)}
    # A label goes above its marker, or below it, or nowhere if both places are taken (the table has all).
    taken: dict[tuple[str, str], float] = {}
    placed = []
    for index, item in enumerate(items):
        ix, iy = x(_utc(item.when)), lane_y[item.kind]
        text = shorten(item.label, LABEL_CHARS)[0]
        w = len(text) * CHAR_WIDTH
        if ix - w / 2 < plot_left - 30:
            anchor, left, tx = "start", ix - 4, ix - 4
        elif ix + w / 2 > width - 2:
            anchor, left, tx = "end", ix + 4 - w, ix + 4
        else:
            anchor, left, tx = "middle", ix - w / 2, ix
        shown, ty = None, iy
        for slot, dy in (("above", -13), ("below", 22)):
            if left > taken.get((item.kind, slot), -math.inf) + 8:
                taken[(item.kind, slot)] = left + w
                shown, ty = text, iy + dy
                break
        placed.append(
            PlacedItem(
                item=item,
                index=index,
                x=ix,
                y=iy,
                passed=_utc(item.when) <= now,
                text=shown,
                text_x=round(tx, 1),
                text_y=ty,
                anchor=anchor,
            )
        )
    lanes = tuple(
        Lane(kind=k, label=KIND_LABELS[k], y=lane_y[k], count=sum(1 for i in items if i.kind == k))
        for k in kinds
    )
    axis_y = TIMELINE_TOP + len(kinds) * LANE_HEIGHT + 4
    tz = ZoneInfo(zone)
    ticks = tuple(
        Tick(when=when, x=x(when), with_year=i == 0 or when.astimezone(tz).month == 1)
        for i, when in enumerate(month_ticks(start, end, tz, most=max(2, (plot_right - plot_left) // 64)))
    )
    return ProcessTimeline(
        width=width,
        height=int(axis_y + 34),
        plot_left=plot_left,
        plot_right=plot_right,
        top=TIMELINE_TOP,
        axis_y=axis_y,
        start=start,
        end=end,
        lanes=lanes,
        items=tuple(placed),
        ticks=ticks,
        today_x=x(now) if start <= now <= end else None,
    )
