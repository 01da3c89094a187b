"""Seed YAML: the real seeds are valid and faithful to the article; bad seeds get clear messages.

Pure tests: no database. The article and design notes under ../shared are read
here only (the product never reads them); tests needing them skip when absent.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from explorer.errors import ValidationError
from explorer.loaders.seed_bundle import NODE_PROPERTIES, RELATIONSHIPS, SeedBundle
from explorer.loaders.seeds import SEED_DIR, load_seed_bundle
from explorer.model import Actor, PartialDate, Transfer

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
ARTICLE = SHARED / "mission" / "seed-article.txt"
BAD = Path(__file__).parent / "fixtures" / "bad_seeds"
BASE = BAD / "_base"

ARTICLE_SOURCE = "src-article-north-korea-role-ukraine"


@pytest.fixture(scope="module")
def bundle() -> SeedBundle:
    return load_seed_bundle([SEED_DIR])


def problems_of(*paths: Path) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        load_seed_bundle(list(paths))
    assert caught.value.problems, "a ValidationError must list its problems"
    assert str(caught.value).startswith("the seed files have")
    return caught.value.problems


def _quotes_citing(bundle: SeedBundle, source_id: str) -> list[tuple[str, str]]:
    """(record id, quote) for every evidence entry and citation of one source."""
    found = []
    for record in (*bundle.transfers, *bundle.events):
        found += [(record.id, e.quote) for e in record.evidence if e.source == source_id]
    for record in (*bundle.actors, *bundle.places, *bundle.weapon_classes, *bundle.weapon_systems):
        found += [(record.id, c.quote) for c in record.sources if c.source == source_id and c.quote]
    return found


# --- the real seeds ---------------------------------------------------------------


def test_real_seeds_have_no_problems(bundle: SeedBundle) -> None:
    assert bundle.counts() == {
        "Source": 10,
        "Actor": 7,
        "Place": 6,
        "WeaponClass": 17,
        "WeaponSystem": 22,
        "Transfer": 15,
        "Event": 9,
    }


def test_every_article_quote_is_verbatim() -> None:
    if not ARTICLE.is_file():
        pytest.skip(f"{ARTICLE} is absent")
    article = ARTICLE.read_text(encoding="utf-8")
    quotes = _quotes_citing(load_seed_bundle([SEED_DIR]), ARTICLE_SOURCE)
    assert len(quotes) > 20
    missing = [(rid, q) for rid, q in quotes if q not in article]
    assert not missing, f"not verbatim in the article: {missing}"


@pytest.mark.parametrize(
    ("source_id", "documents"),
    [
        ("src-ref-design-notes", ["DESIGN.md"]),
        ("src-ref-sipri-export-notes", ["data/sipri/README.md", "data/sipri/*.csv"]),
    ],
)
def test_reference_quotes_are_in_their_documents(
    bundle: SeedBundle, source_id: str, documents: list[str]
) -> None:
    files = [f for pattern in documents for f in sorted(SHARED.glob(pattern))]
    if not files:
        pytest.skip(f"{documents} absent under {SHARED}")
    # The design notes wrap lines, so whitespace runs are compared as one space.
    text = " ".join(" ".join(f.read_text(encoding="utf-8").split()) for f in files)
    quotes = _quotes_citing(bundle, source_id)
    assert quotes
    missing = [(rid, q) for rid, q in quotes if " ".join(q.split()) not in text]
    assert not missing


def test_the_six_items_north_korea_seeks_from_russia(bundle: SeedBundle) -> None:
    systems = {w.id: w for w in bundle.weapon_systems}
    kirby = [
        t
        for t in bundle.transfers
        if (t.supplier, t.recipient, t.status) == ("russia", "north-korea", "sought")
        and any(e.attributed_to == "John Kirby" for e in t.evidence)
    ]
    sought = {systems[t.systems[0]].classes[0]: systems[t.systems[0]].name for t in kirby}
    assert sought == {
        "wc-fighter-aircraft": "fighter jet (from Russia)",
        "wc-surface-to-air-missile": "ground-to-air missile (from Russia)",
        "wc-armoured-vehicle": "armored vehicle (from Russia)",
        "wc-production-equipment": "ballistic missile production equipment (from Russia)",
        "wc-materials": "materials (from Russia)",
        "wc-technology": "other advanced technologies (from Russia)",
    }
    for transfer in kirby:
        (evidence,) = transfer.evidence
        assert evidence.source == ARTICLE_SOURCE
        assert evidence.quote.startswith("According to Kirby, North Korea reportedly seeks")
        assert all(systems[s].generic for s in transfer.systems)

    # The ICBM help comes from other officials via the NYT: sought, but not one of the six.
    others = {
        t.id: t.status
        for t in bundle.transfers
        if (t.supplier, t.recipient) == ("russia", "north-korea") and t not in kirby
    }
    assert others == {
        "t-ru-kp-icbm-range-accuracy-help": "sought",
        "t-ru-kp-advanced-missile-system-help": "considered",
    }


def test_december_30_strike_is_inferred_day_with_a_mapped_place(bundle: SeedBundle) -> None:
    (event,) = [e for e in bundle.events if e.date.value == "2023-12-30"]
    assert event.kind == "strike"
    assert (event.date.precision, event.date.inferred) == ("day", True)
    assert "last year" in (event.date.note or "")
    place = next(p for p in bundle.places if p.id == event.place)
    assert place.id == "pl-zaporizhzhia-region"
    assert "Zaporizhia region" in place.aliases
    assert 44 < place.lat < 53 and 22 < place.lon < 41  # inside Ukraine
    assert event.used == ["ws-kp-ballistic-missile"]


def test_only_the_invasion_date_is_printed_with_its_year(bundle: SeedBundle) -> None:
    printed = {e.id for e in bundle.events if not e.date.inferred}
    assert printed == {"ev-2022-02-24-russian-invasion-of-ukraine"}
    dates = {e.date.value for e in bundle.events}
    assert {"2024-03-30", "2024-04-02", "2024-03-29", "2024-04-04", "2024"} <= dates


def test_statuses_of_the_story(bundle: SeedBundle) -> None:
    flows = {(t.supplier, t.recipient, t.status) for t in bundle.transfers}
    assert ("north-korea", "russia", "delivered") in flows
    assert ("iran", "russia", "not_supplied") in flows
    assert ("iran", "russia", "sought") in flows
    assert ("iran", "russia", "delivered") in flows
    assert ("united-states", "ukraine", "withheld") in flows
    missiles = next(t for t in bundle.transfers if t.id == "t-kp-ru-ballistic-missiles")
    assert missiles.quantity_text == "dozens" and missiles.quantity is None
    kp_missile = next(w for w in bundle.weapon_systems if w.id == "ws-kp-ballistic-missile")
    assert kp_missile.range_km == 900 and kp_missile.generic
    assert kp_missile.classes == ["wc-ballistic-missile"]


def test_every_transfer_and_event_has_evidence(bundle: SeedBundle) -> None:
    for record in (*bundle.transfers, *bundle.events):
        assert record.evidence
        for evidence in record.evidence:
            assert evidence.quote.strip() and evidence.as_of and evidence.confidence


def test_article_cites_the_sources_it_reports(bundle: SeedBundle) -> None:
    article = next(s for s in bundle.sources if s.id == ARTICLE_SOURCE)
    assert article.author == "Man Joo Ha"
    assert article.publisher is None and article.url is None  # not printed: left empty
    kinds = {s.id: s.kind for s in bundle.sources}
    assert {kinds[c] for c in article.cites} == {"briefing", "media_report", "statement"}
    assert len(article.cites) == 5


def test_alias_index(bundle: SeedBundle) -> None:
    index = bundle.alias_index()
    for name in ("North Korea", "DPRK", "Democratic People's Republic of Korea", "north-korea"):
        assert index.actor_id(name) == "north-korea"
    assert index.actor_id("U.S.") == index.actor_id("United States") == "united-states"
    assert index.system_id("KN-23") == "ws-hwasong-11"
    assert index.system_id("Geran-2") == index.system_id("Shahed 136") == "ws-shahed-136"
    assert index.places["zaporizhia region"] == "pl-zaporizhzhia-region"
    assert index.class_for_description("surface-to-surface missile") == (
        "wc-surface-to-surface-missile"
    )
    assert index.class_for_description("one-way attack drone") == "wc-one-way-attack-drone"
    assert index.class_for_description("(armed) UAV") == "wc-armed-uav"
    assert index.class_for_description("frigate") is None


def test_class_taxonomy(bundle: SeedBundle) -> None:
    parent = {c.id: c.parent for c in bundle.weapon_classes}

    def ancestors(class_id: str) -> list[str]:
        chain = []
        while parent.get(class_id):
            class_id = parent[class_id]  # type: ignore[assignment]
            chain.append(class_id)
        return chain

    assert "wc-ballistic-missile" in ancestors("wc-short-range-ballistic-missile")
    assert "wc-ballistic-missile" in ancestors("wc-intercontinental-ballistic-missile")
    assert "wc-uav" in ancestors("wc-armed-uav")
    classes = {w.id: w.classes for w in bundle.weapon_systems}
    assert (
        classes["ws-hwasong-11"] == classes["ws-fath-360"] == ["wc-short-range-ballistic-missile"]
    )
    assert classes["ws-shahed-136"] == ["wc-one-way-attack-drone"]


# --- rows for the writer ------------------------------------------------------------


def _contract() -> dict[str, set[str]]:
    """Node label -> property names, read from docs/graph-model.md."""
    text = (REPO / "docs" / "graph-model.md").read_text(encoding="utf-8")
    contract = {}
    for line in text.splitlines():
        match = re.match(r"^\| `(\w+)` \| (.*) \|$", line)
        if match and match.group(1) in NODE_PROPERTIES:
            # Drop parenthesised explanations (they quote values in backticks too).
            props = match.group(2)
            while re.search(r"\([^()]*\)", props):
                props = re.sub(r"\([^()]*\)", "", props)
            contract[match.group(1)] = set(re.findall(r"`(\w+)`", props)) - {"id"}
    return contract


def test_node_rows_follow_the_graph_contract(bundle: SeedBundle) -> None:
    contract = _contract()
    assert set(contract) == set(NODE_PROPERTIES)
    rows = bundle.rows()
    for label, props in NODE_PROPERTIES.items():
        assert set(props) == contract[label], label
        for row in rows[label]:
            assert set(row) == {"id", "props"}
            assert set(row["props"]) == contract[label]


def test_relationship_rows_join_existing_nodes(bundle: SeedBundle) -> None:
    rows = bundle.rows()
    ids = {label: {r["id"] for r in rows[label]} for label in NODE_PROPERTIES}
    for kind, (start_label, end_label) in RELATIONSHIPS.items():
        for row in rows[kind]:
            assert row["start_label"] in start_label.split("|")
            assert row["end_label"] == end_label
            assert row["start"] in ids[row["start_label"]], (kind, row)
            assert row["end"] in ids[end_label], (kind, row)
    evidenced = {r["start"] for r in rows["EVIDENCED_BY"]}
    assert ids["Transfer"] | ids["Event"] <= evidenced
    for row in rows["EVIDENCED_BY"]:
        assert set(row["props"]) == {"quote", "as_of", "as_of_precision", "as_of_inferred",
                                     "confidence", "attributed_to", "note"}


def test_rows_are_plain_and_stable(bundle: SeedBundle) -> None:
    def plain(value: object) -> bool:
        if isinstance(value, list):
            return all(isinstance(v, str | int | float) for v in value)
        return value is None or isinstance(value, str | int | float | bool)

    rows = bundle.rows()
    for kind_rows in rows.values():
        for row in kind_rows:
            assert all(plain(v) for v in row["props"].values()), row
    assert load_seed_bundle([SEED_DIR]).rows() == rows
    event = next(r for r in rows["Event"] if r["id"] == "ev-2023-12-30-north-korean-missile-strike")
    assert event["props"]["date"] == "2023-12-30"
    assert event["props"]["date_precision"] == "day"
    assert event["props"]["date_inferred"] is True
    assert event["props"]["year"] == 2023
    actor = next(r for r in rows["Actor"] if r["id"] == "north-korea")
    assert actor["props"]["aliases_text"] == "DPRK | Democratic People's Republic of Korea"


# --- bad seeds ------------------------------------------------------------------------

# fixture -> fragments that must all appear in one problem line (after the file name).
BAD_CASES: dict[str, list[str]] = {
    "invalid-yaml.yaml": [":4:22:", "invalid YAML", "mapping values are not allowed", "quotes"],
    "top-level-is-a-list.yaml": ["top level must be a mapping of sections", "not a list"],
    "unknown-section.yaml": ["unknown section 'transfer'", "did you mean 'transfers'?"],
    "section-not-a-list.yaml": ["section 'actors' must be a list of records", "not a mapping"],
    "record-not-a-mapping.yaml": ["actor #1", "must be a mapping of fields", "'iran'"],
    "missing-field.yaml": ["transfer 't-missing-status'", "field 'status'", "required"],
    "extra-field.yaml": ["actor 'iran'", "field 'nationality'", "unknown field", "located_in"],
    "wrong-type.yaml": ["'t-quantity-words'", "field 'quantity'", "integer", "quantity_text"],
    "unknown-actor.yaml": [
        "transfer 't-kp-ru-srbm', field 'supplier': unknown actor 'Nort Korea'"
        " — did you mean 'north-korea' (North Korea)?"
    ],
    "unknown-system.yaml": [
        "'t-unknown-system'",
        "field 'systems[0]'",
        "unknown weapon system 'Hwasong-12'",
        "did you mean 'ws-hwasong-11' (Hwasong-11)?",
    ],
    "unknown-class.yaml": [
        "weapon system 'ws-fath-360'",
        "field 'classes[0]'",
        "unknown weapon class 'wc-short-range-balistic-missile'",
        "did you mean 'wc-short-range-ballistic-missile'",
    ],
    "unknown-place.yaml": ["'ev-unknown-place'", "field 'place'", "did you mean 'pl-base-city'"],
    "unknown-source.yaml": [
        "'ev-unknown-source'",
        "field 'evidence[0].source'",
        "unknown source 'src-base-articel'",
        "did you mean 'src-base-article'",
    ],
    "impossible-day.yaml": ["'ev-february-30'", "field 'date'", "2024-02 has no day 30"],
    "impossible-month.yaml": ["'ev-month-13'", "field 'date'", "no month 13"],
    "unknown-status.yaml": [
        "field 'status'",
        "'delivred' is not allowed",
        "delivered, ordered, reported, sought, considered, withheld, not_supplied",
        "did you mean 'delivered'?",
    ],
    "unknown-actor-kind.yaml": [
        "actor 'iran', field 'kind'",
        "state, organization, person, armed_group, media, unknown",
    ],
    "unknown-confidence.yaml": [
        "field 'evidence[0].confidence'",
        "'certain' is not allowed",
        "confirmed, assessed, reported, claimed",
    ],
    "injection-in-id.yaml": ["field 'id'", "is not a valid actor id", "lower-case letters"],
    "wrong-id-prefix.yaml": ["weapon system 'shahed-136', field 'id'", "must start with 'ws-'"],
    "name-too-long.yaml": ["actor 'iran', field 'name'", "299 characters", "at most 200"],
    "control-character-in-name.yaml": ["actor 'iran', field 'name'", "control character U+001B"],
    "empty-quote.yaml": ["'t-empty-quote'", "field 'evidence[0].quote'", "the quote is empty"],
    "transfer-without-evidence.yaml": [
        "transfer 't-no-evidence', field 'evidence'",
        "at least one evidence entry",
    ],
    "duplicate-key.yaml": [":5:", "record 'iran', field 'name'", "given twice", "lines 3 and 5"],
    "latitude-out-of-range.yaml": ["place 'pl-tehran', field 'lat'", "90", "95.7"],
    "class-cycle.yaml": ["field 'parent'", "cycle", "wc-missile -> wc-guided-weapon -> wc-missile"],
    "alias-of-two-actors.yaml": [
        "actor 'south-korea', field 'aliases'",
        "'DPRK' is already the name or an alias of actor 'north-korea'",
    ],
    "not-utf8.yaml": ["not UTF-8", "save the file as UTF-8"],
    "yaml-alias-bomb.yaml": ["expands to more than 1,000,000 values through aliases"],
    "yaml-alias-cycle.yaml": ["YAML alias", "contains itself"],
    "duplicate-id-across-files": [
        "b.yaml:2: actor 'iran', field 'id'",
        "duplicate actor id 'iran'",
        "a.yaml:2",
    ],
}


def test_every_bad_fixture_has_a_case() -> None:
    on_disk = {p.name for p in BAD.iterdir() if not p.name.startswith("_")}
    assert on_disk == {*BAD_CASES, "several-problems.yaml"}
    assert len(on_disk) >= 15


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_seed_is_reported_precisely(case: str) -> None:
    path = BAD / case
    problems = problems_of(BASE, path)
    assert len(problems) == 1, problems
    (problem,) = problems
    assert problem.startswith(str(path)), problem
    for fragment in BAD_CASES[case]:
        assert fragment in problem, (fragment, problem)


def test_all_problems_of_a_file_are_reported_at_once() -> None:
    problems = problems_of(BASE, BAD / "several-problems.yaml")
    joined = "\n".join(problems)
    assert len(problems) == 4, joined
    assert all("transfer 't-several-problems'" in p for p in problems)
    assert "field 'status': 'sold' is not allowed" in joined
    assert "field 'evidence[0].quote': the quote is empty" in joined
    assert "field 'evidence[0].as_of': '2024-02-31' is not a calendar date" in joined
    assert "unknown actor 'Rusia' — did you mean 'russia' (Russia)?" in joined


def test_the_base_fixture_is_itself_valid() -> None:
    assert load_seed_bundle([BASE]).counts()["Transfer"] == 1


def test_missing_path_and_empty_directory(tmp_path: Path) -> None:
    problems = problems_of(tmp_path / "nowhere", tmp_path)
    assert problems == [
        f"{tmp_path / 'nowhere'}: no such file or directory",
        f"{tmp_path}: no .yaml files in this directory",
    ]


def test_directory_loading_ignores_subdirectories(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text((BASE / "base.yaml").read_text(encoding="utf-8"))
    (tmp_path / "sipri").mkdir()
    (tmp_path / "sipri" / "broken.yaml").write_text("this: [is not loaded")
    assert load_seed_bundle([tmp_path]).counts()["Actor"] == 2


def test_deep_nesting_is_a_message_not_a_crash(tmp_path: Path) -> None:
    extra = _write(tmp_path, "actors: " + "[" * 5000 + "]" * 5000 + "\n")
    (problem,) = problems_of(extra)
    # libyaml and the pure-Python parser word it differently; both name the nesting.
    assert problem.startswith(str(extra)) and "invalid YAML" in problem
    assert "nest" in problem


def test_a_date_of_the_wrong_shape(tmp_path: Path) -> None:
    extra = _write(
        tmp_path,
        "sources:\n  - id: src-dated\n    title: Dated\n    kind: article\n    published: yes\n",
    )
    (problem,) = problems_of(BASE, extra)
    assert "source 'src-dated', field 'published': True is not a date" in problem
    assert "inferred: true" in problem


# --- strings that are fine as data --------------------------------------------------


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "extra.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_injection_looking_name_is_kept_verbatim(tmp_path: Path) -> None:
    name = "x'}) DETACH DELETE n //"
    extra = _write(tmp_path, f'actors:\n  - id: odd-name\n    name: "{name}"\n    kind: unknown\n')
    bundle = load_seed_bundle([BASE, extra])
    row = next(r for r in bundle.rows()["Actor"] if r["id"] == "odd-name")
    assert row["props"]["name"] == name


def test_mixed_script_names_are_allowed(tmp_path: Path) -> None:
    extra = _write(
        tmp_path,
        "weapon_systems:\n"
        "  - id: ws-geran-2-test\n"
        "    name: Герань-2 (Geran-2) / شاهد\u200c۱۳۶\n"
        "    category: Missiles\n",
    )
    bundle = load_seed_bundle([BASE, extra])
    names = {w.name for w in bundle.weapon_systems}
    assert "Герань-2 (Geran-2) / شاهد\u200c۱۳۶" in names


def test_a_megabyte_string_is_rejected_clearly(tmp_path: Path) -> None:
    huge = "A" * (1024 * 1024)
    extra = _write(tmp_path, f"actors:\n  - id: huge\n    name: {huge}\n    kind: state\n")
    (problem,) = problems_of(BASE, extra)
    assert "actor 'huge', field 'name': is 1,048,576 characters long; at most 200" in problem
    assert len(problem) < 300  # the value itself is never echoed


def test_bidi_override_in_a_name_is_rejected(tmp_path: Path) -> None:
    extra = _write(
        tmp_path, 'actors:\n  - id: trojan\n    name: "abc\\u202edcb"\n    kind: state\n'
    )
    (problem,) = problems_of(BASE, extra)
    assert "U+202E" in problem


def test_names_resolve_references(tmp_path: Path) -> None:
    extra = _write(
        tmp_path,
        """\
