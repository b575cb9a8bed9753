"""Skip regexes that cannot match: a necessary-literal prefilter derived from each pattern.

For every pattern we work out, from Python's own regex parser, a set of literal strings such that
any match must contain at least one of them (``None`` when no such set can be proved, e.g. for
``\\w+\\d``; those patterns are always run). One scan of a text for all the literals then says which
patterns are worth running. The result is exactly what running every pattern would give, only
faster; ``tests/test_demand.py`` checks that equivalence.

Literal scan: one pass of an Aho-Corasick automaton (``pyahocorasick``, in C) over the text finds
every literal it holds, overlapping ones too, so a pattern is a candidate exactly when one of its
literals is ``in`` the text. No regex runs until a pattern is a candidate.

>>> pf = Prefilter([re.compile(r"\\bstill (?:waiting|not)\\b"), re.compile(r"\\bmissed (?:bin|collection)")])
>>> sorted(pf.candidates("still waiting for the bin"))
[0]
"""

from __future__ import annotations

import re
from functools import lru_cache

import ahocorasick

try:  # Python 3.11+
    import re._constants as _c
    import re._parser as _parser
except ImportError:  # pragma: no cover
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _parser  # type: ignore[no-redef]

MIN_LITERAL = 2


def _required(items) -> set[str] | None:
    """A set of literals one of which every match of ``items`` contains, or None."""
    options = _options(items)
    return _pick(options) if options else None


def _pick(options) -> set[str]:
    """The most selective option: the longest shortest literal (a two-letter literal such as "by" is
    in most texts; lengths past 6 rarely matter), then the fewest alternatives."""
    return set(min(options, key=lambda s: (-min(6, min(len(w) for w in s)), len(s))))


def _options(items) -> list[set[str]]:
    """Sets of literals that every match of ``items`` meets, each of them: one literal of every set."""
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
    return options


def required_literals(pattern: re.Pattern[str]) -> set[str] | None:
    """Literals one of which every match of ``pattern`` must contain (lower-case patterns only).

    >>> sorted(required_literals(re.compile(r"\\b(?:chasing|still waiting)\\b")))
    ['chasing', 'still waiting']
    >>> sorted(required_literals(re.compile(r"\\w+ed")))
    ['ed']
    >>> required_literals(re.compile(r"\\w+\\d")) is None
    True
    """
    options = _top_options(pattern.pattern, pattern.flags)
    return _pick(options) if options else None


@lru_cache(maxsize=4096)
def _top_options(source: str, flags: int) -> tuple[set[str], ...] | None:
    """:func:`_options` of a whole pattern, parsed once (parsing is the slow part of an engine's set-up)."""
    if flags & re.IGNORECASE:
        return None
    try:
        parsed = _parser.parse(source, flags)
    except Exception:  # pragma: no cover - unknown constructs: never skip
        return None
    return tuple(_options(list(parsed)))


#: A flag group that turns on ignoring case part way through a pattern: ``(?i:...)``, ``(?ix)``.
_SCOPED_IGNORECASE = re.compile(r"\(\?[a-zA-Z-]*i[a-zA-Z-]*[:)]")


def required_options(pattern: re.Pattern[str]) -> list[set[str]] | None:
    """Every set of literals a match of ``pattern`` must meet (one literal of each set), or None.

    >>> [sorted(o) for o in required_options(re.compile(r"\\bmissed (?:bin|collection).{0,20}\\bagain"))]
    [['missed '], ['bin', 'collection'], ['again']]
    """
    key = required_literals(pattern)
    if key is None:
        return None
    if _SCOPED_IGNORECASE.search(pattern.pattern):  # literals read case by case there: the key alone
        return [key]
    return [key] + [set(o) for o in _top_options(pattern.pattern, pattern.flags) if o != key]


class Prefilter:
    """Which of a list of patterns could match a text, from one scan for their literals.

    A pattern is a candidate when the text holds a literal of its most selective set
    (:func:`required_literals`); with ``every_option=True``, only when it also holds one of each of
    its other sets (:func:`required_options`): fewer candidates, still never a pattern that could
    match left out. Use that only where every pattern is tried on the same text (not where one
    pattern's replacement is the next one's input, as shorthand expansions are).
    """

    def __init__(self, patterns: list[re.Pattern[str]], every_option: bool = False) -> None:
        self.always: list[int] = []
        self.by_literal: dict[str, list[int]] = {}
        #: per pattern, the further sets of literals it needs (with every_option)
        self.also: dict[int, tuple[frozenset[str], ...]] = {}
        literals: set[str] = set()
        for i, p in enumerate(patterns):
            lits = required_literals(p)
            if lits is None:
                self.always.append(i)
                continue
            for lit in lits:
                self.by_literal.setdefault(lit, []).append(i)
            literals |= lits
            if every_option:
                more = tuple(frozenset(o) for o in (required_options(p) or [])[1:])
                if more:
                    self.also[i] = more
                    literals.update(*more)
        # One automaton for every literal, in C: a text's literals, overlapping ones too, in one pass.
        self._automaton: ahocorasick.Automaton | None = None
        if literals:
            self._automaton = ahocorasick.Automaton()
            for lit in literals:
                self._automaton.add_word(lit, lit)
            self._automaton.make_automaton()

    def candidates(self, text: str) -> set[int]:
        found = set(self.always)
        if self._automaton is None:
            return found
        present = {lit for _, lit in self._automaton.iter(text)}
        by_literal = self.by_literal
        for lit in present:
            indices = by_literal.get(lit)
            if indices is not None:
                found.update(indices)
        also = self.also
        if also:
            found = {i for i in found if i not in also or all(not o.isdisjoint(present) for o in also[i])}
        return found
