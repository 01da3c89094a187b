"""The graph contract (explorer.contract) agrees with the schema, the docs, the
drawing and the saved queries: adding a label or a status without the rest fails
here, with what is missing."""

from __future__ import annotations

import re

from explorer.contract import (
    BOOKKEEPING_LABELS,
    DERIVED_RELATIONSHIP_TYPES,
    KEY_PROPERTIES,
    NODE_LABELS,
    RELATIONSHIP_TYPES,
    TRANSFER_STATUSES,
)
from explorer.graph import STATUS_STYLES
from explorer.queries import load_catalogue
from explorer.schema import schema_statements
from tests.conftest import REPO

GRAPH_MODEL = (REPO / "docs" / "graph-model.md").read_text(encoding="utf-8")


def test_every_label_has_a_uniqueness_constraint_on_its_key() -> None:
    constrained = {
        (match.group(1), match.group(2))
        for statement in schema_statements()
        if (match := re.search(r"FOR \(n:(\w+)\) REQUIRE n\.(\w+) IS UNIQUE", statement))
    }
    assert constrained == {(label, KEY_PROPERTIES.get(label, "id"))
                           for label in (*NODE_LABELS, *BOOKKEEPING_LABELS)}


def test_the_graph_model_page_documents_every_label_type_and_status() -> None:
    missing = [name for name in (*NODE_LABELS, *BOOKKEEPING_LABELS)
               if f"| `{name}` |" not in GRAPH_MODEL]
    missing += [name for name in (*RELATIONSHIP_TYPES, *DERIVED_RELATIONSHIP_TYPES)
                if f":{name}]" not in GRAPH_MODEL]
    statuses = re.search(r"`status` \(([^)]*)\)", GRAPH_MODEL)
    assert statuses, "docs/graph-model.md no longer lists the Transfer statuses"
    documented = [s.strip() for s in statuses.group(1).split(",")]
    missing += [status for status in TRANSFER_STATUSES if status not in documented]
    assert not missing, f"docs/graph-model.md does not document: {missing}"
    assert set(documented) == set(TRANSFER_STATUSES)


def test_every_status_has_a_style_in_the_drawing_and_legend() -> None:
    assert list(STATUS_STYLES) == list(TRANSFER_STATUSES)


def test_saved_query_status_choices_are_statuses_of_the_contract() -> None:
    offered = {
        (name, param.name): set(param.choices)
        for name, query in load_catalogue().items()
        for param in query.params
        if param.name in {"status", "statuses"} and param.choices
    }
    assert offered, "no saved query offers statuses: the test reads the wrong thing"
    unknown = {key: sorted(choices - set(TRANSFER_STATUSES))
               for key, choices in offered.items() if choices - set(TRANSFER_STATUSES)}
    assert not unknown, f"saved queries offer statuses the contract does not have: {unknown}"
