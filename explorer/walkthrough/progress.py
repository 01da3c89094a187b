"""An analyst's walkthrough progress: which steps are solved, shown or skipped,
encoded compactly for the page address and the cookie."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from explorer.walkthrough.steps import Step

# --------------------------------------------------------------------------- progress

SOLVED, SHOWN, SKIPPED = "solved", "shown", "skipped"
_MARKS = {SOLVED: "s", SHOWN: "h", SKIPPED: "k"}
_STATES = {mark: state for state, mark in _MARKS.items()}
SYMBOLS = {SOLVED: "✓", SHOWN: "👁", SKIPPED: "↷", None: "·"}


def encode_progress(progress: Mapping[str, str], steps: Sequence[Step]) -> str:
    """``shape:s,find-actor:h``: each step with a state, in step order (s solved,
    h shown, k skipped) — short enough for the address bar and a cookie."""
    return ",".join(f"{s.id}:{_MARKS[progress[s.id]]}" for s in steps
                    if progress.get(s.id) in _MARKS)


def decode_progress(text: str | None, steps: Sequence[Step]) -> dict[str, str]:
    """The states in ``text``; pairs naming no step of this walkthrough (a step since
    renamed) or no known state are left out."""
    ids = {s.id for s in steps}
    out: dict[str, str] = {}
    for part in (text or "").split(","):
        step_id, _, mark = part.strip().partition(":")
        if step_id in ids and mark in _STATES:
            out[step_id] = _STATES[mark]
    return out


def record(progress: Mapping[str, str], step_id: str, state: str) -> dict[str, str]:
    """``progress`` after ``state`` happened to a step. Solved stays solved; a step
    whose answer was shown stays shown even when answered afterwards; a skipped step
    can still be solved or shown."""
    out = dict(progress)
    if out.get(step_id) not in (SOLVED, SHOWN):
        out[step_id] = state
    return out


def first_open(progress: Mapping[str, str], steps: Sequence[Step]) -> int:
    """The number of the first step not yet solved, shown or skipped;
    ``len(steps) + 1`` (the closing page) when none is left."""
    for number, step in enumerate(steps, start=1):
        if step.id not in progress:
            return number
    return len(steps) + 1


def tally(progress: Mapping[str, str]) -> dict[str, int]:
    return {state: sum(1 for v in progress.values() if v == state)
            for state in (SOLVED, SHOWN, SKIPPED)}


