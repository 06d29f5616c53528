"""`corpus init DIR --taxonomy FILE`: a new corpus repository that uses the installed package.

The package owns the pipeline; a corpus owns its data: taxonomy.toml, corpus.toml (what the card, README and
CITATION say about it), seeds/, annotations/, optional per-outlet cleaning rules and gazetteers. The generated
files (schema/*.json, schema/labelstudio.xml) are rendered by `corpus schema` / `corpus ls config` run in a child
process pointed at the new repository, because a process loads one taxonomy once. The repository is built in a
temp folder next to DIR and renamed into place: an interrupted init leaves nothing half-made.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from corpus.core import tempfiles
from corpus.core.description import FILE_NAME as DESCRIPTION_FILE
from corpus.core.description import PARSED_LANGUAGES, Description, render_toml
from corpus.core.errors import UserError
from corpus.core.io import dump_json
from corpus.core.taxonomy_file import VOCABULARIES, TaxonomyFile, load

GUIDELINES_VERSION = "0.1"

MAKEFILE = """\
# Two commands: `make dataset` builds the dataset, `make check` runs every check a corpus without its own test
# suite needs (data valid, generated files in step with taxonomy.toml, the dev build verified).
CORPUS ?= corpus
export HF_HUB_OFFLINE := 1
export HF_DATASETS_OFFLINE := 1
export HF_HUB_DISABLE_TELEMETRY := 1

.PHONY: dataset check schema

dataset:
\t$(CORPUS) adjudicate
\t$(CORPUS) validate
\t$(CORPUS) build --out build/dev
\t$(CORPUS) verify build/dev

check: dataset
\t$(CORPUS) schema --check
\t$(CORPUS) ls config --check

schema:
\t$(CORPUS) schema
\t$(CORPUS) ls config
"""

GITIGNORE = """\
.state/
build/dev/
.venv/
.venv-labelstudio/
__pycache__/
"""


def _readme(desc: Description) -> str:
    return f"""# {desc.title}

{desc.summary.strip()}

This repository holds the corpus's data; the pipeline is the installed `corpus` package.

## Two commands

    make dataset   # adjudicate, validate, build build/dev and verify it
    make check     # the above, plus: committed schemas and the Label Studio config match taxonomy.toml

## Files

- `taxonomy.toml`: the label set (validated by `schema/taxonomy.schema.json`); `make schema` re-renders `schema/`.
- `{DESCRIPTION_FILE}`: name, title, summary, languages, licence and maintainers, used by the card and CITATION.
- `seeds/`: the articles (`corpus add FILE`) and `seeds/sources.toml`, their metadata.
- `annotations/`: Label Studio exports (`corpus ls pull`), adjudication decisions and the gold.
- `docs/guidelines.md`: the annotation guidelines (label tables rendered from the taxonomy at init).
- `cleaning_rules.toml` (optional): this corpus's per-outlet cleaning rules, added to the package's generic ones.
- `gazetteer.toml` (optional): names the entity suggester labels directly (`PLACE = ["Northbank", ...]`).

## Annotate and release

    corpus add article.txt --outlet "..." --date YYYY-MM-DD --url https://...
    corpus ls annotate          # a local Label Studio
    corpus ls push && corpus ls pull
    corpus adjudicate && corpus validate
    corpus release 1.0.0 && corpus verify build/1.0.0
