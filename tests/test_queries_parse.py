"""The saved-query format: header parsing, parameter agreement, conversion. No database."""

from __future__ import annotations

import dataclasses
import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

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
    assert q.body_line == 16
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


# --- the header syntax -------------------------------------------------------------------


def test_minimal_header_and_defaults() -> None:
    q = parse("// title: Everything\nMATCH (n) RETURN n LIMIT 5\n")
    assert q.title == "Everything"
    assert q.description == "" and q.params == () and q.tags == ()
    assert q.view == View("table", (("columns", None),))
    assert q.body_line == 2


def test_param_line_forms() -> None:
    q = parse(
        "// title: t\n"
        "// param: a\n"
        "// param: b (int)\n"
        "// param: c (float) = 2.5\n"
        "// param: d (bool) = yes -- double-hyphen help\n"
        '// param: e (string) = "A — B" — the default keeps its dash\n'
        "// param: f (list[int]) = [1, 2]\n"
        "// param: g (weapon_system, optional)\n"
        "// param: h (integer) = -3 – en dash help\n"
        "// param: i (date)\n"
        "//   optional: true\n"
        "//   default: 2024-03-30\n"
        "//   help: a longer help text\n"
        "RETURN $a, $b, $c, $d, $e, $f, $g, $h, $i\n"
    )
    by_name = {p.name: p for p in q.params}
    assert by_name["a"] == Param("a", "string")
    assert by_name["b"].required
    assert by_name["c"].default == 2.5
    assert (by_name["d"].default, by_name["d"].help) == (True, "double-hyphen help")
    assert (by_name["e"].default, by_name["e"].help) == ("A — B", "the default keeps its dash")
    assert by_name["f"].default == (1, 2) and by_name["f"].item_type == "int"
    assert by_name["g"].optional and by_name["g"].type == "weapon_system"
    assert (by_name["h"].type, by_name["h"].default, by_name["h"].help) == (
        "int",
        -3,
        "en dash help",
    )
    assert (by_name["i"].default, by_name["i"].help) == ("2024-03-30", "a longer help text")
    assert by_name["f"].signature == "f (list[int], default [1, 2])"
    assert by_name["d"].signature == "d (bool, default true)"
    assert by_name["e"].signature == 'e (string, default "A — B")'
    assert by_name["g"].signature == "g (weapon_system, optional)"
    assert by_name["b"].signature == "b (int, required)"


def test_deeper_indent_continues_an_attribute_and_tags_span_lines() -> None:
    q = parse(
        "// title: A long\n"
        "//   title\n"
        "// param: kind (string, optional)\n"
        "//   choices_query: MATCH (e:Event)\n"
        "//     RETURN DISTINCT e.kind AS value\n"
        "// view: map\n"
        "//   label: name\n"
        "// tags: a, B\n"
        "//   c\n"
        "RETURN $kind\n"
    )
    assert q.title == "A long title"
    assert q.params[0].choices_query == "MATCH (e:Event) RETURN DISTINCT e.kind AS value"
    assert q.view.as_dict() == {
        "lat": "lat",
        "lon": "lon",
        "label": "name",
        "size": None,
        "color": None,
    }
    assert q.tags == ("a", "b", "c")


