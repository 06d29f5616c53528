"""JSON Schemas generated from the pydantic models: the published, language-neutral contract.

`corpus schema` writes them to schema/; `--check` (and a test) fails when the committed files drift from the models.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from corpus.core.errors import InvalidData, Issue
from corpus.core.io import atomic_write_bytes, dump_json
from corpus.core.models import SCHEMA_MODELS, SCHEMA_VERSION

DRAFT = "https://json-schema.org/draft/2020-12/schema"


def schema_for(name: str) -> dict[str, Any]:
    model = SCHEMA_MODELS[name]
    schema = model.model_json_schema(mode="validation")
    schema["$schema"] = DRAFT
    schema["$id"] = f"https://example.org/corpus/schema/{SCHEMA_VERSION}/{name}.schema.json"
    return schema


def rendered() -> dict[str, bytes]:
    """File name -> exact bytes of every generated schema."""
    return {f"{name}.schema.json": dump_json(schema_for(name)) for name in sorted(SCHEMA_MODELS)}


@cache
def validator(name: str) -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(schema_for(name))


def drift(folder: Path) -> list[Issue]:
    issues = []
    for fname, data in rendered().items():
        path = folder / fname
        if not path.is_file():
            issues.append(Issue(str(path), "-", "-", "-", "schema file missing; run `corpus schema`", "schema.drift"))
        elif path.read_bytes() != data:
            issues.append(Issue(str(path), "-", "-", "-", "differs from the models; run `corpus schema`",
                                "schema.drift"))
    return issues


def cli_schema(out: Path, check: bool = False) -> None:
    if check:
        issues = drift(out)
        if issues:
            raise InvalidData(issues)
        print(f"{len(rendered())} schemas up to date in {out}")
        return
    for fname, data in rendered().items():
        atomic_write_bytes(out / fname, data)
    print(f"wrote {len(rendered())} schemas to {out}")
