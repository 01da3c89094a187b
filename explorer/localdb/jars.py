"""Fetch the Neo4j server jars from Maven Central, verified against a pinned list.

The list (``neo4j-<version>-jars.txt`` beside this file) names every runtime
dependency of ``org.neo4j:neo4j`` with its SHA-256, so users need no Maven and
a tampered or truncated download is refused. Jars land in a user cache shared
by every state directory: the second start downloads nothing. A local Maven
repository (``~/.m2``) is used first when it already holds a jar.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from explorer.config import setting
from explorer.errors import LocalServerError

MAVEN_CENTRAL = "https://repo1.maven.org/maven2"


@dataclass(frozen=True)
class Jar:
    group: str
    artifact: str
    version: str
    classifier: str
    sha256: str
    size: int

    @property
    def filename(self) -> str:
        suffix = f"-{self.classifier}" if self.classifier else ""
        return f"{self.artifact}-{self.version}{suffix}.jar"

    def repo_path(self) -> str:
        return f"{self.group.replace('.', '/')}/{self.artifact}/{self.version}/{self.filename}"


def pinned_jars(version: str) -> list[Jar]:
    listing = Path(__file__).with_name(f"neo4j-{version}-jars.txt")
    jars = []
    for line in listing.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        coordinates, sha256, size = line.split()
        group, artifact, jar_version, classifier = coordinates.split(":")
        jars.append(Jar(group, artifact, jar_version, classifier, sha256, int(size)))
    return jars


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _is_valid(path: Path, jar: Jar) -> bool:
    return path.is_file() and path.stat().st_size == jar.size and _sha256(path) == jar.sha256


def ensure_jars(
    version: str,
    cache: Path,
    progress: Callable[[int, int, str], None] | None = None,
) -> Path:
    """Return the directory holding every verified jar, downloading what is missing."""
    target = cache / f"neo4j-{version}" / "lib"
    marker = target / ".complete"
    if marker.is_file():
        return target
    target.mkdir(parents=True, exist_ok=True)
    jars = pinned_jars(version)
    repository = (setting("EXPLORER_MAVEN_REPO") or MAVEN_CENTRAL).rstrip("/")
    m2 = Path.home() / ".m2" / "repository"
    for index, jar in enumerate(jars, start=1):
        if progress:
            progress(index, len(jars), jar.filename)
        destination = target / jar.filename
        if _is_valid(destination, jar):
            continue
        local_copy = m2 / jar.repo_path()
        if _is_valid(local_copy, jar):
            shutil.copyfile(local_copy, destination)
            continue
        _download(f"{repository}/{jar.repo_path()}", destination, jar)
    marker.write_text(version + "\n", encoding="utf-8")
    return target


def _download(url: str, destination: Path, jar: Jar) -> None:
    with tempfile.NamedTemporaryFile(dir=destination.parent, delete=False) as partial:
        partial_path = Path(partial.name)
        try:
            with urllib.request.urlopen(url, timeout=60) as response:
                shutil.copyfileobj(response, partial)
        except OSError as error:
            partial_path.unlink(missing_ok=True)
            raise LocalServerError(
                f"could not download {jar.filename} from {url} ({error}) — check the network "
                "or set EXPLORER_MAVEN_REPO to a Maven mirror; 'docker compose up' or NEO4J_URI "
                "are the alternatives"
            ) from error
    if _sha256(partial_path) != jar.sha256:
        partial_path.unlink(missing_ok=True)
        raise LocalServerError(
            f"{jar.filename} from {url} does not match its pinned SHA-256 — refusing to use it"
        )
    partial_path.replace(destination)
