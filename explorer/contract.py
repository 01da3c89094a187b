"""The graph contract in code: the labels, relationship types and transfer statuses
that docs/graph-model.md describes, defined once.

The writer, the seed models, the drawing, the charts and the pages import these
names instead of spelling them out, so adding a status is one edit here (plus its
style in ``explorer.graph`` and a line in the docs — ``tests/test_contract.py``
checks both). Pure constants: importing this module costs nothing.
"""

from __future__ import annotations

NODE_LABELS: tuple[str, ...] = (
    "Source", "Place", "Actor", "WeaponClass", "WeaponSystem", "Transfer", "Event",
)  # fmt: skip
"""The labels of facts, in the order a loader writes them (what edges point at first)."""

LABEL_PRIORITY: tuple[str, ...] = (
    "Actor", "Transfer", "WeaponSystem", "WeaponClass", "Event", "Place", "Source",
)  # fmt: skip
"""Which label names a node that carries several."""

BOOKKEEPING_LABELS: tuple[str, ...] = ("ImportRun", "SavedQuery", "SavedView")
"""Labels of nodes that are not facts about the world: how the graph was loaded
(``ImportRun``) and the team's saved queries and views (``explorer.saved``)."""

KEY_PROPERTIES: dict[str, str] = {"SavedQuery": "name", "SavedView": "name"}
"""The unique key of labels not keyed by ``id`` (a saved item is known by its name)."""

RELATIONSHIP_TYPES: tuple[str, ...] = (
    "CITES", "LOCATED_IN", "SUBCLASS_OF", "IS_A", "SUPPLIED", "TO", "OF",
    "CONDUCTED", "TARGETED", "USED", "AT", "EVIDENCED_BY",
)  # fmt: skip
"""Relationship types the loaders write (``TRANSFERS_TO`` is derived from them)."""

DERIVED_RELATIONSHIP_TYPES: tuple[str, ...] = ("TRANSFERS_TO",)

PARALLEL_KEYS: dict[str, str] = {"EVIDENCED_BY": "quote"}
"""Relationships that may run in parallel between the same two nodes, told apart by a key."""

TRANSFER_STATUSES: tuple[str, ...] = (
    "delivered", "ordered", "reported", "sought", "considered", "withheld", "not_supplied",
)  # fmt: skip
"""Every status a Transfer may have, in the order results and legends show them:
from handed over, through wanted, to held back or refused."""

TRANSFER_ORIGINS: tuple[str, ...] = ("seed", "sipri")
