"""`explorer doctor`: every check says ok, or what is wrong and how to fix it."""

from __future__ import annotations

import platform
import sys
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from explorer.config import cache_dir, load_settings
from explorer.errors import ExplorerError

if TYPE_CHECKING:
    from explorer.db import Database


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    # Optional checks (e.g. Java when NEO4J_URI points elsewhere) do not fail the run.
    required: bool = True

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def run_checks() -> list[Check]:
    import neo4j

    from explorer.db import Database
    from explorer.localdb.java import find_java
    from explorer.localdb.server import NEO4J_VERSION
    from explorer.schema import missing_schema

    checks = [
        Check("python", sys.version_info >= (3, 10),
              f"{platform.python_version()} ({sys.executable})"),
        Check("neo4j driver", True, neo4j.__version__),
    ]
    settings = load_settings()
    uses_local = "NEO4J_URI" not in settings.credentials_from
    try:
        java = find_java()
        checks.append(Check("java", True, f"{java.version} at {java.path} (from {java.origin})",
                            required=uses_local))
    except ExplorerError as error:
        checks.append(Check("java", False, str(error), required=uses_local))
    jars = cache_dir() / f"neo4j-{NEO4J_VERSION}" / "lib" / ".complete"
    checks.append(Check(
        "neo4j jars", jars.is_file(),
        f"cached in {jars.parent}" if jars.is_file()
        else f"not downloaded yet — 'explorer db start' fetches them into {jars.parent}",
        required=False,
    ))
    checks.append(Check("uri", True, settings.uri))
    checks.append(Check("credentials", settings.password is not None, settings.credentials_from))
    db = Database(settings)
    try:
        info = db.ping()
        checks.append(Check("server", True, f"Neo4j {info['version']} {info['edition']}"))
        missing = missing_schema(db)
        checks.append(Check(
            "schema", not missing,
            "all constraints and indexes present" if not missing
            else f"missing or made with older settings: {', '.join(sorted(missing))} — run "
                 "'explorer db init'",
        ))
        checks.append(_loads_check(db))
    except ExplorerError as error:
        checks.append(Check("server", False, str(error)))
    finally:
        db.close()
    return checks


def _loads_check(db: Database) -> Check:
    """A batched load that did not finish leaves part of a file in the graph: say so,
    with the command that completes it (docs/loading.md)."""
    from explorer.loaders.import_runs import describe_incomplete, incomplete_runs

    runs = incomplete_runs(db)
    if not runs:
        return Check("loads", True, "every load finished")
    return Check("loads", False, "; ".join(describe_incomplete(run) for run in runs))
