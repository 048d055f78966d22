"""The influence report's figures: their geometry (reports/figures.py) and their drawing
(templates/reports/_figures.html), whose SVG must carry the same numbers as the table beside it."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import render_template_string
from hypothesis import given, settings
from hypothesis import strategies as st

from ogpcocreate.core.territories import subdivisions
from ogpcocreate.reports.figures import (
    KINDS,
    MX_GRID,
    TimelineItem,
    process_timeline,
    shade_classes,
    shorten,
    spectrum,
    tile_map,
)
from ogpcocreate.reports.levels import LEVELS, Level

MX_CODES = [code for code, _name in subdivisions("MX")]

MARKS = [
    ("Convocatoria 2023: transparencia presupuestaria y contrataciones abiertas", Level.INVOLVE),
    ("Mesa de seguridad", Level.CONSULT),
    ("Agua", Level.INVOLVE),
    ("Plan de Acción 2019-2021", Level.COLLABORATE),
    ("Nada publicado", Level.NO_CONSULTATION),
]
COUNTS = {"MX-JAL": 14, "MX-CMX": 120, "MX-MEX": 33, "MX-OAX": 7, "MX-NLE": 9, "MX-YUC": 3, "MX-CHP": 2}
T0 = datetime(2025, 2, 10, 18, tzinfo=UTC)
ITEMS = [
    TimelineItem(T0, "Call announced", "call", "/calls/1"),
    TimelineItem(T0 + timedelta(days=15), "Proposals open", "call"),
    TimelineItem(T0 + timedelta(days=60), "Proposals close", "call"),
    TimelineItem(T0 + timedelta(days=20), "Kick-off meeting", "meeting", "/meetings/1"),
    TimelineItem(T0 + timedelta(days=70), "Working meeting", "meeting"),
    TimelineItem(T0 + timedelta(days=80), "Open budgets, version 1", "version"),
    TimelineItem(T0 + timedelta(days=120), "Vote on priority themes", "ballot"),
    # 03:00 UTC on 1 March is still 28 February in Mexico City.
    TimelineItem(datetime(2025, 3, 1, 3, tzinfo=UTC), "Minutes published", "publication"),
]


def timeline(now=T0 + timedelta(days=90)):
    return process_timeline(T0, T0 + timedelta(days=150), ITEMS, now=now)


# --- geometry -------------------------------------------------------------------------------------------


def test_geometry_is_deterministic():
    assert spectrum(MARKS) == spectrum(MARKS)
    assert tile_map(COUNTS, "MX", national=5) == tile_map(dict(reversed(COUNTS.items())), "MX", national=5)
    assert timeline() == process_timeline(
        T0, T0 + timedelta(days=150), list(reversed(ITEMS)), now=T0 + timedelta(days=90)
    )


def test_shorten_keeps_short_text_and_cuts_long_text_with_an_ellipsis():
    assert shorten("Agua", 10) == ("Agua",)
    assert shorten("one two three four five six", 9, lines=2) == ("one two", "three…")
    assert all(len(line) <= 9 for line in shorten("x" * 40, 9, lines=3))


def test_spectrum_has_the_six_levels_in_order():
    fig = spectrum(MARKS)
    assert [c.level for c in fig.levels] == LEVELS
    assert [c.x for c in fig.levels] == sorted(c.x for c in fig.levels)
    assert [c.dark for c in fig.levels] == [False, False, False, False, True, True]


def test_spectrum_places_each_mark_under_the_level_it_reached():
    fig = spectrum(MARKS)
    assert [m.level for m in fig.marks] == [level for _name, level in MARKS]
    for mark in fig.marks:
        column = fig.levels[mark.level.rank]
        assert column.x <= mark.x and mark.x + mark.width <= column.x + column.width
        assert mark in column.marks
        assert mark.y >= fig.marks_top and mark.y + mark.height <= fig.height
    # Marks sharing a level are stacked, not drawn on top of each other.
    involve = fig.levels[Level.INVOLVE.rank].marks
    assert [m.index for m in involve] == [0, 2]
    assert involve[0].y + involve[0].height < involve[1].y
    assert fig.levels[Level.EMPOWER.rank].count == 0


def test_spectrum_shortens_long_names_but_keeps_them_whole_for_the_table():
    mark = spectrum(MARKS).marks[0]
    assert mark.name == MARKS[0][0]
    assert 1 < len(mark.lines) <= 3 and mark.lines[-1].endswith("…")


def test_all_32_mexican_tiles_have_unique_positions():
    fig = tile_map({}, "MX")
    assert fig.total == 32 and len(MX_GRID) == 32
    assert sorted(t.code for t in fig.tiles) == sorted(MX_CODES)
    assert len({(t.col, t.row) for t in fig.tiles}) == 32
    assert len({(t.x, t.y) for t in fig.tiles}) == 32
    assert all(0 <= t.col < 8 and 0 <= t.row < 7 for t in fig.tiles)
    assert all(t.x + t.size <= fig.width and t.y + t.size < fig.legend_y for t in fig.tiles)
    assert fig.tile("MX-JAL").short == "JAL"
    # The geography reads: Baja California top left, Quintana Roo bottom right.
    assert (fig.tile("MX-BCN").col, fig.tile("MX-BCN").row) == (0, 0)
    assert fig.tile("MX-ROO").col == max(t.col for t in fig.tiles)


def test_the_nationwide_box_sits_apart_from_every_tile():
    fig = tile_map(COUNTS, "MX", national=17)
    box = fig.national_box
    assert fig.national == 17
    for t in fig.tiles:
        apart = (
            t.x + t.size <= box.x
            or box.x + box.width <= t.x
            or t.y + t.size <= box.y
            or box.y + box.height <= t.y
        )
        assert apart, t.code


def test_zero_tiles_are_not_reached():
    fig = tile_map(COUNTS, "MX")
    assert fig.reached == len(COUNTS)
    for t in fig.tiles:
        if t.code in COUNTS:
            assert t.reached and t.shade >= 1 and "not-reached" not in t.css_class
        else:
            assert t.count == 0 and t.shade == 0 and "not-reached" in t.css_class


def test_dark_tiles_have_white_text_and_light_tiles_dark_text():
    fig = tile_map(COUNTS, "MX")
    assert {t.shade for t in fig.tiles if t.dark} <= {3, 4}
    assert {t.shade for t in fig.tiles if not t.dark} <= {0, 1, 2}


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from(MX_CODES), st.integers(min_value=0, max_value=10_000), max_size=32))
def test_shades_are_monotonic_in_counts(counts):
    fig = tile_map(counts, "MX")
    tiles = sorted(fig.tiles, key=lambda t: t.count)
    assert [t.shade for t in tiles] == sorted(t.shade for t in tiles)
    for t in fig.tiles:
        if t.reached:
            (cls,) = [c for c in fig.classes if c.shade == t.shade]
            assert cls.low <= t.count <= cls.high
    assert sum(c.tiles for c in fig.classes) == fig.reached
    assert all(c.tiles > 0 for c in fig.classes)
    assert [k.shade for k in fig.legend] == [0] + [c.shade for c in fig.classes]


def test_shade_classes_do_not_overlap():
    assert shade_classes([]) == []
    assert shade_classes([0, 0]) == []
    assert shade_classes([5, 5, 5]) == [(5, 5)]
    assert shade_classes([1, 1, 1, 1, 1, 2, 50]) == [(1, 1), (2, 2), (3, 50)]
    classes = shade_classes(range(1, 101))
    assert classes == [(1, 25), (26, 50), (51, 75), (76, 100)]


def test_tile_map_refuses_unknown_codes_and_takes_national_from_the_counts():
    with pytest.raises(ValueError, match="MX-XXX"):
        tile_map({"MX-XXX": 1}, "MX")
    with pytest.raises(ValueError):
        tile_map({"MX-JAL": -1}, "MX")
    assert tile_map({"national": 4, "MX-JAL": 1}, "MX").national == 4


def test_other_countries_get_an_alphabetical_square_grid():
    fig = tile_map({"AR-C": 3}, "AR", national=2)
    names = [name for _code, name in subdivisions("AR")]
    assert [t.name for t in sorted(fig.tiles, key=lambda t: (t.row, t.col))] == names
    assert len({(t.col, t.row) for t in fig.tiles}) == len(names)
    cols = max(t.col for t in fig.tiles) + 1
    assert cols * cols >= len(names) > (cols - 1) * (cols - 1)
    assert fig.national_box.y > max(t.y for t in fig.tiles)


def test_timeline_x_is_monotonic_in_date():
    fig = timeline()
    whens = [p.when for p in fig.items]
    assert whens == sorted(whens)
    assert [p.x for p in fig.items] == sorted(p.x for p in fig.items)
    assert all(fig.plot_left <= p.x <= fig.plot_right for p in fig.items)
    assert [t.x for t in fig.ticks] == sorted(t.x for t in fig.ticks)


def test_timeline_lanes_one_per_kind():
    fig = timeline()
    assert [lane.kind for lane in fig.lanes] == list(KINDS)
    assert [lane.y for lane in fig.lanes] == sorted(lane.y for lane in fig.lanes)
    assert {lane.kind: lane.count for lane in fig.lanes} == {
        "call": 3, "meeting": 2, "version": 1, "ballot": 1, "publication": 1,
    }  # fmt: skip
    for p in fig.items:
        assert p.y == fig.lane(p.kind).y
    with pytest.raises(ValueError):
        process_timeline(T0, T0 + timedelta(days=1), [TimelineItem(T0, "?", "picnic")], now=T0)


def test_timeline_today_marker_only_inside_the_process():
    inside = timeline(now=T0 + timedelta(days=90))
    assert inside.today_x is not None and inside.plot_left < inside.today_x < inside.plot_right
    assert [p.passed for p in inside.items] == [p.when <= T0 + timedelta(days=90) for p in inside.items]
    assert timeline(now=T0 - timedelta(days=1)).today_x is None
    assert timeline(now=T0 + timedelta(days=400)).today_x is None


def test_timeline_ticks_fall_on_months_in_mexico_city():
    fig = timeline()
    assert fig.ticks
    for tick in fig.ticks:
        local = tick.when.astimezone(ZoneInfo("America/Mexico_City"))
        assert (local.day, local.hour, local.minute) == (1, 0, 0)
    assert fig.ticks[0].with_year
    # A process over several years gets coarser ticks, never a crowd.
    long = process_timeline(T0, T0 + timedelta(days=365 * 4), [], now=T0)
    assert 2 <= len(long.ticks) <= (long.plot_right - long.plot_left) // 64


def test_timeline_axis_grows_to_hold_items_outside_the_range():
    early = TimelineItem(T0 - timedelta(days=30), "Earlier", "publication")
    fig = process_timeline(T0, T0 + timedelta(days=10), [early], now=T0)
    assert fig.start == early.when and fig.items[0].x == fig.plot_left


# --- drawing: the numbers in each SVG equal the numbers in its table --------------------------------------


def render(app, source: str, **context) -> ET.Element:
    with app.test_request_context():
        html = render_template_string(
            '{% from "reports/_figures.html" import spectrum_figure, tile_map_figure, process_timeline_figure %}'
            + source,
            **context,
        )
    assert "style=" not in html and "<script" not in html
    # Our own rendering, not outside input; the macros write well-formed markup, so XML can read it.
    root = ET.fromstring(f"<root>{html}</root>")  # noqa: S314
    (svg,) = root.iter("svg")
    assert svg.get("aria-hidden") == "true" and svg.get("focusable") == "false"
    return root


def classes(el: ET.Element) -> set[str]:
    return set((el.get("class") or "").split())


def find_all(root: ET.Element, tag: str, cls: str | None = None) -> list[ET.Element]:
    return [el for el in root.iter(tag) if cls is None or cls in classes(el)]


def text(el: ET.Element) -> str:
    return " ".join("".join(el.itertext()).split())


def first_int(s: str) -> int:
    return int(re.match(r"\s*(\d+)", s).group(1))


def test_spectrum_figure_agrees_with_its_table(app):
    fig = spectrum(MARKS)
    root = render(app, "{{ spectrum_figure(fig, 'Levels') }}", fig=fig)
    svg = next(root.iter("svg"))
    (table,) = root.iter("table")

    drawn = {int(g.get("data-index")): g.get("data-level") for g in find_all(svg, "g", "spectrum-mark")}
    listed = {int(li.get("data-index")): li.get("data-level") for li in table.iter("li")}
    assert drawn == listed == {i: level.value for i, (_name, level) in enumerate(MARKS)}
    for tr in table.find("tbody"):
        level = tr.get("data-level")
        assert [int(li.get("data-index")) for li in tr.iter("li")] == [
            i for i, v in drawn.items() if v == level
        ]
        assert int(tr.get("data-count")) == len(list(tr.iter("li")))
    counts_svg = {g.get("data-level"): int(g.get("data-count")) for g in find_all(svg, "g", "spectrum-level")}
    counts_table = {tr.get("data-level"): int(tr.get("data-count")) for tr in table.find("tbody")}
    assert counts_svg == counts_table and list(counts_svg) == [level.value for level in LEVELS]
    # Each chip shows the start of the name the table gives in full.
    for g in find_all(svg, "g", "spectrum-mark"):
        name = MARKS[int(g.get("data-index"))][0]
        shown = " ".join(text(t) for t in g.iter("text")).rstrip("…")
        assert name.startswith(shown)
        assert g.find("title").text == name


def test_tile_map_figure_agrees_with_its_table(app):
    fig = tile_map(COUNTS, "MX", national=17)
    root = render(app, "{{ tile_map_figure(fig, 'Where', 'Participants') }}", fig=fig)
    svg = next(root.iter("svg"))
    (table,) = root.iter("table")

    drawn = {}
    for g in svg.iter("g"):
        if g.get("data-code"):
            (value,) = [t for t in g.iter("text") if "tile-value" in classes(t)]
            assert int(value.text) == int(g.get("data-value"))
            drawn[g.get("data-code")] = int(g.get("data-value"))
            assert ("not-reached" in classes(g)) == (
                drawn[g.get("data-code")] == 0 and g.get("data-code") != "national"
            )
    listed = {}
    for tr in table.iter("tr"):
        if tr.get("data-code"):
            number = first_int(text(tr.findall("td")[-1]))
            assert number == int(tr.get("data-value"))
            listed[tr.get("data-code")] = number
            not_reached = "not-reached" in classes(tr)
            assert not_reached == (number == 0 and tr.get("data-code") != "national")
            if not_reached:
                assert "sin alcanzar" in text(tr)  # the table says it in words, not only by style
    assert drawn == listed
    assert len(drawn) == 33 and drawn["national"] == 17 and drawn["MX-CMX"] == 120 and drawn["MX-AGU"] == 0
    # The table is sorted by name, the national row last.
    names = [text(tr.find("th")) for tr in table.find("tbody")]
    assert names == sorted(names, key=str.casefold)
    assert table.find("tfoot/tr").get("data-code") == "national"
    # "7 of 32 reached", the same in the figure and beside the table.
    (summary_svg,) = [t for t in svg.iter("text") if "tile-legend-summary" in classes(t)]
    (summary,) = [p for p in root.iter("p") if "tile-map-summary" in classes(p)]
    assert re.findall(r"\d+", text(summary_svg)) == re.findall(r"\d+", text(summary)) == ["7", "32"]
    # The never-reached tiles use the hatch defined in the figure.
    (pattern,) = svg.iter("pattern")
    hatched = [r for r in svg.iter("rect") if r.get("fill") == f"url(#{pattern.get('id')})"]
    assert len(hatched) == 32 - 7 + 1  # the tiles and the legend's swatch


def test_timeline_figure_agrees_with_its_table(app):
    fig = timeline()
    root = render(app, "{{ process_timeline_figure(fig, 'Timeline') }}", fig=fig)
    svg = next(root.iter("svg"))
    (table,) = root.iter("table")

    drawn = [(g.get("data-kind"), g.get("data-when")) for g in find_all(svg, "g", "ptl-item")]
    rows = list(table.find("tbody"))
    listed = [(tr.get("data-kind"), tr.get("data-when")) for tr in rows]
    assert drawn == listed == [(p.kind, p.when.isoformat()) for p in fig.items]
    for g in find_all(svg, "g", "ptl-lane"):
        (count,) = [t for t in g.iter("text") if "ptl-lane-count" in classes(t)]
        assert (
            first_int(text(count))
            == int(count.get("data-value"))
            == sum(1 for k, _w in listed if k == g.get("data-kind"))
        )
    # The "today" line is drawn; scheduled steps are hollow in the figure and say so in the table.
    assert find_all(svg, "g", "ptl-today")
    for g, tr in zip(find_all(svg, "g", "ptl-item"), rows, strict=True):
        assert ("scheduled" in classes(g)) == ("scheduled" in classes(tr))
    # Links where the step has a page.
    links = {a.get("href"): text(a) for a in table.iter("a")}
    assert links == {"/calls/1": "Call announced", "/meetings/1": "Kick-off meeting"}
    # Dates are shown in Mexico City: 03:00 UTC on 1 March is 28 February there.
    (minutes,) = [tr for tr in rows if tr.get("data-kind") == "publication"]
    assert "28" in text(minutes.find("td/time")) and minutes.find("td/time").get("datetime").startswith(
        "2025-03-01T03"
    )


def test_timeline_figure_without_today_when_the_process_is_over(app):
    fig = timeline(now=T0 + timedelta(days=400))
    root = render(app, "{{ process_timeline_figure(fig, 'Timeline') }}", fig=fig)
    assert not find_all(root, "g", "ptl-today")
    assert not find_all(root, "g", "scheduled")


def test_two_tile_maps_on_one_page_have_their_own_hatch(app):
    fig = tile_map(COUNTS, "MX")
    with app.test_request_context():
        html = render_template_string(
            '{% from "reports/_figures.html" import tile_map_figure %}'
            "{{ tile_map_figure(fig, 'A', 'People') }}{{ tile_map_figure(fig, 'B', 'Organisations', id='orgs-map') }}",
            fig=fig,
        )
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