def test_free_comments_after_the_header_stay_in_the_body() -> None:
    q = parse("// title: t\n\n// TODO: a note for maintainers\nMATCH (n) RETURN n\n")
    assert q.cypher == "// TODO: a note for maintainers\nMATCH (n) RETURN n"
    assert q.body_line == 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "// title: t\n// param: a (strin)\nRETURN $a",
            f"{WHERE}:2: unknown parameter type 'strin' (did you mean 'string'?) — expected "
            "one of string, int, float, bool, date, list, list[int], list[float], actor, "
            "weapon_system",
        ),
        ("// titel: t\nRETURN 1", f"{WHERE}:1: unknown header key 'titel' (did you mean 'title'?)"),
        ("// title: t\n// a free comment\nRETURN 1", f"{WHERE}:2: expected 'key: value'"),
        ("// title: t\n// title: u\nRETURN 1", f"{WHERE}:2: 'title' is declared twice"),
        ("// title:\nRETURN 1", f"{WHERE}:1: the title is empty"),
        ("//   min: 1\nRETURN 1", f"{WHERE}:1: an indented line must follow"),
        ("// title: t\n// param: 1a\nRETURN 1", f"{WHERE}:2: expected 'param: name (type)"),
        ("// title: t\n// param: a (int) =\nRETURN $a", f"{WHERE}:2: parameter 'a' has '='"),
        ("// title: t\n// param: a (int) = x\nRETURN $a", f"{WHERE}:2: default 'x' of parameter"),
        ("// title: t\n// param: a (int) 3\nRETURN $a", f"{WHERE}:2: unexpected '3' after"),
        ("// title: t\n// param: a (int, maybe)\nRETURN $a", f"{WHERE}:2: unknown flag 'maybe'"),
        (
            "// title: t\n// param: a (int)\n//   mni: 1\nRETURN $a",
            f"{WHERE}:3: unknown parameter attribute 'mni' (did you mean 'min'?)",
        ),
        (
            "// title: t\n// param: a (string)\n//   min: 1\nRETURN $a",
            f"{WHERE}:3: min applies to int, float and date parameters, not string",
        ),
        (
            "// title: t\n// param: a (int) = 9\n//   max: 4\nRETURN $a",
            f"{WHERE}:2: the default of 'a' must be at most 4, got 9",
        ),
        (
            "// title: t\n// param: a (int)\n//   min: 5\n//   max: 4\nRETURN $a",
            f"{WHERE}:2: min of 'a' is greater than its max",
        ),
        (
            "// title: t\n// param: a = z\n//   choices: x, y\nRETURN $a",
            f"{WHERE}:2: the default of 'a' must be one of x, y, got 'z'",
        ),
        (
            "// title: t\n// param: a (int)\n//   choices: 1, two\nRETURN $a",
            f"{WHERE}:3: choice 'two' of parameter 'a' is not an int",
        ),
        (
            "// title: t\n// param: a\n//   choices: x\n//   choices_query: RETURN 1 AS value\n"
            "RETURN $a",
            f"{WHERE}:4: 'a' has both choices and choices_query",
        ),
        (
            "// title: t\n// param: a\n//   choices_query: MATCH (n) WHERE n.x = $b RETURN n\n"
            "RETURN $a",
            f"{WHERE}:3: choices_query of 'a' uses $b",
        ),
        (
            "// title: t\n// param: a\n//   optional: perhaps\nRETURN $a",
            f"{WHERE}:3: optional must be true or false",
        ),
        ("// title: t\n// param: a\n// param: a\nRETURN $a", f"{WHERE}:3: parameter 'a' is "),
        (
            "// title: t\n// view: pie\nRETURN 1",
            f"{WHERE}:2: unknown view 'pie' — expected one of table, graph, bar, line, map, "
            "timeline",
        ),
        (
            "// title: t\n// view: bar\n//   x: a\nRETURN 1",
            f"{WHERE}:2: view 'bar' needs option 'y'",
        ),
        (
            "// title: t\n// view: line\n//   x: a\n//   y: b\n//   colour: c\nRETURN 1",
            f"{WHERE}:5: unknown option 'colour' (did you mean 'color'?) for view 'line'",
        ),
        ("// title: t\n// view: graph\n//   x: a\nRETURN 1", "its options are: none"),
        ("// title: t\n", f"{WHERE}: the file has no Cypher statement"),
        ("// title: t\n\n// only a comment\n", f"{WHERE}: the file has no Cypher statement"),
        ("", f"{WHERE}: the file has no Cypher statement"),
        ("// title: t\nRETURN 'open", f"{WHERE}:2: unterminated string literal"),
        ("// title: t\nRETURN $0", f"{WHERE}:2: positional parameter $0 is not supported"),
    ],
)
def test_malformed_header_names_file_and_line(text: str, expected: str) -> None:
    message = header_error(text)
    assert message.startswith(expected) or expected in message
    assert "\n" not in message


