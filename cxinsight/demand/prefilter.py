"""Skip regexes that cannot match: a necessary-literal prefilter derived from each pattern.

For every pattern we work out, from Python's own regex parser, a set of literal strings such that
any match must contain at least one of them (``None`` when no such set can be proved, e.g. for
``\\w+\\d``; those patterns are always run). One scan of a text for all the literals then says which
patterns are worth running. The result is exactly what running every pattern would give, only
faster; ``tests/test_demand.py`` checks that equivalence.

Literal scan: every literal is indexed by its first two characters; a text's set of character
pairs picks the literals worth an exact ``in`` check. No regex runs until a pattern is a candidate.

>>> pf = Prefilter([re.compile(r"\\bstill (?:waiting|not)\\b"), re.compile(r"\\bmissed (?:bin|collection)")])
>>> sorted(pf.candidates("still waiting for the bin"))
[0]
"""

from __future__ import annotations

import re

try:  # Python 3.11+
    import re._constants as _c
    import re._parser as _parser
except ImportError:  # pragma: no cover
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _parser  # type: ignore[no-redef]

MIN_LITERAL = 2


def _required(items) -> set[str] | None:
    """A set of literals one of which every match of ``items`` contains, or None."""
    options: list[set[str]] = []
    run: list[str] = []

    def flush() -> None:
        if len(run) >= MIN_LITERAL:
            options.append({"".join(run)})
        run.clear()

    for op, av in items:
        if op is _c.LITERAL:
            run.append(chr(av))
            continue
        flush()
        req: set[str] | None = None
        if op is _c.SUBPATTERN:
            req = _required(av[-1])
        elif op is _c.BRANCH:
            branches = [_required(b) for b in av[1]]
            req = None if any(b is None for b in branches) else set().union(*branches)
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
            lo, _hi, sub = av
            req = _required(sub) if lo >= 1 else None
        elif op is getattr(_c, "ATOMIC_GROUP", None):
            req = _required(av)
        if req:
            options.append(req)
    flush()
    if not options:
        return None
    # The most selective option: the longest shortest literal (a two-letter literal such as "by" is
    # in most texts; lengths past 6 rarely matter), then the fewest alternatives.
    return min(options, key=lambda s: (-min(6, min(len(w) for w in s)), len(s)))


def required_literals(pattern: re.Pattern[str]) -> set[str] | None:
    """Literals one of which every match of ``pattern`` must contain (lower-case patterns only).

    >>> sorted(required_literals(re.compile(r"\\b(?:chasing|still waiting)\\b")))
    ['chasing', 'still waiting']
    >>> sorted(required_literals(re.compile(r"\\w+ed")))
    ['ed']
    >>> required_literals(re.compile(r"\\w+\\d")) is None
    True
    """
    if pattern.flags & re.IGNORECASE:
        return None
    try:
        parsed = _parser.parse(pattern.pattern, pattern.flags)
    except Exception:  # pragma: no cover - unknown constructs: never skip
        return None
    return _required(list(parsed))


class Prefilter:
    """Which of a list of patterns could match a text, from one scan for their literals."""

    def __init__(self, patterns: list[re.Pattern[str]]) -> None:
        self.always: list[int] = []
        self.by_literal: dict[str, list[int]] = {}
        for i, p in enumerate(patterns):
            lits = required_literals(p)
            if lits is None:
                self.always.append(i)
            else:
                for lit in lits:
                    self.by_literal.setdefault(lit, []).append(i)
        # Index literals by their first two characters: a text's character pairs select the few
        # literals worth an exact substring check.
        self._by_pair: dict[str, list[str]] = {}
        for lit in self.by_literal:
            self._by_pair.setdefault(lit[:2], []).append(lit)

    def candidates(self, text: str) -> set[int]:
        found = set(self.always)
        pairs = {text[i:i + 2] for i in range(len(text) - 1)}
        for pair in pairs.intersection(self._by_pair):
            for lit in self._by_pair[pair]:
                if lit in text:
                    found.update(self.by_literal[lit])
        return found
