"""Name normalisation shared by every loader, so that "North Korea", "north korea"
and "Côte d'Ivoire" / "Cote d'Ivoire" meet on one key."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9a-z]+")


def name_key(name: str) -> str:
    """Lower-case, accent-folded, punctuation-free key for matching names and aliases.

    >>> name_key("Côte d'Ivoire")
    'cote d ivoire'
    >>> name_key("  Shahed-136 ")
    'shahed 136'
    """
    folded = unicodedata.normalize("NFKD", name)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", folded.lower()).strip()


def slug(name: str) -> str:
    """Stable id fragment: ``slug("North Korea") == "north-korea"``.

    Names with no Latin letters or digits at all fall back to a hex digest so
    the id is still stable and non-empty.
    """
    key = name_key(name).replace(" ", "-")
    if key:
        return key
    import hashlib

    return "x" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:12]
