"""The import graph between apps is the one docs/architecture.md writes down.

Domain modules (models, services, selectors, engines) are read with `ast`; entry points (api, pages,
admin, urls, tasks, serializers, management commands, the platform-base command-line tools) may call
any app and are left out. A new cross-app import fails here until the document names it.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUBAPPS = {("tuning", "backends"): "backends", ("tuning", "platform_base"): "platform_base"}
APPS = {"core", "accounts", "marketplace", "tuning", "payments", "review", "evaluation", "notifications", "specialists",
        *SUBAPPS.values()}
ENTRY_MODULES = {"api", "pages", "admin", "urls", "tasks", "apps", "views", "serializers",
                 "build", "card", "measure", "check_data", "compose_data", "guard_quality"}


def _app(parts: tuple[str, ...] | list[str]) -> str | None:
    if len(parts) > 1 and (parts[0], parts[1]) in SUBAPPS:
        return SUBAPPS[(parts[0], parts[1])]
    return parts[0] if parts and parts[0] in APPS else None


def _domain_files():
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if rel.parts[0] not in APPS or "migrations" in rel.parts or "management" in rel.parts:
            continue
        if path.stem in ENTRY_MODULES:
            continue
        yield rel


def imported_edges() -> dict[tuple[str, str], set[str]]:
    edges: dict[tuple[str, str], set[str]] = {}
    for rel in _domain_files():
        source = _app(rel.parts)
        package = list(rel.with_suffix("").parts[:-1])
        for node in ast.walk(ast.parse((ROOT / rel).read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = package[: len(package) - node.level + 1] if node.level else []
                module = ".".join(base + ([node.module] if node.module else []))
                names = [module] + [f"{module}.{alias.name}" for alias in node.names]
            else:
                continue
            for name in names:
                target = _app(name.split("."))
                if target and target != source:
                    edges.setdefault((source, target), set()).add(str(rel))
    return edges


def documented_edges() -> set[tuple[str, str]]:
    text = (ROOT / "docs" / "architecture.md").read_text()
    block = re.search(r"```edges\n(.*?)```", text, re.S)
    assert block, "docs/architecture.md has no ```edges block"
    return {tuple(part.strip() for part in line.split("->")) for line in block.group(1).splitlines() if line.strip()}


def test_every_app_is_read():
    read = {_app(rel.parts) for rel in _domain_files()}
    assert read == APPS, f"apps with no domain module read: {sorted(APPS - read)}"


def test_the_documented_app_graph_is_the_imported_one():
    imported = imported_edges()
    documented = documented_edges()
    undocumented = {edge: sorted(files) for edge, files in imported.items() if edge not in documented}
    stale = documented - set(imported)
    assert not undocumented, f"imports that docs/architecture.md does not name: {undocumented}"
    assert not stale, f"edges docs/architecture.md names that no import makes any more: {sorted(stale)}"


def test_the_engines_import_nothing_from_the_apps():
    """backends, platform_base's data and review are plain Python below every app."""
    for (source, target), files in imported_edges().items():
        if source in {"backends", "platform_base", "review"}:
            assert target in {"core", "backends", "platform_base", "review"}, (source, target, sorted(files))


def test_no_string_imports_or_not_installed_fallbacks_in_app_code():
    pattern = re.compile(r"importlib\.import_module|except ImportError|except ModuleNotFoundError|\bseams\b")
    for rel in ROOT.glob("*/**/*.py"):
        parts = rel.relative_to(ROOT).parts
        if parts[0] not in APPS or "migrations" in parts:
            continue
        code = "\n".join(line for line in rel.read_text().splitlines() if not line.lstrip().startswith(("#", '"')))
        assert not pattern.search(code), rel
