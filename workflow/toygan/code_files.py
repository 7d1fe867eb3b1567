"""The toygan files a workflow script runs, from the static import graph (nothing is imported,
so the Snakefile can ask without loading TensorFlow or matplotlib)."""

from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def _file_of(module: str) -> Path | None:
    """The file of ``toygan.x.y`` (a module or a package's __init__.py); None outside toygan."""
    parts = module.split(".")
    if parts[0] != PACKAGE.name:
        return None
    base = PACKAGE.joinpath(*parts[1:])
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


@lru_cache(maxsize=None)
def _imported(path: Path, module: str) -> frozenset[str]:
    """Absolute names ``path`` may import, at any depth of the file (a function's lazy import
    runs too). For `from m import n`, both m and m.n: n may be a submodule. Cached: the scripts
    share most of the package, and parsing it once per script was most of the Snakefile's parse."""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module
            names.add(source)
            names.update(f"{source}.{alias.name}" for alias in node.names)
    return frozenset(names)


def _with_parents(module: str) -> list[str]:
    """Importing toygan.plots.runs runs toygan/__init__.py and toygan/plots/__init__.py first."""
    parts = module.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


@lru_cache(maxsize=None)
def package_files(script: str | Path) -> tuple[Path, ...]:
    """Every toygan file that running ``script`` may execute, sorted."""
    found: dict[str, Path] = {}
    todo = [name for name in _imported(Path(script), "__main__")]
    while todo:
        for module in _with_parents(todo.pop()):
            path = _file_of(module)
            if path is not None and module not in found:
                found[module] = path
                todo.extend(_imported(path, module))
    return tuple(sorted(set(found.values())))