transfers:
  - id: t-by-names
    supplier: DPRK
    recipient: Russia
    systems: [KN-23]
    status: reported
    evidence:
      - source: src-base-article
        quote: Some sentence.
        as_of: {value: 2024-04, inferred: true, note: not printed}
        confidence: reported
""",
    )
    bundle = load_seed_bundle([BASE, extra])
    transfer = next(t for t in bundle.transfers if t.id == "t-by-names")
    assert (transfer.supplier, transfer.recipient, transfer.systems) == (
        "north-korea",
        "russia",
        ["ws-hwasong-11"],
    )
    assert transfer.evidence[0].as_of.precision == "month"


# --- the model directly ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "precision", "year"),
    [
        ("2024-03-30", "day", 2024),
        ("2024-04", "month", 2024),
        ("2024", "year", 2024),
        (2023, "year", 2023),
    ],
)
def test_partial_date_keeps_its_precision(value: object, precision: str, year: int) -> None:
    date = PartialDate.model_validate(value)
    assert (date.precision, date.year, date.inferred) == (precision, year, False)


@pytest.mark.parametrize(
    "value", ["2024-02-30", "2023-02-29", "2024-13", "2024-00", "24", "2024/04"]
)
def test_partial_date_rejects_impossible_dates(value: str) -> None:
    with pytest.raises(ValueError):
        PartialDate.model_validate(value)


def test_partial_date_precision_must_agree() -> None:
    with pytest.raises(ValueError, match="day precision"):
        PartialDate.model_validate({"value": "2024-03-30", "precision": "year"})
    assert PartialDate.model_validate("2024-02-29").precision == "day"  # a leap day


def test_models_are_frozen_and_closed() -> None:
    actor = Actor(id="iran", name="Iran", kind="state")
    with pytest.raises(ValueError):
        actor.name = "Persia"  # type: ignore[misc]
    with pytest.raises(ValueError, match="Extra inputs"):
        Actor.model_validate({"id": "iran", "name": "Iran", "kind": "state", "flag": "x"})
    with pytest.raises(ValueError):
        Transfer.model_validate(
            {"id": "t-x", "supplier": "a", "recipient": "b", "systems": ["s"], "status": "sought"}
        )