def test_header_and_body_parameters_must_agree_both_ways() -> None:
    message = header_error("// title: t\n// param: actor (actor)\nMATCH (n)\nRETURN $actr")
    assert message == (f"{WHERE}:2: parameter 'actor' is declared but the query never uses $actor")
    message = header_error("// title: t\n// param: a\n\nMATCH (n)\nWHERE n.x = $a\nRETURN $depht")
    assert message == (
        f"{WHERE}:6: the query uses $depht but the header does not declare it "
        "— add '// param: depht (string)' to the header"
    )
    # A header without params does not silently declare the body's ones.
    assert header_error("// title: t\nRETURN $a").startswith(f"{WHERE}:2: the query uses $a")


def test_saved_query_that_writes_is_refused_with_its_line() -> None:
    with pytest.raises(ReadOnlyViolation) as caught:
        parse("// title: t\n\nMATCH (n)\nSET n.x = 1\nRETURN n")
    assert str(caught.value) == (
        f"{WHERE}:4: the query must be read-only — SET writes to the database"
    )
    with pytest.raises(ReadOnlyViolation, match="the choices_query must be read-only"):
        parse(
            "// title: t\n// param: a\n//   choices_query: CREATE (n) RETURN 1 AS value\nRETURN $a"
        )


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
    "// title: t\n"
    "// param: actor (actor) = North Korea\n"
    "// param: depth (int) = 2\n"
    "//   min: 1\n"
    "//   max: 4\n"
    "// param: share (float, optional)\n"
    "// param: sipri (bool) = true\n"
    "// param: since (date, optional)\n"
    "//   min: 1950\n"
    "// param: statuses (list) = delivered\n"
    "//   choices: [delivered, ordered, sought]\n"
    "// param: years (list[int], optional)\n"
    "// param: system (weapon_system) — a weapon system\n"
    "RETURN $actor, $depth, $share, $sipri, $since, $statuses, $years, $system\n",
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
    q = parse("// title: t\n// param: who (actor, optional)\n"
              "MATCH (a:Actor) WHERE $who IS NULL OR a.id = $who RETURN a")
    assert convert_params(q, {}) == {"who": None}
    # A body may no longer use an undeclared $who_key.
    message = header_error("// title: t\n// param: a (actor)\nRETURN $a, $a_key")
    assert message.startswith(f"{WHERE}:3: the query uses $a_key but the header does not "
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
    q = parse(
        "// title: t\n// param: cat\n//   choices_query: RETURN 'Ships' AS value\nRETURN $cat"
    )
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
        "// title: t\n// param: a (strin)\nRETURN $a\n", encoding="utf-8"
    )
    (tmp_path / "writes.cypher").write_text("CREATE (n)\n", encoding="utf-8")
    (tmp_path / "latin1.cypher").write_bytes("// title: Côte\nRETURN 1\n".encode("latin-1"))
    problems = catalogue_problems(tmp_path)
    assert len(problems) == 3
    assert problems[0].endswith(
        "bad_type.cypher:2: unknown parameter type 'strin' (did you "
        "mean 'string'?) — expected one of string, int, float, bool, "
        "date, list, list[int], list[float], actor, weapon_system"
    )
    assert problems[1].endswith("latin1.cypher: the file is not UTF-8 text")
    assert "writes.cypher:1: the query must be read-only — CREATE" in problems[2]
    with pytest.raises(QueryError, match=r"bad_type\.cypher:2"):
        load_catalogue(tmp_path)


def test_queries_module_imports_neither_streamlit_nor_the_driver() -> None:
    code = (
        "import sys, explorer.queries\n"
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
