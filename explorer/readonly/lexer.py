"""Cypher's tokens, as the server's lexer splits them: what the console's early
check (explorer/readonly/guard.py) and the saved-query loader (``$parameters`` of
a body) read.

Comments are dropped; string literals, backticked names and ``$parameters`` are
kept whole. Neo4j 5 decodes Java-style ``\\uXXXX`` escapes anywhere in a query,
so ``decode_unicode_escapes`` reads the text as the server does.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

__all__ = [
    "NAME",
    "PARAM",
    "PUNCT",
    "STRING",
    "WORD",
    "CypherLexError",
    "Token",
    "decode_unicode_escapes",
    "line_col",
    "tokenize",
]

WORD, NAME, STRING, PARAM, PUNCT = "word", "name", "string", "param", "punct"


@dataclass(frozen=True)
class Token:
    """One lexical token. ``text`` is the word, the unquoted name or string, or the
    parameter name; ``pos`` is the offset of its first character in the text."""

    kind: str
    text: str
    pos: int


class CypherLexError(Exception):
    """The text cannot be split into tokens (an unterminated string, name or comment)."""

    def __init__(self, message: str, pos: int) -> None:
        super().__init__(message)
        self.message = message
        self.pos = pos


# Cypher's identifier characters include `$` after the first character and the
# Unicode format characters; matching them keeps our words aligned with the server's.
_WORD_PART_CATEGORIES = frozenset({"Mn", "Mc", "Pc", "Cf", "Nl", "Sc"})


def _is_word_start(ch: str) -> bool:
    return ch.isalnum() or ch == "_" or unicodedata.category(ch) in {"Pc", "Cf", "Nl"}


def _is_word_part(ch: str) -> bool:
    return ch.isalnum() or ch in "_$" or unicodedata.category(ch) in _WORD_PART_CATEGORIES


def _read_backticked(text: str, start: int) -> tuple[str, int]:
    """Read a backticked name starting at ``text[start] == '`'``; a doubled backtick
    inside is one literal backtick. Returns the name and the offset after it."""
    parts: list[str] = []
    j = start + 1
    while True:
        k = text.find("`", j)
        if k < 0:
            raise CypherLexError("unterminated `backticked` name", start)
        parts.append(text[j:k])
        if text.startswith("``", k):
            parts.append("`")
            j = k + 2
            continue
        return "".join(parts), k + 1


def tokenize(text: str) -> list[Token]:
    """Split Cypher text into tokens, dropping whitespace and comments.

    Raises ``CypherLexError`` for an unterminated string, name or block comment.
    """
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif text.startswith("//", i):
            while i < n and text[i] not in "\r\n":
                i += 1
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                raise CypherLexError("unterminated /* comment", i)
            i = end + 2
        elif ch in "'\"":
            j = i + 1
            while j < n and text[j] != ch:
                # Any backslash pair stays inside the string, as in Cypher's lexer:
                # \' and \" do not close it, and \\ is one backslash.
                j += 2 if text[j] == "\\" else 1
            if j >= n:
                raise CypherLexError("unterminated string literal", i)
            tokens.append(Token(STRING, text[i + 1 : j], i))
            i = j + 1
        elif ch == "`":
            name, i_next = _read_backticked(text, i)
            tokens.append(Token(NAME, name, i))
            i = i_next
        elif ch == "$" and i + 1 < n and text[i + 1] == "`":
            name, i_next = _read_backticked(text, i + 1)
            tokens.append(Token(PARAM, name, i))
            i = i_next
        elif ch == "$" and i + 1 < n and _is_word_part(text[i + 1]) and text[i + 1] != "$":
            j = i + 1
            while j < n and _is_word_part(text[j]):
                j += 1
            tokens.append(Token(PARAM, text[i + 1 : j], i))
            i = j
        elif _is_word_start(ch):
            j = i + 1
            while j < n and _is_word_part(text[j]):
                j += 1
            tokens.append(Token(WORD, text[i:j], i))
            i = j
        else:
            tokens.append(Token(PUNCT, ch, i))
            i += 1
    return tokens


def decode_unicode_escapes(text: str) -> str:
    """Decode ``\\uXXXX`` escapes the way Java (and Neo4j 5's parser) reads source:
    anywhere in the text, when the backslash is not itself escaped by an odd run of
    backslashes, with one or more ``u``s followed by exactly four hex digits."""
    out: list[str] = []
    i, n = 0, len(text)
    backslashes = 0
    while i < n:
        ch = text[i]
        if ch == "\\" and backslashes % 2 == 0 and i + 1 < n and text[i + 1] == "u":
            j = i + 1
            while j < n and text[j] == "u":
                j += 1
            digits = text[j : j + 4]
            if len(digits) == 4 and all(c in "0123456789abcdefABCDEF" for c in digits):
                out.append(chr(int(digits, 16)))
                i = j + 4
                # A decoded backslash never starts another escape.
                backslashes = 0
                continue
        backslashes = backslashes + 1 if ch == "\\" else 0
        out.append(ch)
        i += 1
    return "".join(out)




def line_col(text: str, pos: int) -> tuple[int, int]:
    """1-based (line, column) of offset ``pos`` in ``text``."""
    line = text.count("\n", 0, pos) + 1
    start = text.rfind("\n", 0, pos) + 1
    return line, pos - start + 1
