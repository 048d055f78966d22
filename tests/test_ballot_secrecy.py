"""Ballot secrecy (DOMAIN.md, "Ballot secrecy"): what of a tally by sector may be published, table-driven
with a boundary case on each side of every rule (votes/secrecy.py)."""

from __future__ import annotations

import pytest

from ogpcocreate.core.sectors import Sector
from ogpcocreate.votes.secrecy import OTHER_SECTORS, publishable

CS, AC, INT, GOV = Sector.CIVIL_SOCIETY, Sector.ACADEMIA, Sector.INTERNATIONAL, Sector.GOVERNMENT

CASES = [
    # (name, voters by sector, approvals of option "a" by sector, threshold, groups shown, row of "a")
    ("a sector at the threshold stands alone", {CS: 5, AC: 6}, {CS: 2, AC: 3}, 5,
     [("civil_society", 5), ("academia", 6)], {"civil_society": 2, "academia": 3}),
    ("one international voter is merged, not shown alone", {CS: 6, AC: 5, INT: 1, GOV: 4}, {CS: 3, AC: 2, INT: 1, GOV: 2},
     5, [("civil_society", 6), ("academia", 5), (OTHER_SECTORS, 5)], {"civil_society": 3, "academia": 2, OTHER_SECTORS: 3}),
    ("merged group one short of the threshold: totals only", {CS: 6, INT: 1, GOV: 3}, {CS: 3, INT: 1, GOV: 1}, 5,
     [], None),
    ("every sector small, their sum at the threshold: one group", {INT: 1, GOV: 4}, {INT: 1, GOV: 2}, 5,
     [(OTHER_SECTORS, 5)], {OTHER_SECTORS: 3}),
    ("a unanimous cell withholds the row", {CS: 5, AC: 5}, {CS: 5, AC: 2}, 5,
     [("civil_society", 5), ("academia", 5)], None),
    ("a cell where nobody approved withholds the row", {CS: 5, AC: 5}, {AC: 2}, 5,
     [("civil_society", 5), ("academia", 5)], None),
    ("one short of unanimous is shown", {CS: 5, AC: 5}, {CS: 4, AC: 1}, 5,
     [("civil_society", 5), ("academia", 5)], {"civil_society": 4, "academia": 1}),
    ("a single group is the total itself", {CS: 7}, {CS: 7}, 5, [("civil_society", 7)], {"civil_society": 7}),
]


@pytest.mark.parametrize(("name", "voters", "cells", "threshold", "groups", "row"), CASES, ids=[c[0] for c in CASES])
def test_what_a_tally_may_publish(name, voters, cells, threshold, groups, row):
    tally = publishable(voters, {"a": cells}, threshold)
    assert [(g.key, g.voters) for g in tally.groups] == groups
    assert tally.breakdown["a"] == row
    assert tally.approvals["a"] == sum(cells.values())  # the total is the result: always published
    assert tally.voters == sum(voters.values())
    assert tally.totals_only == (not groups)


def test_the_log_form_keeps_no_sector_of_a_small_group():
    tally = publishable({CS: 6, INT: 1, GOV: 4}, {"a": {CS: 3, INT: 1, GOV: 2}, "b": {CS: 1}}, 5)
    data = tally.as_data({"a": "Primera", "b": "Segunda"})
    assert data["groups"] == {"civil_society": 6, OTHER_SECTORS: 5}
    assert data["merged"] == {OTHER_SECTORS: ["government", "international"]}
    assert data["options"]["a"] == {"label": "Primera", "approvals": 6, "by_group": {"civil_society": 3, OTHER_SECTORS: 3}}
    assert data["options"]["b"]["by_group"] is None  # nobody in "other sectors" approved it
    assert "international" not in str(data["options"])
