"""The library's shape: no circle of imports inside cxinsight (a module importing, at any depth and
even inside a function, a module that imports it back)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "cxinsight"


def import_graph() -> dict[str, set[str]]:
    """Module -> the cxinsight modules it imports. ``from cxinsight.x import y`` depends on
    ``cxinsight.x.y`` when that is a module (a submodule), else on ``cxinsight.x``."""
    modules = {}
    for f in PACKAGE.rglob("*.py"):
        parts = f.relative_to(PACKAGE.parent).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = f
    graph = {m: set() for m in modules}
    for name, f in modules.items():
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("cxinsight"):
                subs = {f"{node.module}.{a.name}" for a in node.names} & modules.keys()
                targets = subs if len(subs) == len(node.names) else subs | {node.module}
            elif isinstance(node, ast.Import):
                targets = {a.name for a in node.names if a.name.startswith("cxinsight")}
            else:
                continue
            graph[name] |= {t for t in targets if t in modules and t != name}
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, found, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_checker_finds_a_circle():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_no_circle_of_imports_inside_cxinsight():
    graph = import_graph()
    assert {"cxinsight.demand", "cxinsight.demand.signals", "cxinsight.demand.learn"} <= graph.keys()
    assert circles(graph) == []


def test_no_notebook_reads_the_tests_or_the_demos_answer_key():
    """Notebooks run on any council's data (issue 27): checks against the demo's planted truth live in
    the tests (tests/test_demand.py, tests/test_exclusion_customers.py), and what the classifier's
    corpus shows ships with the classifier (cxinsight/demand/reliability.json)."""
    import nbformat

    for path in sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb")):
        code = "\n".join(c.source for c in nbformat.read(path, 4).cells if c.cell_type == "code")
        for needle in ('"tests"', "'tests'", "answer_key", "_truth.parquet", "planted"):
            assert needle not in code, f"{path.name} reads {needle}"
        # nor runs a stage: the pipeline, the analysis and the demo are built by the library
        for builder in ("build_processed", "build_analysis", "generate_demo", "build_history", "build_reports"):
            assert builder not in code, f"{path.name} calls {builder}"