"""


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _guidelines(tax: TaxonomyFile, desc: Description) -> str:
    """A skeleton: the front matter the pipeline reads, the label tables, and headings to write the rules under."""
    titles = {"entities": "Entity labels", "relations": "Relation types", "stance_targets": "Stance targets",
              "stance_labels": "Stance labels", "polarities": "Polarity", "qualifiers": "Qualifiers",
              "claim_kinds": "Claim kinds", "units": "Units"}
    out = ["---", f'guidelines_version: "{GUIDELINES_VERSION}"', f'taxonomy_version: "{tax.version}"', "---",
           f"# Annotation guidelines (version {GUIDELINES_VERSION})", "",
           f"What to label in {desc.title} and how. The version above is recorded in every task and carried into",
           "every annotation set and the gold: change it whenever a rule changes. The label set is `taxonomy.toml`;",
           "the tables below were rendered from it by `corpus init` (re-render or edit them when it changes).", ""]
    for vocab in VOCABULARIES:
        out += [f"## {titles[vocab]}", "", "| Name | Key | Description | Examples |", "|---|---|---|---|"]
        for spec in getattr(tax, vocab):
            examples = ", ".join(f"`{_md(e)}`" for e in spec.examples)
            key = f"`{spec.hotkey}`" if spec.hotkey else ""
            out.append(f"| `{spec.name}` | {key} | {_md(spec.description)} | {examples} |")
        out += ["", "Rules: (write them here.)", ""]
    out += ["## Numeric claims", "", f"{tax.claim_span.description} (key `{tax.claim_span.hotkey}`)", "",
            "## Attributed stance", "", f"{tax.stance_span.description} (key `{tax.stance_span.hotkey}`)", ""]
    return "\n".join(out)


def _provenance(desc: Description, maintainers: str) -> dict[str, object]:
    """annotations/provenance.json to start from: who maintains the corpus and under which licence; passes and
    accounts are added by `corpus provenance describe` as annotation happens. The wording is a default to edit."""
    return {
        "dataset": desc.name, "maintainers": maintainers, "repository_url": None, "hub_repo": None,
        "licence": {"card_id": "other", "name": "annotations-cc-by-4.0-texts-copyrighted-by-publishers",
                    "annotations": "CC-BY-4.0", "annotations_url": "https://creativecommons.org/licenses/by/4.0/",
                    "texts": "The article texts are copyrighted by their publishers and are not relicensed."},
        "collection": "Articles added one by one with `corpus add`; each seed is kept byte-exact with its SHA-256 "
                      "and its source in seeds/sources.toml.",
        "annotation_passes": [], "accounts": [], "adjudicators": [],
        "maintenance": f"Maintained by {maintainers}; corrections arrive as new releases, older ones never change.",
    }


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "corpus"


def _render_generated(tmp: Path) -> None:
    """schema/ from the new taxonomy, in a child process (this one may already hold another taxonomy)."""
    env = {**os.environ, "CORPUS_ROOT": str(tmp), "CORPUS_TAXONOMY": str(tmp / "taxonomy.toml")}
    for args in (["schema", "--out", str(tmp / "schema")], ["ls", "config", "--out", str(tmp / "schema" /
                                                                                      "labelstudio.xml")]):
        done = subprocess.run([sys.executable, "-m", "corpus", *args], cwd=tmp, env=env, capture_output=True,
                              text=True, timeout=300)
        if done.returncode != 0:
            raise UserError(f"`corpus {' '.join(args[:2])}` failed for the new corpus: "
                            f"{(done.stderr or done.stdout).strip()}")


def init(target: Path, taxonomy: Path, name: str | None = None, title: str | None = None,
         languages: list[str] | None = None, topic: str | None = None, maintainers: str | None = None) -> Path:
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UserError(f"{target} exists and is not an empty folder: `corpus init` makes a new corpus repository")
    if not taxonomy.is_file():
        raise UserError(f"--taxonomy {taxonomy}: no such file")
    tax = load(taxonomy)  # InvalidData (exit 1) with every located problem; nothing written yet
    text = taxonomy.read_text(encoding="utf-8")
    slug = _slug(name or target.resolve().name)
    desc = Description(name=slug, title=title or slug, languages=languages or ["en"], topic=topic or slug,
                       summary=f"News articles annotated with {len(tax.entities)} entity types, numeric claims and "
                               f"stance toward {len(tax.stance_targets)} target(s).")
    unparsed = [lang for lang in desc.languages if lang not in PARSED_LANGUAGES]
    if unparsed:
        raise UserError(f"--language {', '.join(unparsed)}: the package cleans and suggests for "
                        f"{', '.join(PARSED_LANGUAGES)} only, so a corpus can declare only those for now")
    parent = target.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = tempfiles.make_dir(parent, f".{target.name}.init-{os.getpid()}-")
    try:
        for folder in ("seeds", "annotations", "schema", "docs", "build"):
            (tmp / folder).mkdir()
        (tmp / "seeds" / "sources.toml").write_text("# One table per seed, written by `corpus add`.\n",
                                                    encoding="utf-8")
        (tmp / "taxonomy.toml").write_text(text, encoding="utf-8")
        (tmp / "annotations" / "provenance.json").write_bytes(
            dump_json(_provenance(desc, maintainers or f"{desc.title} maintainers")))
        (tmp / DESCRIPTION_FILE).write_text(render_toml(desc), encoding="utf-8")
        (tmp / "docs" / "guidelines.md").write_text(_guidelines(tax, desc), encoding="utf-8")
        (tmp / "README.md").write_text(_readme(desc), encoding="utf-8")
        (tmp / "Makefile").write_text(MAKEFILE, encoding="utf-8")
        (tmp / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
        (tmp / "build" / ".gitkeep").write_text("", encoding="utf-8")
        _render_generated(tmp)
        os.replace(tmp, target)  # onto a missing or empty folder: one rename
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        tempfiles.forget(tmp)
        raise
    tempfiles.forget(tmp)
    return target


def cli_init(target: Path, taxonomy: Path, name: str | None, title: str | None, languages: list[str] | None,
             topic: str | None, maintainers: str | None) -> None:
    made = init(target, taxonomy, name, title, languages, topic, maintainers)
    print(f"made corpus repository {made}: edit {DESCRIPTION_FILE} and docs/guidelines.md, then `corpus add`")
