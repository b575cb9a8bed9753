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


# ---- stages and datasets (issue 27) ----------------------------------------------------------------

WRITE_ATTRS = {"to_parquet", "to_csv", "write_text", "write_bytes", "to_excel", "to_json", "write_table",
               "write_dataset", "to_feather"}


def _writes(call: ast.Call) -> bool:
    f = call.func
    if isinstance(f, ast.Attribute) and f.attr in WRITE_ATTRS:
        return True
    if isinstance(f, ast.Attribute) and f.attr == "dump" and isinstance(f.value, ast.Name) and f.value.id == "json":
        return True
    opener = (isinstance(f, ast.Name) and f.id == "open") or (isinstance(f, ast.Attribute) and f.attr == "fdopen")
    mode = call.args[1] if opener and len(call.args) > 1 else None  # open(p, "w"), os.fdopen(fd, "w")
    return isinstance(mode, ast.Constant) and any(c in str(mode.value) for c in "wax")


def writing_functions(package: Path = PACKAGE) -> dict[str, int]:
    """Every function in ``package`` that writes a file itself (dotted name -> how many write calls;
    a write inside a nested function or lambda's own def counts for the innermost def)."""
    found: dict[str, int] = {}
    for f in package.rglob("*.py"):
        parts = f.relative_to(package.parent).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)

        def visit(node, prefix):
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                    name = f"{prefix}.{child.name}"
                    inner = {id(n) for sub in ast.walk(child) if sub is not child
                             and isinstance(sub, ast.FunctionDef | ast.AsyncFunctionDef) for n in ast.walk(sub)}
                    own = [n for n in ast.walk(child) if isinstance(n, ast.Call) and id(n) not in inner and _writes(n)]
                    if own:
                        found[name] = len(own)
                    visit(child, name)
                elif isinstance(child, ast.ClassDef):
                    visit(child, f"{prefix}.{child.name}")

        visit(ast.parse(f.read_text(encoding="utf-8")), module)
    return found


def test_the_writer_scan_sees_writes_and_only_writes(tmp_path):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "m.py").write_text("import json\n"
                              "def a(f, p):\n    f.to_parquet(p)\n"
                              "def b(p):\n    return p.read_text()\n"
                              "class C:\n    def save(self, p):\n        json.dump({}, open(p, 'w'))\n"
                              "def d(p):\n    def inner():\n        p.write_text('x')\n    return inner\n")
    assert writing_functions(pkg) == {"pkg.m.a": 1, "pkg.m.C.save": 2, "pkg.m.d.inner": 1}


def test_every_stored_dataset_has_exactly_one_writing_function():
    """The catalog names each dataset's one writer; every function that writes a file is a catalogued
    writer or one of the catalog's other writers (the demo generator, `cxinsight init`), and every
    catalogued writer does write. Two datasets may share a writer (a stage writing its folder); no
    dataset has two."""
    from cxinsight import catalog

    writers = writing_functions()
    catalogued = {d.writer for d in catalog.DATASETS if d.writer}
    assert catalogued <= writers.keys(), sorted(catalogued - writers.keys())
    unknown = sorted(set(writers) - catalogued - set(catalog.OTHER_WRITERS))
    assert not unknown, f"functions writing files that the catalog does not name: {unknown}"
    assert set(catalog.OTHER_WRITERS) <= writers.keys(), sorted(set(catalog.OTHER_WRITERS) - writers.keys())
    names = [(d.layer, d.file) for d in catalog.DATASETS]
    assert len(names) == len(set(names)), "a dataset is listed twice"
    assert {d.layer for d in catalog.DATASETS} <= set(catalog.LAYERS)


STAGE_BUILDERS = ("build_processed", "build_analysis", "load_analysis", "build_figures", "build_reports",
                  "build_history", "generate_demo", "page_figures", "analyse_apart", "process_apart", "figures_apart")


def test_no_notebook_calls_a_stage_builder():
    """Notebooks load and show what the stages built (issue 27): the pipeline, the analysis and the
    figures run in the library (`cxinsight report`, `cxinsight analyse`), never inside a notebook."""
    import nbformat

    for path in sorted((PACKAGE.parent / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            for node in ast.walk(ast.parse(cell.source)):
                if isinstance(node, ast.Call):
                    name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                    assert name not in STAGE_BUILDERS, f"{path.name} calls {name}"
