"""The saved-query format: header parsing, parameter agreement, conversion. No database."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest

from explorer import contract
from explorer.errors import ConfigError, ParameterError, QueryError, ReadOnlyViolation
from explorer.queries import (
    Param,
    SavedQuery,
    View,
    body_parameters,
    catalogue_problems,
    convert_params,
    default_queries_dir,
    load_catalogue,
    parse_assignments,
    parse_query_text,
    title_from_name,
)

FIXTURES = Path(__file__).parent / "fixtures" / "queries"
QUERIES = Path(__file__).resolve().parents[1] / "cypher" / "queries"
WHERE = "cypher/queries/x.cypher"


def parse(text: str, name: str = "x") -> SavedQuery:
    return parse_query_text(text, name, WHERE)


def header_error(text: str) -> str:
    with pytest.raises(QueryError) as caught:
        parse(text)
    return str(caught.value)


@pytest.fixture(scope="module")
def catalogue() -> dict[str, SavedQuery]:
    return load_catalogue(FIXTURES)


# --- the fixture catalogue ------------------------------------------------------------


def test_catalogue_loads_every_fixture_by_name(catalogue: dict[str, SavedQuery]) -> None:
    assert list(catalogue) == [
        "actor_neighbourhood",
        "labels_overview",
        "strikes_timeline",
        "transfers_by_year",
    ]
    assert catalogue_problems(FIXTURES) == []


def test_full_header(catalogue: dict[str, SavedQuery]) -> None:
    q = catalogue["actor_neighbourhood"]
    assert q.title == "Actor neighbourhood"
    assert q.path.endswith("tests/fixtures/queries/actor_neighbourhood.cypher")
    assert q.description == (
        "Who an actor supplies and who supplies it, with the weapon\n"
        "systems involved, up to a few hops away.\n\n"
        'Pick the actor by name, alias or id ("DPRK" finds North Korea).'
    )
    assert q.param_names == ("actor", "depth", "statuses")
    actor, depth, statuses = q.params
    assert actor == Param("actor", "actor", default="North Korea", help="the actor to centre on")
    assert (depth.type, depth.default, depth.min, depth.max) == ("int", 1, 1, 3)
    assert depth.help == "how many supplier/recipient hops to follow"
    assert statuses.type == "list" and statuses.is_list and statuses.item_type == "string"
    assert statuses.default == ("delivered", "ordered", "reported")
    assert statuses.choices is not None and "withheld" in statuses.choices
    assert statuses.help == "which transfer statuses to include"
    assert q.view == View("graph", ())
    assert q.tags == ("actors", "overview")
    assert q.cypher.startswith("MATCH (centre:Actor {id: $actor})")
    assert q.body_line == 26
    assert not q.cypher.startswith("//")


def test_chart_view_choices_query_and_optional(catalogue: dict[str, SavedQuery]) -> None:
    q = catalogue["transfers_by_year"]
    assert q.view.kind == "bar"
    assert q.view.as_dict() == {"x": "year", "y": "transfers", "color": "status"}
    assert q.view.columns == ("year", "transfers", "status")
    assert q.view.missing_columns(["year", "status"]) == ["transfers"]
    supplier, category, since = q.params
    assert supplier.optional and not supplier.required and supplier.type == "actor"
    assert category.choices_query == (
        "MATCH (w:WeaponSystem) WHERE w.category IS NOT NULL "
        "RETURN DISTINCT w.category AS value, w.category AS label ORDER BY value"
    )
    assert since.type == "date" and since.default == "1990"
    assert q.tags == ("transfers", "sipri", "charts")


def test_timeline_view_and_unquoted_list_default(catalogue: dict[str, SavedQuery]) -> None:
    q = catalogue["strikes_timeline"]
    assert q.view.as_dict() == {"date": "date", "label": "title", "end": None, "color": "kind"}
    assert q.params[0].default == ("strike", "strike_series", "announcement")


def test_file_with_only_cypher_is_a_query(catalogue: dict[str, SavedQuery]) -> None:
    q = catalogue["labels_overview"]
    assert q.title == "Labels overview"
    assert q.description == (
        "How many nodes carry each label; no header, so the title comes from the\nfile name."
    )
    assert q.params == (Param("label"),)
    assert q.params[0].required and q.params[0].type == "string"
    assert q.view.kind == "table"
    assert q.tags == ()


def test_saved_queries_are_frozen_and_hashable(catalogue: dict[str, SavedQuery]) -> None:
    q = catalogue["actor_neighbourhood"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        q.title = "x"  # type: ignore[misc]
    assert len({q, catalogue["actor_neighbourhood"]}) == 1


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("actor_neighbourhood", "Actor neighbourhood"),
        ("who-arms-ukraine", "Who arms ukraine"),
        ("sipri__top_suppliers", "Sipri top suppliers"),
    ],
)
def test_title_from_file_name(name: str, title: str) -> None:
    assert title_from_name(name) == title


# --- the header format ---------------------------------------------------------------------


def header(*lines: str, body: str = "RETURN 1") -> str:
    """A file whose header is these YAML lines, each behind '// '."""
    return "\n".join(f"// {line}" if line else "//" for line in lines) + "\n" + body


def test_minimal_header_and_defaults() -> None:
    q = parse("// title: Everything\nMATCH (n) RETURN n LIMIT 5\n")
    assert q.title == "Everything"
    assert q.description == "" and q.params == () and q.tags == ()
    assert q.view == View("table", (("columns", None),))
    assert q.body_line == 2


def test_parameter_attributes_block_and_flow_style() -> None:
    q = parse(header(
        "title: t",
        "params:",
        "  a:",
        "  b: {type: int}",
        "  c: {type: float, default: 2.5}",
        "  d: {type: bool, default: yes, help: yes/no words as on the command line}",
        '  e: {default: "A: B — C", help: a quoted default keeps its colon}',
        "  f: {type: \"list[int]\", default: [1, 2]}",
        "  g: {type: weapon_system, optional: true}",
        "  h: {type: integer, default: -3}",
        "  i:",
        "    type: date",
        "    optional: true",
        "    default: 2024-03-30",
        "    help: >-",
        "      a longer help text",
        "      folded onto one line",
        "  j: {type: list, default: 'a, b'}",
        "  k: {type: string, default: no}",
        body="RETURN $a, $b, $c, $d, $e, $f, $g, $h, $i, $j, $k",
    ))
    by_name = {p.name: p for p in q.params}
    assert q.param_names == ("a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k")
    assert by_name["a"] == Param("a", "string")
    assert by_name["b"].required and by_name["b"].type == "int"
    assert by_name["c"].default == 2.5
    assert by_name["d"].default is True
    assert by_name["d"].help == "yes/no words as on the command line"
    assert by_name["e"].default == "A: B — C"
    assert by_name["f"].default == (1, 2) and by_name["f"].item_type == "int"
    assert by_name["g"].optional and by_name["g"].type == "weapon_system"
    assert (by_name["h"].type, by_name["h"].default) == ("int", -3)
    # Dates stay ISO text: YAML's own date reading does not apply.
    assert by_name["i"].default == "2024-03-30"
    assert by_name["i"].help == "a longer help text folded onto one line"
    assert by_name["j"].default == ("a", "b")
    # Every header value is text converted by the declared type: `no` is a string here.
    assert by_name["k"].default == "no"
    assert by_name["f"].signature == "f (list[int], default [1, 2])"
    assert by_name["d"].signature == "d (bool, default true)"
    assert by_name["e"].signature == 'e (string, default "A: B — C")'
    assert by_name["g"].signature == "g (weapon_system, optional)"
    assert by_name["b"].signature == "b (int, required)"
    assert [p.line for p in q.params][:3] == [3, 4, 5]


def test_description_title_view_and_tags() -> None:
    q = parse(header(
        'title: "Claims: verdicts"',
        "description: |",
        "  First paragraph,",
        "  second line.",
        "",
        "  Second paragraph.",
        "params:",
        "  kind:",
        "    optional: true",
        "    choices_query: >-",
        "      MATCH (e:Event)",
        "      RETURN DISTINCT e.kind AS value",
        "view:",
        "  kind: map",
        "  label: name",
        "tags: [a, B, a]",
        body="RETURN $kind",
    ))
    assert q.title == "Claims: verdicts"
    assert q.description == "First paragraph,\nsecond line.\n\nSecond paragraph."
    assert q.params[0].choices_query == "MATCH (e:Event) RETURN DISTINCT e.kind AS value"
    assert q.view.as_dict() == {
        "lat": "lat", "lon": "lon", "label": "name", "size": None, "color": None,
    }
    assert q.tags == ("a", "b")
    assert parse(header("title: t", "tags: x, Y")).tags == ("x", "y")
    assert parse(header("title: t", "view: {kind: table, columns: [a, b]}")).view.columns == (
        "a", "b")


def test_yaml_comments_in_the_header_are_ignored() -> None:
    q = parse(header("title: t  # the title", "# a note for maintainers", "view: graph"))
    assert (q.title, q.view.kind) == ("t", "graph")


def test_free_comments_after_the_header_stay_in_the_body() -> None:
    q = parse("// title: t\n\n// TODO: a note for maintainers\nMATCH (n) RETURN n\n")
    assert q.cypher == "// TODO: a note for maintainers\nMATCH (n) RETURN n"
    assert q.body_line == 3


# --- statuses come from the graph contract ----------------------------------------------------


def test_choices_statuses_are_the_contracts() -> None:
    q = parse(header(
        "title: t",
        "params:",
        "  every: {type: list, choices: statuses, default: all}",
        "  some: {type: list, choices: statuses, default: [sought]}",
        body="RETURN $every, $some",
    ))
    every, some = q.params
    assert every.choices == contract.TRANSFER_STATUSES
    assert every.default == contract.TRANSFER_STATUSES
    assert (some.choices, some.default) == (contract.TRANSFER_STATUSES, ("sought",))


def test_shipped_status_parameters_take_their_choices_from_the_contract() -> None:
    status_params = [(q.name, p) for q in load_catalogue(QUERIES).values() for p in q.params
                     if p.name == "statuses"]
    assert len(status_params) == 8
    for name, param in status_params:
        assert param.choices == contract.TRANSFER_STATUSES, name
    # No shipped header spells the statuses out: adding one is an edit of the contract.
    for path in QUERIES.glob("*.cypher"):
        head = path.read_text(encoding="utf-8").split("\n\n", 1)[0].splitlines()
        spelled = [line for line in head if re.search(r"\b(choices|default):", line)
                   and re.search(r"\b(withheld|not_supplied)\b", line)]
        assert spelled == [], path.name


def test_a_status_added_to_the_contract_is_a_choice_without_editing_a_query(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(contract, "TRANSFER_STATUSES", (*contract.TRANSFER_STATUSES, "leased"))
    query = load_catalogue(QUERIES)["actor_neighbourhood"]
    assert "leased" in query.param("statuses").choices
    assert "leased" in convert_params(query, {})["statuses"]  # default: all
    assert convert_params(query, {"statuses": "leased"})["statuses"] == ["leased"]
    monkeypatch.undo()
    with pytest.raises(ParameterError, match=r"must be one of delivered, .*, got 'leased'"):
        convert_params(load_catalogue(QUERIES)["actor_neighbourhood"], {"statuses": "leased"})


# --- every error names the file, the line and the key ------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the YAML itself
        (header("title: t", "a free comment"),
         f"{WHERE}:2: the header is not valid YAML: could not find expected ':'; put free "
         "comments below the header, after a blank line"),
        (header("title: t", "tags: '"), f"{WHERE}:2: the header is not valid YAML: a quoted "
         "value is not closed"),
        (header("title: t", "params:", "\ta: {}"), f"{WHERE}:3: the header is not valid YAML: "
         "found character '\\t' that cannot start any token; indent with spaces"),
        (header("title: t", "tags: &x [a]", "view: *x"),
         f"{WHERE}:2: anchors and aliases (& and *) are not supported in a header"),
        # header keys
        (header("titel: t"), f"{WHERE}:1: unknown header key 'titel' (did you mean 'title'?) — "
         "expected one of title, description, params, view, tags"),
        (header("title: t", "param: a (int) = 2"),
         f"{WHERE}:2: unknown header key 'param' (did you mean 'params'?)"),
        (header("title: t", "title: u"), f"{WHERE}:2: 'title' is declared twice"),
        (header("title:"), f"{WHERE}:1: the title is empty"),
        (header("title: [a, b]"), f"{WHERE}:1: 'title' must be text, got a list"),
        (header("title: t", "params: [a, b]"),
         f"{WHERE}:2: 'params' must be indented 'key: value' lines, got a list"),
        # parameters
        (header("title: t", "params:", "  a: {}", "  a: {}", body="RETURN $a"),
         f"{WHERE}:4: parameter 'a' is declared twice"),
        (header("title: t", "params:", "  1a: {}"),
         f"{WHERE}:3: parameter name '1a' is not a name"),
        (header("title: t", "params:", "  a: int", body="RETURN $a"),
         f"{WHERE}:3: parameter 'a' must be indented 'key: value' lines, got 'int'"),
        (header("title: t", "params:", "  a:", "    type: strin", body="RETURN $a"),
         f"{WHERE}:4: unknown parameter type 'strin' (did you mean 'string'?) — expected one of "
         "string, int, float, bool, date, list, list[int], list[float], actor, weapon_system"),
        (header("title: t", "params:", "  a:", "    type: int", "    mni: 1", body="RETURN $a"),
         f"{WHERE}:5: unknown attribute 'mni' of parameter 'a' (did you mean 'min'?) — expected "
         "one of type, default, optional, min, max, choices, choices_query, help"),
        (header("title: t", "params:", "  a:", "    type: int", "    type: float",
                body="RETURN $a"),
         f"{WHERE}:5: attribute 'type' of parameter 'a' is given twice"),
        (header("title: t", "params:", "  a: {type: int, default: x}", body="RETURN $a"),
         f"{WHERE}:3: default 'x' of parameter 'a' is not an int"),
        (header("title: t", "params:", "  a:", "    type: int", "    default:",
                body="RETURN $a"),
         f"{WHERE}:5: default of parameter 'a' is empty"),
        (header("title: t", "params:", "  a:", "    help: [x]", body="RETURN $a"),
         f"{WHERE}:4: 'help' of parameter 'a' must be text, got a list"),
        (header("title: t", "params:", "  a:", "    min: 1", body="RETURN $a"),
         f"{WHERE}:4: min applies to int, float and date parameters, not string"),
        (header("title: t", "params:", "  a:", "    type: int", "    max: 4", "    default: 9",
                body="RETURN $a"),
         f"{WHERE}:6: the default of 'a' must be at most 4, got 9"),
        (header("title: t", "params:", "  a:", "    type: int", "    min: 5", "    max: 4",
                body="RETURN $a"),
         f"{WHERE}:6: min of 'a' is greater than its max"),
        (header("title: t", "params:", "  a:", "    default: z", "    choices: [x, y]",
                body="RETURN $a"),
         f"{WHERE}:4: the default of 'a' must be one of x, y, got 'z'"),
        (header("title: t", "params:", "  a: {type: list, choices: statuses, default: sougth}",
                body="RETURN $a"),
         f"{WHERE}:3: the default of 'a' must be one of delivered, ordered, reported, sought, "
         "considered, withheld, not_supplied, got 'sougth' (did you mean 'sought'?)"),
        (header("title: t", "params:", "  a:", "    type: int", "    choices: [1, two]",
                body="RETURN $a"),
         f"{WHERE}:5: choice 'two' of parameter 'a' is not an int"),
        (header("title: t", "params:", "  a:", "    choices:", body="RETURN $a"),
         f"{WHERE}:4: choices of 'a' are empty"),
        (header("title: t", "params:", "  a:", "    choices: [x]",
                "    choices_query: RETURN 1 AS value", body="RETURN $a"),
         f"{WHERE}:5: 'a' has both choices and choices_query; keep one"),
        (header("title: t", "params:", "  a:",
                "    choices_query: MATCH (n) WHERE n.x = $b RETURN n", body="RETURN $a"),
         f"{WHERE}:4: choices_query of 'a' uses $b; it must take no parameters"),
        (header("title: t", "params:", "  a:", "    optional: perhaps", body="RETURN $a"),
         f"{WHERE}:4: 'optional' of parameter 'a' must be true or false, got 'perhaps'"),
        (header("title: t", "params:", "  a:", "    name: b", body="RETURN $a"),
         f"{WHERE}:4: unknown attribute 'name' of parameter 'a': the parameter's name is its key"),
        # A long help wrapped inside a flow mapping: the comma starts a new "attribute".
        (header("title: t", "params:",
                "  a: {type: bool, default: true, help: also link systems through their",
                "    classes, not only the same system}", body="RETURN $a"),
         f"{WHERE}:4: unknown attribute 'not only the same system' of parameter 'a'"),
        # views
        (header("title: t", "view: pie"),
         f"{WHERE}:2: unknown view 'pie' — expected one of table, graph, bar, line, map, "
         "timeline"),
        (header("title: t", "view: {kind: bar, x: a}"),
         f"{WHERE}:2: view 'bar' needs option 'y' (the result column to use): add 'y: COLUMN' "
         "under 'view'"),
        (header("title: t", "view:", "  kind: line", "  x: a", "  y: b", "  colour: c"),
         f"{WHERE}:6: unknown option 'colour' (did you mean 'color'?) for view 'line' — its "
         "options are: x, y, color"),
        (header("title: t", "view: {kind: graph, x: a}"),
         f"{WHERE}:2: unknown option 'x' for view 'graph' — its options are: none"),
        (header("title: t", "view:", "  x: a"),
         f"{WHERE}:2: the view needs a 'kind', one of table, graph, bar, line, map, timeline"),
        (header("title: t", "view:", "  kind: table", "  columns: {a: b}"),
         f"{WHERE}:4: view option 'columns' must be a list of column names"),
        (header("title: t", "view:", "  kind: bar", "  x: [a]", "  y: b"),
         f"{WHERE}:4: view option 'x' must be a column name"),
        # the statement
        (header("title: t", body=""), f"{WHERE}: the file has no Cypher statement"),
        ("// title: t\n\n// only a comment\n", f"{WHERE}: the file has no Cypher statement"),
        ("", f"{WHERE}: the file has no Cypher statement"),
        ("// title: t\nRETURN 'open", f"{WHERE}:2: unterminated string literal"),
        ("// title: t\nRETURN $0", f"{WHERE}:2: positional parameter $0 is not supported"),
    ],
)
def test_malformed_header_names_file_line_and_key(text: str, expected: str) -> None:
    message = header_error(text)
    assert message.startswith(expected)
    assert "\n" not in message


def test_header_and_body_parameters_must_agree_both_ways() -> None:
    message = header_error(header("title: t", "params:", "  actor: {type: actor}",
                                  body="MATCH (n)\nRETURN $actr"))
    assert message == f"{WHERE}:3: parameter 'actor' is declared but the query never uses $actor"
    message = header_error(header("title: t", "params:", "  a: {}",
                                  body="\nMATCH (n)\nWHERE n.x = $a\nRETURN $depht"))
    assert message == (
        f"{WHERE}:7: the query uses $depht but the header does not declare it "
        "— add 'depht: {type: string}' under 'params:' in the header"
    )
    # A header without params does not silently declare the body's ones.
    assert header_error("// title: t\nRETURN $a").startswith(f"{WHERE}:2: the query uses $a")


def test_saved_query_that_writes_is_refused_with_its_line() -> None:
    with pytest.raises(ReadOnlyViolation) as caught:
        parse("// title: t\n\nMATCH (n)\nSET n.x = 1\nRETURN n")
    assert str(caught.value) == (
        f"{WHERE}:4: the query must be read-only — SET writes to the database"
    )
    with pytest.raises(ReadOnlyViolation) as caught:
        parse(header("title: t", "params:", "  a:",
                     "    choices_query: CREATE (n) RETURN 1 AS value", body="RETURN $a"))
    assert str(caught.value) == (
        f"{WHERE}:4: the choices_query must be read-only — CREATE writes to the database"
    )


def test_every_shipped_query_file_validates() -> None:
    # The round trip: every header the project ships (and the test fixtures) parses,
    # and each file's statement still follows its header.
    for folder in (QUERIES, FIXTURES, FIXTURES.parent / "app_queries"):
        assert catalogue_problems(folder) == [], folder
        for query in load_catalogue(folder).values():
            assert query.cypher and not query.cypher.startswith("// title"), query.name
            assert query.title and query.description, query.name
            convert_params(query, {p.name: "x" for p in query.params if p.required})
    assert len(load_catalogue(QUERIES)) == 18


# --- finding $parameters in a body -----------------------------------------------------------


def test_body_parameters_skip_strings_comments_and_names() -> None:
    cypher = """
    MATCH (a:Actor {id: $actor})  // $commented
    /* $blocked
       still $blocked */
    WHERE a.note CONTAINS '$single' OR a.note = "price: $5 // not a comment"
      AND a.`$backticked` = $`odd name` AND a.x = $actor AND a$b = $limit
    RETURN a, 'it\\'s $escaped' AS s, $depth
    """
    assert body_parameters(cypher) == ["actor", "odd name", "limit", "depth"]


# --- converting user values -------------------------------------------------------------------

TYPED = parse(
    header(
        "title: t",
        "params:",
        "  actor: {type: actor, default: North Korea}",
        "  depth: {type: int, default: 2, min: 1, max: 4}",
        "  share: {type: float, optional: true}",
        "  sipri: {type: bool, default: true}",
        "  since: {type: date, optional: true, min: 1950}",
        "  statuses: {type: list, default: delivered, choices: [delivered, ordered, sought]}",
        "  years: {type: \"list[int]\", optional: true}",
        "  system: {type: weapon_system, help: a weapon system}",
        body="RETURN $actor, $depth, $share, $sipri, $since, $statuses, $years, $system\n",
    ),
    name="actor_neighbourhood",
)


def test_convert_fills_defaults_and_optional_nones() -> None:
    assert convert_params(TYPED, {"system": "Shahed-136"}) == {
        "actor": "North Korea",
        "depth": 2,
        "share": None,
        "sipri": True,
        "since": None,
        "statuses": ["delivered"],
        "years": None,
        "system": "Shahed-136",
    }


def test_actor_and_weapon_parameters_are_one_value_without_a_twin() -> None:
    # The name is resolved to an id when the query runs (explorer/resolve.py), so
    # conversion keeps the text as typed and adds no derived `_key` parameter.
    converted = convert_params(TYPED, {"actor": "Côte d'Ivoire", "system": "ws-shahed-136"})
    assert converted["actor"] == "Côte d'Ivoire" and converted["system"] == "ws-shahed-136"
    assert not any(name.endswith("_key") for name in converted)
    assert [p.entity_kind for p in TYPED.params if p.entity_kind] == ["actor", "weapon_system"]
    q = parse(header("title: t", "params:", "  who: {type: actor, optional: true}",
                     body="MATCH (a:Actor) WHERE $who IS NULL OR a.id = $who RETURN a"))
    assert convert_params(q, {}) == {"who": None}
    # A body may no longer use an undeclared $who_key.
    message = header_error(header("title: t", "params:", "  a: {type: actor}",
                                  body="RETURN $a, $a_key"))
    assert message.startswith(f"{WHERE}:4: the query uses $a_key but the header does not "
                              "declare it")


@pytest.mark.parametrize(
    ("name", "raw", "value"),
    [
        ("actor", " DPRK ", "DPRK"),
        ("depth", "3", 3),
        ("depth", 4, 4),
        ("depth", 3.0, 3),
        ("share", "0.25", 0.25),
        ("share", 1, 1.0),
        ("sipri", "no", False),
        ("sipri", "YES", True),
        ("sipri", "0", False),
        ("sipri", "1", True),
        ("sipri", False, False),
        ("since", "2024-03-30", "2024-03-30"),
        ("since", "2024-04", "2024-04"),
        ("since", "2024", "2024"),
        ("since", dt.date(2024, 3, 30), "2024-03-30"),
        ("since", dt.datetime(2024, 3, 30, 12, 5), "2024-03-30"),
        ("statuses", "delivered, sought", ["delivered", "sought"]),
        ("statuses", '["ordered"]', ["ordered"]),
        ("statuses", ["ordered", "sought"], ["ordered", "sought"]),
        ("years", "2022,2023", [2022, 2023]),
        ("years", "[2022, 2023]", [2022, 2023]),
        ("years", (2022,), [2022]),
        ("system", "ws-shahed-136", "ws-shahed-136"),
    ],
)
def test_convert_by_declared_type(name: str, raw: object, value: object) -> None:
    assert convert_params(TYPED, {"system": "x", name: raw})[name] == value


def test_empty_string_or_none_counts_as_not_given() -> None:
    converted = convert_params(TYPED, {"system": "x", "depth": "", "share": None, "since": " "})
    assert (converted["depth"], converted["share"], converted["since"]) == (2, None, None)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            {"depth": "three"},
            "parameter 'depth' of query 'actor_neighbourhood' must be an int, got 'three'",
        ),
        (
            {"dept": "3"},
            "query 'actor_neighbourhood' has no parameter 'dept' (did you mean 'depth'?); its "
            "parameters are actor, depth, share, sipri, since, statuses, years, system",
        ),
        ({}, "parameter 'system' of query 'actor_neighbourhood' is required "),
        (
            {"depth": "9"},
            "parameter 'depth' of query 'actor_neighbourhood' must be at most 4, got 9",
        ),
        (
            {"depth": "0"},
            "parameter 'depth' of query 'actor_neighbourhood' must be at least 1, got 0",
        ),
        ({"depth": True}, "parameter 'depth' of query 'actor_neighbourhood' must be an int"),
        ({"depth": 2.5}, "parameter 'depth' of query 'actor_neighbourhood' must be an int"),
        ({"share": "nan"}, "parameter 'share' of query 'actor_neighbourhood' must be a number"),
        ({"sipri": "maybe"}, "must be true or false (yes/no, 1/0), got 'maybe'"),
        ({"since": "2024-13-01"}, "must be a date written YYYY-MM-DD, YYYY-MM or YYYY"),
        ({"since": "30/03/2024"}, "must be a date written YYYY-MM-DD, YYYY-MM or YYYY"),
        ({"since": "1949-12-31"}, "must be at least 1950, got '1949-12-31'"),
        (
            {"statuses": "delivered,sougth"},
            "parameter 'statuses' of query 'actor_neighbourhood' must be one of delivered, "
            "ordered, sought, got 'sougth' (did you mean 'sought'?)",
        ),
        ({"years": "2022,x"}, "parameter 'years' of query 'actor_neighbourhood' must be a list"),
        ({"years": 2022}, "must be a list of ints, got 2022"),
        ({"actor": 3.5j}, "parameter 'actor' of query 'actor_neighbourhood' must be an actor"),
    ],
)
def test_conversion_errors_are_one_clear_sentence(raw: dict[str, object], message: str) -> None:
    with pytest.raises(ParameterError) as caught:
        convert_params(TYPED, {"system": "x", **raw} if "system" not in raw and raw else raw)
    assert message in str(caught.value)
    assert str(caught.value).startswith("parameter '") or str(caught.value).startswith("query '")
    assert "\n" not in str(caught.value)


def test_missing_required_names_type_and_help() -> None:
    with pytest.raises(ParameterError) as caught:
        convert_params(TYPED, {})
    assert str(caught.value) == (
        "parameter 'system' of query 'actor_neighbourhood' is required "
        "(weapon_system — a weapon system)"
    )


def test_query_without_parameters_refuses_any() -> None:
    q = parse("// title: t\nRETURN 1")
    assert convert_params(q, {}) == {}
    with pytest.raises(ParameterError, match="query 'x' takes no parameters, got 'a'"):
        convert_params(q, {"a": "1"})


def test_dynamic_choices_from_a_choices_query() -> None:
    q = parse(header("title: t", "params:", "  cat: {choices_query: RETURN 'Ships' AS value}",
                     body="RETURN $cat"))
    allowed = {"cat": ["Ships", "Aircraft"]}
    assert convert_params(q, {"cat": "Ships"}, dynamic_choices=allowed) == {"cat": "Ships"}
    assert convert_params(q, {"cat": "Anything"}) == {"cat": "Anything"}
    with pytest.raises(ParameterError, match=r"not among the listed choices, got 'Ship' \(did"):
        convert_params(q, {"cat": "Ship"}, dynamic_choices=allowed)


def test_parse_assignments_from_the_command_line() -> None:
    assert parse_assignments(["depth=3", "actor=Korea, North", "q=a=b", "e="]) == {
        "depth": "3",
        "actor": "Korea, North",
        "q": "a=b",
        "e": "",
    }
    with pytest.raises(ParameterError, match="must be written name=value"):
        parse_assignments(["depth"])


# --- the catalogue on disk -----------------------------------------------------------------


def test_queries_dir_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "one.cypher").write_text("RETURN 1 AS one\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a query", encoding="utf-8")
    monkeypatch.setenv("EXPLORER_QUERIES_DIR", str(tmp_path))
    assert default_queries_dir() == tmp_path
    assert list(load_catalogue()) == ["one"]


def test_default_queries_dir_is_the_repositorys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EXPLORER_QUERIES_DIR", raising=False)
    # In a checkout, explorer/cypher links to the top-level cypher/: the same folder.
    assert default_queries_dir().resolve() == \
        Path(__file__).resolve().parents[1] / "cypher" / "queries"


def test_missing_directory_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="set EXPLORER_QUERIES_DIR"):
        load_catalogue(tmp_path / "nowhere")


def test_catalogue_problems_lists_every_bad_file(tmp_path: Path) -> None:
    (tmp_path / "good.cypher").write_text("RETURN 1\n", encoding="utf-8")
    (tmp_path / "bad_type.cypher").write_text(
        "// title: t\n// params:\n//   a: {type: strin}\nRETURN $a\n", encoding="utf-8"
    )
    (tmp_path / "writes.cypher").write_text("CREATE (n)\n", encoding="utf-8")
    (tmp_path / "latin1.cypher").write_bytes("// title: Côte\nRETURN 1\n".encode("latin-1"))
    problems = catalogue_problems(tmp_path)
    assert len(problems) == 3
    assert problems[0].endswith(
        "bad_type.cypher:3: unknown parameter type 'strin' (did you "
        "mean 'string'?) — expected one of string, int, float, bool, "
        "date, list, list[int], list[float], actor, weapon_system"
    )
    assert problems[1].endswith("latin1.cypher: the file is not UTF-8 text")
    assert "writes.cypher:1: the query must be read-only — CREATE" in problems[2]
    with pytest.raises(QueryError, match=r"bad_type\.cypher:3"):
        load_catalogue(tmp_path)


def test_queries_module_imports_neither_streamlit_nor_the_driver() -> None:
    code = (
        "import sys, explorer.queries, explorer.query_header\n"
        "bad = [m for m in ('neo4j', 'streamlit') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_documented_example_parses() -> None:
    manual = Path(__file__).resolve().parents[1] / "docs" / "queries.md"
    fenced = manual.read_text(encoding="utf-8").split("```cypher\n")[1:]
    blocks = [block.split("```", 1)[0] for block in fenced]
    example = next(b for b in blocks if "// title: Actor neighbourhood" in b)
    q = parse_query_text(example, "actor_neighbourhood")
    assert q.param_names == ("actor", "depth", "statuses", "since")
    assert q.view.kind == "graph"
    assert convert_params(q, {"actor": "DPRK"}) == {
        "actor": "DPRK", "depth": 1, "statuses": ["delivered", "ordered", "reported"],
        "since": None}
