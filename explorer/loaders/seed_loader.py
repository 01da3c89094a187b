"""`explorer load seeds`: validate every seed file first, then write them in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from explorer.db import Database
from explorer.loaders.seeds import SEED_DIR, SeedBundle, load_seed_bundle
from explorer.loaders.writer import Progress, WriteSummary, write_rows
from explorer.schema import apply_schema


def load_seeds(
    db: Database,
    paths: Sequence[Path | str] = (),
    progress: Progress | None = None,
) -> tuple[SeedBundle, WriteSummary]:
    """Validate (raising ValidationError with every problem), apply the schema, write."""
    bundle = load_seed_bundle(list(paths) or [SEED_DIR])
    apply_schema(db)
    summary = write_rows(db, bundle.rows(), progress=progress)
    return bundle, summary
