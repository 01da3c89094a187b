"""`explorer load seeds`: validate every seed file first, then write them in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from explorer.db import Database
from explorer.errors import QueryTooLarge, ValidationError
from explorer.loaders.seed_bundle import SeedBundle
from explorer.loaders.seeds import SEED_DIR, load_seed_bundle
from explorer.loaders.writer import Progress, WriteSummary, write_rows
from explorer.schema import apply_schema, missing_schema


def load_seeds(
    db: Database,
    paths: Sequence[Path | str] = (),
    progress: Progress | None = None,
) -> tuple[SeedBundle, WriteSummary]:
    """Validate (raising ValidationError with every problem), apply the schema, write."""
    bundle = load_seed_bundle(list(paths) or [SEED_DIR])
    if missing_schema(db):
        apply_schema(db)
    rows = bundle.rows()
    try:
        summary = write_rows(db, rows, progress=progress)
    except QueryTooLarge as error:
        if "memory" not in str(error):
            raise
        total = sum(len(r) for r in rows.values())
        # Seeds load atomically (all or nothing), so they cannot be split into batches.
        raise ValidationError(
            f"the seed files hold {total:,} rows, more than one transaction may hold on this "
            "server; nothing was written — curated seeds are meant to be small (put bulk "
            "data in a SIPRI-format file, which loads in batches), or give the server a "
            "bigger per-transaction limit: explorer db start --transaction-memory-mb 1024"
        ) from None
    return bundle, summary
