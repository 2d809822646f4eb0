"""The code's shape, checked: short functions, no import circles, the seam's writer methods.
(Which stage may import which is import-linter's contract in pyproject.toml.)"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

from reindustry_kb.index import backend

SRC = Path(__file__).parents[1] / "src" / "reindustry_kb"
LONGEST_FUNCTION = 60


def test_no_function_is_longer_than_sixty_lines() -> None:
    long = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                assert node.end_lineno is not None
                length = node.end_lineno - node.lineno + 1
                if length > LONGEST_FUNCTION:
                    long.append(f"{path.relative_to(SRC)}:{node.lineno} {node.name} ({length})")
    assert long == []


def test_no_module_imports_itself_through_others() -> None:
    import grimp

    graph = grimp.build_graph("reindustry_kb")
    circles = []
    for module in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(module):
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back is not None:
                circles.append(f"{module} -> {' -> '.join(back)}")
    assert circles == []


def test_the_seam_has_reader_writer_and_backend_protocols() -> None:
    for protocol, methods in (
        (backend.IndexWriter, {"add_document", "add_part", "set_counts", "carry", "publish"}),
        (backend.Backend, {"open", "summary", "lock", "writer", "where"}),
        (
            backend.IndexReader,
            {"dense_candidates", "passage_vectors", "dense_stats", "lexical_scores"},
        ),
    ):
        assert getattr(protocol, "_is_protocol", False)
        assert methods <= {name for name, _ in inspect.getmembers(protocol, inspect.isfunction)}
