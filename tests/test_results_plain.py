"""Driver values -> plain data, tables and CSV. No database: graph objects are built
with the driver's own hydrator, the code that turns Bolt messages into them."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from typing import Any

import pytest
from neo4j import Record
from neo4j.graph import Node, Path, Relationship
from neo4j.spatial import CartesianPoint, WGS84Point
from neo4j.time import Date, DateTime, Duration, Time

from explorer.results import csv_text, plain, records_to_table, table_columns, write_csv

try:  # private module: the driver's Bolt hydration, the same code a server reply goes through
    from neo4j._codec.hydration.bolt.v1.hydration_handler import _GraphHydrator
except ImportError:  # pragma: no cover - only if a future driver moves it
    _GraphHydrator = None

pytestmark = pytest.mark.skipif(_GraphHydrator is None, reason="driver hydrator moved")


@pytest.fixture
def graph() -> dict[str, Any]:
    """North Korea -SUPPLIED-> transfer -TO-> Russia, as a server would send it."""
    h = _GraphHydrator()
    nk = h.hydrate_node(
        1,
        ["Actor"],
        {
            "id": "north-korea",
            "name": "North Korea",
            "aliases": ["DPRK"],
            "since": Date(1948, 9, 9),
        },
        "4:db:1",
    )
    transfer = h.hydrate_node(
        2, ["Transfer", "Seed"], {"id": "t-kn23", "delivery_years": [2023, 2024]}, "4:db:2"
    )
    ru = h.hydrate_node(3, ["Actor"], {"id": "russia", "name": "Russia"}, "4:db:3")
    supplied = h.hydrate_relationship(10, 1, 2, "SUPPLIED", {}, "5:db:10", "4:db:1", "4:db:2")
    to = h.hydrate_relationship(11, 2, 3, "TO", {"note": None}, "5:db:11", "4:db:2", "4:db:3")
    path = h.hydrate_path(
        [nk, transfer, ru],
        [
            h.hydrate_unbound_relationship(10, "SUPPLIED", {}, "5:db:10"),
            h.hydrate_unbound_relationship(11, "TO", {}, "5:db:11"),
        ],
        [1, 1, 2, 2],
    )
    return {"nk": nk, "transfer": transfer, "ru": ru, "supplied": supplied, "to": to, "path": path}


NK = {
    "id": "4:db:1",
    "labels": ["Actor"],
    "properties": {
        "id": "north-korea",
        "name": "North Korea",
        "aliases": ["DPRK"],
        "since": "1948-09-09",
    },
}


def test_the_fixture_builds_real_driver_objects(graph: dict[str, Any]) -> None:
    assert isinstance(graph["nk"], Node)
    assert isinstance(graph["supplied"], Relationship)
    assert isinstance(graph["path"], Path)


def test_node(graph: dict[str, Any]) -> None:
    assert plain(graph["nk"]) == NK
    assert plain(graph["transfer"])["labels"] == ["Seed", "Transfer"]


def test_relationship(graph: dict[str, Any]) -> None:
    assert plain(graph["supplied"]) == {
        "id": "5:db:10",
        "type": "SUPPLIED",
        "start": "4:db:1",
        "end": "4:db:2",
        "properties": {},
    }
    assert plain(graph["to"])["properties"] == {}  # the driver drops null properties


def test_path(graph: dict[str, Any]) -> None:
    out = plain(graph["path"])
    assert [n["id"] for n in out["nodes"]] == ["4:db:1", "4:db:2", "4:db:3"]
    assert [(r["type"], r["start"], r["end"]) for r in out["relationships"]] == [
        ("SUPPLIED", "4:db:1", "4:db:2"),
        ("TO", "4:db:2", "4:db:3"),
    ]
    assert out["nodes"][0] == NK


def test_output_is_json_safe(graph: dict[str, Any]) -> None:
    value = {"path": graph["path"], "nodes": [graph["nk"], None], "n": 1.5}
    assert json.loads(json.dumps(plain(value), allow_nan=False)) == plain(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Date(2024, 3, 30), "2024-03-30"),
        (
            DateTime(2024, 3, 30, 12, 5, 1, tzinfo=dt.timezone.utc),
            "2024-03-30T12:05:01.000000000+00:00",
        ),
        (DateTime(2024, 3, 30, 12, 5, 1), "2024-03-30T12:05:01.000000000"),
        (Time(12, 5, 1), "12:05:01.000000000"),
        (Duration(months=14, days=3, seconds=61), "P1Y2M3DT1M1S"),
        (dt.date(2024, 4, 1), "2024-04-01"),
        (dt.datetime(2024, 4, 1, 8, 30), "2024-04-01T08:30:00"),
        (dt.time(8, 30), "08:30:00"),
        (dt.timedelta(days=2, seconds=30), "P2DT30S"),
        (dt.timedelta(seconds=-1.5), "-P0DT1.5S"),
    ],
)
def test_temporal_values_become_iso_strings(value: object, expected: str) -> None:
    assert plain(value) == expected


def test_points_become_dicts() -> None:
    assert plain(WGS84Point((30.52, 50.45))) == {
        "crs": "wgs-84",
        "srid": 4326,
        "x": 30.52,
        "y": 50.45,
        "longitude": 30.52,
        "latitude": 50.45,
    }
    assert plain(WGS84Point((30.52, 50.45, 179.0)))["height"] == 179.0
    assert plain(CartesianPoint((1, 2))) == {"crs": "cartesian", "srid": 7203, "x": 1.0, "y": 2.0}


def test_scalars_collections_and_odd_values() -> None:
    assert plain(None) is None
    assert plain(True) is True
    assert plain(7) == 7
    assert plain("x") == "x"
    assert plain(math.nan) is None
    assert plain(-math.inf) is None
    assert plain(b"\x00\xff") == "AP8="
    assert plain((1, [2, (3,)])) == [1, [2, [3]]]
    assert plain({1: {"a": {2}}}) == {"1": {"a": [2]}}
    assert plain(Record(zip(["a", "b"], [1, Date(2024, 1, 1)], strict=True))) == {
        "a": 1,
        "b": "2024-01-01",
    }
    assert plain(object.__new__(_Opaque)) == "opaque"


class _Opaque:
    def __str__(self) -> str:
        return "opaque"


def test_records_to_table(graph: dict[str, Any]) -> None:
    rows = [
        Record(zip(["name", "n"], ["North Korea", graph["nk"]], strict=True)),
        ("Russia", None),
        {"name": "Iran", "n": None, "ignored": 1},
    ]
    table = records_to_table(["name", "n"], rows)
    assert table == [
        {"name": "North Korea", "n": NK},
        {"name": "Russia", "n": None},
        {"name": "Iran", "n": None},
    ]
    with pytest.raises(ValueError, match="a row has 1 values for 2 columns"):
        records_to_table(["name", "n"], [("x",)])


def test_write_csv_encodes_nested_values_as_json(graph: dict[str, Any]) -> None:
    rows = records_to_table(
        ["name", "deals", "share", "ok", "aliases", "node", "missing"],
        [
            ("North Korea", 3, 0.5, True, ["DPRK", "Corée"], graph["nk"], None),
            ('Say "hi", world', 0, None, False, [], None, None),
        ],
    )
    buffer = io.StringIO(newline="")
    assert write_csv(rows, buffer) == 2
    parsed = list(csv.reader(io.StringIO(buffer.getvalue(), newline="")))
    assert parsed[0] == ["name", "deals", "share", "ok", "aliases", "node", "missing"]
    assert parsed[1][:5] == ["North Korea", "3", "0.5", "true", '["DPRK", "Corée"]']
    assert json.loads(parsed[1][5]) == NK
    assert parsed[1][6] == ""
    assert parsed[2] == ['Say "hi", world', "0", "", "false", "[]", "", ""]


def test_csv_columns_order_and_text() -> None:
    rows = [{"b": 1}, {"a": 2, "b": 3}]
    assert table_columns(rows) == ["b", "a"]
    assert csv_text(rows) == "b,a\r\n1,\r\n3,2\r\n"
    # A lone empty cell is quoted, so that the row is not mistaken for a blank line.
    assert csv_text(rows, columns=["a"]) == 'a\r\n""\r\n2\r\n'
    assert csv_text([], columns=["a", "b"]) == "a,b\r\n"
    assert csv_text([]) == ""
