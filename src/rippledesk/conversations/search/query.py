"""Turns what an agent types into a safe full-text query for either database.

Only word characters reach the database: every term is rebuilt from ``\\w+`` tokens, so
operators, quotes and brackets in the input can neither break the query nor change its
meaning. Words in double quotes form a phrase; the last bare word matches as a prefix while the
agent is still typing it ("refu" finds "refund").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_TERMS = 8
MAX_WORD = 64
_PART = re.compile(r'"([^"]*)"?|([^\s"]+)')
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]
    prefix: bool = False


def parse(text: str) -> list[Term]:
    """The terms in ``text``; empty when it holds no word at all."""
    terms: list[Term] = []
    for match in _PART.finditer(text[:1000]):
        phrase, bare = match.group(1), match.group(2)
        words = tuple(
            w[:MAX_WORD].lower() for w in _WORD.findall(phrase if phrase is not None else bare)
        )
        if phrase is not None:
            if words:
                terms.append(Term(words))
        else:
            terms.extend(Term((word,)) for word in words)
    terms = terms[:MAX_TERMS]
    if terms and len(terms[-1].words) == 1 and not text.endswith((" ", '"')):
        last = terms[-1]
        bare_end = not text.rstrip().endswith('"')
        if bare_end:
            terms[-1] = Term(last.words, prefix=True)
    return terms


def fts5(terms: list[Term], *, any_term: bool = False) -> str:
    """SQLite FTS5 MATCH syntax: every term must occur (any one, with ``any_term``)."""
    joiner = " OR " if any_term else " "
    return joiner.join('"' + " ".join(t.words) + '"' + ("*" if t.prefix else "") for t in terms)


def tsquery(terms: list[Term], *, any_term: bool = False) -> str:
    """PostgreSQL ``to_tsquery`` syntax: every term must occur (any one, with ``any_term``)."""
    parts = []
    for t in terms:
        words = list(t.words)
        if t.prefix:
            words[-1] += ":*"
        parts.append("(" + " <-> ".join(words) + ")" if len(words) > 1 else words[0])
    return (" | " if any_term else " & ").join(parts)


def highlight_words(terms: list[Term]) -> list[tuple[str, bool]]:
    """(word, is_prefix) pairs for marking matches in a snippet."""
    out = []
    for t in terms:
        for i, word in enumerate(t.words):
            out.append((word, t.prefix and i == len(t.words) - 1))
    return out
