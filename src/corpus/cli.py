"""The `corpus` command line. Thin: parse arguments, call one module, map errors to exit codes.

Exit codes (a contract other tools rely on): 0 success, 1 invalid data (every problem listed), 2 bad usage.
Modules are imported inside commands so `corpus --help` stays fast and one broken extra cannot break the rest.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, NoReturn, TypeVar

import typer

from corpus.core.clihelp import hide_flag_types
from corpus.core.errors import InvalidData, Issue, RemoteFailure, UserError

hide_flag_types()  # a flag takes no value: its help shows none (typer's rich help printed `<bool>`)

app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  help="Build, annotate, validate and release an annotated news corpus.")
ls_app = typer.Typer(no_args_is_help=True, help="Label Studio: config, local server, push and pull.")
eval_app = typer.Typer(no_args_is_help=True, help="Evaluate the pre-annotator against the gold.")
app.add_typer(ls_app, name="ls")
app.add_typer(eval_app, name="eval")

T = TypeVar("T")


def err(message: str) -> None:
    typer.echo(message, err=True)


def usage(message: str) -> NoReturn:
    err(f"error: {message}")
    raise typer.Exit(2)


def print_issues(issues: list[Issue], as_json: bool = False) -> None:
    if as_json:
        import orjson

        sys.stdout.buffer.write(orjson.dumps([i.to_dict() for i in issues], option=orjson.OPT_INDENT_2) + b"\n")
        return
    for issue in issues:
        err(str(issue))
    err(f"{len(issues)} problem(s) found")


def run(action: Callable[[], T], as_json: bool = False) -> T:
    """Run a command body, turning our exceptions into exit codes and one-line messages."""
    try:
        return action()
    except UserError as exc:
        err(f"error: {exc}")
        raise typer.Exit(2) from None
    except InvalidData as exc:
        print_issues(exc.issues, as_json)
        raise typer.Exit(1) from None
    except RemoteFailure as exc:
        err(f"error: {exc}")
        raise typer.Exit(1) from None


def release_labels(folder: Path) -> None:
    """Outside a corpus repository, a command reading a release uses the label set the release publishes."""
    from corpus.core import taxonomy

    run(lambda: taxonomy.use_release_if_no_corpus(folder))


def locked(action: Callable[[], T]) -> Callable[[], T]:
    """`action` under the repository lock (for commands whose module does not take it: they write annotations/)."""
    def body() -> T:
        from corpus.core.io import repo_root
        from corpus.core.repolock import repo_lock

        with repo_lock(repo_root()):
            return action()
    return body


ProjectOpt = Annotated[str | None, typer.Option(help="Label Studio project title (default: corpus.toml's name).")]


def project_title(project: str | None) -> str:
    """The corpus's own project unless one is named: two corpora on one server never share a project."""
    if project is not None:
        return project
    from corpus.core import description

    return description.active().name


Paths = Annotated[list[Path], typer.Argument(help="Files or folders.", show_default=False)]
JsonlFlag = Annotated[bool, typer.Option("--jsonl", help="One JSON object per line on stdout.")]
JsonFlag = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


# ---- clean (issue 2) -------------------------------------------------------------------------------------
@app.command()
def clean(paths: Paths, jsonl: JsonlFlag = False) -> None:
    """Clean raw seed articles: one JSON object per input (doc_id, title, text, language, removed)."""
    from corpus.ingest import clean as mod

    run(lambda: mod.cli_clean(paths, jsonl=jsonl))


@app.command()
def add(
    files: Annotated[list[Path], typer.Argument(help="Articles: .txt (copied text) or .html (a saved page).",
                                                show_default=False)],
    outlet: Annotated[str | None, typer.Option(help="The publisher, when the file does not state it.")] = None,
    url: Annotated[str | None, typer.Option(help="The article's URL.")] = None,
    date: Annotated[str | None, typer.Option(help="Publication date YYYY-MM-DD.")] = None,
    language: Annotated[str | None, typer.Option(help="en or es (default: detected).")] = None,
    allow_near_duplicate: Annotated[bool, typer.Option("--allow-near-duplicate", help="Add a near-duplicate "
                                                       "anyway; its sources entry names the earlier seed.")] = False,
    title: Annotated[str | None, typer.Option(help="The headline, when the copy has none (or cleaning took the "
                                              "wrong line); recorded in sources.toml.")] = None,
    allow_non_article: Annotated[bool, typer.Option("--allow-non-article", help="Add a page that is not an "
                                                    "article (a comment thread, a tag or section page) anyway.")]
    = False,
) -> None:
    """Store new articles in seeds/ (byte-exact) with their sources.toml entry; refuses duplicates and pages that
    are not articles."""
    from corpus.ingest import add as mod

    run(lambda: mod.cli_add(files, outlet, url, date, language, allow_near_duplicate, title, allow_non_article))


@app.command()
def init(
    folder: Annotated[Path, typer.Argument(help="The new corpus repository (missing or empty).", show_default=False)],
    taxonomy: Annotated[Path, typer.Option(help="The corpus's taxonomy.toml (validated first).")],
    name: Annotated[str | None, typer.Option(help="Dataset id (default: the folder's name).")] = None,
    title: Annotated[str | None, typer.Option(help="The card's title (default: the name).")] = None,
    language: Annotated[list[str] | None, typer.Option(help="A document language (ISO 639-1), repeatable "
                                                       "(default: en).")] = None,
    topic: Annotated[str | None, typer.Option(help="What the articles are about, for the card.")] = None,
    maintainers: Annotated[str | None, typer.Option(help="Who maintains it (an organisation), for citations.")]
    = None,
) -> None:
    """Make a new corpus repository using this package: taxonomy, description, seeds/, annotations/, schema/,
    guidelines skeleton, README and Makefile."""
    from corpus.core import scaffold as mod

    run(lambda: mod.cli_init(folder, taxonomy, name, title, language, topic, maintainers))


# ---- schema + validate (issue 3) ------------------------------------------------------------------------
@app.command()
def schema(
    out: Annotated[Path, typer.Option(help="Folder for the JSON Schemas.")] = Path("schema"),
    check: Annotated[bool, typer.Option("--check", help="Fail if committed schemas drift.")] = False,
) -> None:
    """Write (or --check) the JSON Schemas generated from the models."""
    from corpus.core import schema as mod

    run(lambda: mod.cli_schema(out, check=check))


@app.command()
def validate(
    paths: Annotated[list[Path] | None, typer.Argument(help="Default: everything in the repo.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Validate seeds metadata, canonical annotations, Label Studio exports and release folders."""
    from corpus.release import check as mod

    run(lambda: mod.cli_validate(paths or [], as_json=as_json), as_json=as_json)


# ---- pre-annotation (issue 5) ---------------------------------------------------------------------------
EngineOpt = Annotated[str, typer.Option(help="Where the work runs: local (a process pool) or ray (needs the "
                                        "scale extra; bulk suggestions on Ray Data, stream-build on Ray tasks).")]
AddressOpt = Annotated[str | None, typer.Option(help="With --engine ray: an existing cluster's HOST:PORT "
                                                 "(default: start a new local Ray); the input must be at the same "
                                                 "path on every node; a cluster with a token needs RAY_AUTH_MODE=token "
                                                 "and RAY_AUTH_TOKEN in the environment.")]


@app.command()
def preannotate(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders.", show_default=False)] = None,
    jsonl: JsonlFlag = False,
    input_: Annotated[Path | None, typer.Option("--input", help="Bulk: articles as Parquet or JSON Lines (id, "
                                                "text or html, other fields kept as metadata).")] = None,
    out: Annotated[Path | None, typer.Option(help="Bulk: output folder for suggestions.parquet.")] = None,
    engine: EngineOpt = "local",
    workers: Annotated[int | None, typer.Option(help="Bulk: worker processes (default: one per core).")] = None,
    address: AddressOpt = None,
    allow_invalid: Annotated[bool, typer.Option("--allow-invalid", help="Bulk: write the good articles and list "
                                                "the others instead of failing.")] = False,
) -> None:
    """Clean, then suggest entities and numeric claims (offsets index the clean text).

    PATH... prints suggestions for a few files; --input ARTICLES --out DIR is the bulk path (local pool or Ray).
    """
    if input_ is None:
        if out is not None or engine != "local" or address or workers is not None or allow_invalid:
            usage("--out, --engine, --workers, --address and --allow-invalid go with --input")
        if not paths:
            usage("give files or folders, or --input ARTICLES --out DIR")
        from corpus.suggest import preannotate as mod

        run(lambda: mod.cli_preannotate(paths or [], jsonl=jsonl))
        return
    if paths or jsonl:
        usage("--input writes Parquet to --out: give no PATH and no --jsonl with it")
    if out is None:
        usage("--input needs --out DIR")
    from corpus.scale import engines  # a usage error (engine, extra not installed) before the taxonomy is read

    run(lambda: engines.check_engine(engine, address))
    from corpus.scale import bulk

    result = run(lambda: bulk.cli_bulk(input_, out, engine, workers, address, allow_invalid))
    if result.issues:  # only with --allow-invalid: otherwise run() has listed them and exited 1
        print_issues(result.issues)
        err("those articles were left out; every other article was written")


@eval_app.command("preannotations")
def eval_preannotations(
    write: Annotated[bool, typer.Option(help="Update docs/performance.md.")] = True,
) -> None:
    """Precision/recall/F1 of the suggestions against the gold, strict and partial."""
    from corpus.suggest import evaluate as mod

    run(lambda: mod.cli_eval(write=write))


@eval_app.command("unseen")
def eval_unseen(
    write: Annotated[bool, typer.Option(help="Update docs/performance.md.")] = True,
    misses: Annotated[bool, typer.Option("--misses", help="List every missed or extra suggestion.")] = False,
) -> None:
    """Entity recall and claim P/R on articles the rules never saw (tests/data/unseen)."""
    from corpus.suggest import unseen as mod

    run(lambda: mod.cli_eval_unseen(write=write, show_misses=misses))


# ---- agreement + gold (issue 6) -------------------------------------------------------------------------
@app.command()
def agreement(as_json: JsonFlag = False) -> None:
    """Inter-annotator agreement per layer, label and annotator pair; writes the JSON report."""
    from corpus.gold import agreement as mod

    run(locked(lambda: mod.cli_agreement(as_json=as_json)))


@app.command()
def adjudicate(
    allow_drop: Annotated[bool, typer.Option("--allow-drop", help="Allow the new gold to lose a document or a "
                                             "layer the previous gold had.")] = False,
) -> None:
    """Derive the gold from the exports plus annotations/adjudication.json (never edited by hand)."""
    from corpus.gold import adjudicate as mod

    run(locked(lambda: mod.cli_adjudicate(allow_drop=allow_drop)))


# ---- build, release, verify, publish (issues 7, 8) ------------------------------------------------------
@app.command()
def build(
    version: Annotated[str, typer.Option(help="Version recorded in the card and manifest (folder unchanged).")]
    = "0.0.0-dev",
    out: Annotated[Path | None, typer.Option(help="Output folder: new, empty, or made by an earlier build "
                                             "(default build/dev; never a release or version-named folder).")]
    = None,
) -> None:
    """Build a dataset folder (Parquet configs, HF card, croissant.json, SHA256SUMS); `corpus release` cuts releases."""
    from corpus.release import build as mod

    run(lambda: mod.cli_build(version=version, out=out))


@app.command("stream-build")
def stream_build(
    export: Annotated[Path, typer.Argument(help="A Label Studio full-JSON export, any size.")],
    out: Annotated[Path, typer.Option(help="Output folder: new, empty, or made by an earlier stream-build.")],
    workers: Annotated[int | None, typer.Option(help="Worker processes (default: one per core).")] = None,
    allow_invalid: Annotated[bool, typer.Option("--allow-invalid", help="Write the valid rows and list the "
                                                "problems instead of failing.")] = False,
    engine: EngineOpt = "local",
    address: AddressOpt = None,
    standalone: Annotated[bool, typer.Option("--standalone", help="Check each task against its own text and "
                                             "language, not against seeds/ (an export of documents this "
                                             "repository does not hold).")] = False,
    strict_json: Annotated[bool, typer.Option(
        "--strict-json", help="Also look for keys repeated in one JSON object, as corpus validate does (about a "
        "third more CPU: docs/performance.md). Off by default: Label Studio never repeats a key, and a repeated "
        "key's last value wins. The summary says which.")] = False,
    skip_repeated_key_check: Annotated[bool, typer.Option(
        "--skip-repeated-key-check", help="Deprecated, removed in the next release: what the build does by "
        "default now (see --strict-json).")] = False,
) -> None:
    """Stream a large export into per-annotator Parquet (annotators, entities, claims) in bounded memory.

    Repeated keys in one JSON object are looked for only with --strict-json."""
    from corpus.scale import stream as mod

    if skip_repeated_key_check:
        if strict_json:
            usage("--skip-repeated-key-check contradicts --strict-json (the old flag is the default now: drop it)")
        err("warning: --skip-repeated-key-check is deprecated and will be removed in the next release; "
            "it is the default now")
    result = run(lambda: mod.cli_stream_build(export, out, workers, allow_invalid, engine, address,
                                              standalone=standalone, check_keys=strict_json))
    if result.issues:  # only with --allow-invalid: otherwise run() has listed them and exited 1
        print_issues(result.issues)
        err("the regions with problems were left out; every other row was written")


@app.command()
def release(
    version: Annotated[str, typer.Argument(help="Semantic version X.Y.Z.")],
    exclude_pending: Annotated[bool, typer.Option("--exclude-pending", help="Leave out the documents still "
                                                  "waiting for annotation passes (the card, manifest, CHANGELOG "
                                                  "and DATASHEET list them and why) instead of refusing.")] = False,
) -> None:
    """Cut an immutable release into build/X.Y.Z (validated, atomic, locked) and update CHANGELOG/DATASHEET."""
    from corpus.release import release as mod

    run(lambda: mod.cli_release(version, exclude_pending=exclude_pending))


@app.command()
def status(
    as_json: JsonFlag = False,
    project: Annotated[str | None, typer.Option(help="Label Studio project title (for the live passes; default: "
                                                "corpus.toml's name).")] = None,
) -> None:
    """Where every document stands: added, cleaned, suggested, in Label Studio, passes, gold, releases, next step."""
    from corpus.release import status as mod

    run(lambda: mod.cli_status(as_json=as_json, project=project_title(project)))


provenance_app = typer.Typer(help="The provenance record (annotations/provenance.json) without editing JSON.",
                             no_args_is_help=True)
app.add_typer(provenance_app, name="provenance")


@provenance_app.command("describe")
def provenance_describe(
    account: Annotated[str, typer.Argument(help="The Label Studio account (e-mail) as in the exports.")],
    kind: Annotated[str, typer.Option("--kind", help="human | human-with-suggestions | ai-agent")],
    model: Annotated[str | None, typer.Option("--model", help="For ai-agent: the model (name, maker, version); "
                                              "'not recorded' when unknown.")] = None,
    description: Annotated[str | None, typer.Option("--description", help="One plain sentence on who or what "
                                                    "operates the account (a default is written from --kind).")]
    = None,
    access: Annotated[str, typer.Option("--access", help="How Label Studio was operated.")]
    = "Label Studio web interface",
    saw_other_passes: Annotated[bool, typer.Option("--saw-other-passes", help="The account could see another "
                                                   "pass's labels.")] = False,
) -> None:
    """Describe an annotator account once: its passes in every pull are then derived from the exports."""
    from corpus.gold import accounts as mod

    run(lambda: mod.cli_describe(account, kind, model, description, access, saw_other_passes))


@app.command()
def verify(folder: Annotated[Path, typer.Argument(help="A release folder, e.g. build/1.0.0.")]) -> None:
    """Check SHA256SUMS, manifest, schema validity and that every config loads."""
    release_labels(folder)
    from corpus.release import verify as mod

    run(lambda: mod.cli_verify(folder))


@app.command()
def publish(
    folder: Annotated[Path, typer.Argument(help="A release folder, e.g. build/1.0.0.")],
    repo: Annotated[str, typer.Option(help="Hub dataset repo ORG/NAME.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print what would be uploaded and tagged.")] = False,
    private: Annotated[bool, typer.Option("--private", help="Create the Hub repository private.")] = False,
    with_texts: Annotated[bool, typer.Option("--with-texts", help="Upload the full variant (refused unless every "
                                             "text may be redistributed).")] = False,
) -> None:
    """Upload a verified release to the Hub and tag it vX.Y.Z: the text-free twin unless every text may be
    redistributed (token from HF_TOKEN)."""
    release_labels(folder)
    from corpus.release import publish as mod

    run(lambda: mod.cli_publish(folder, repo=repo, dry_run=dry_run, private=private, with_texts=with_texts))


@app.command()
def rehydrate(
    standoff: Annotated[Path, typer.Argument(help="A text-free release folder, e.g. build/1.1.0-standoff.")],
    texts: Annotated[Path, typer.Option("--texts", help="Your copies: <doc_id>.txt or <doc_id>.html.")],
    out: Annotated[Path, typer.Option("--out", help="A new folder for the full release.")],
    allow_partial: Annotated[bool, typer.Option("--allow-partial", help="Write the placed spans and the report "
                                                "even when some copies or spans are missing.")] = False,
    rules: Annotated[Path | None, typer.Option("--rules", help="The corpus's cleaning_rules.toml, for a release "
                                               "that does not ship its own (1.2.0 and earlier).")] = None,
) -> None:
    """Rebuild a full release folder from a text-free release and your own copies of the articles."""
    release_labels(standoff)
    from corpus.release import rehydrate as mod

    run(lambda: mod.cli_rehydrate(standoff, texts, out, allow_partial, rules))


# ---- score + baselines (issue 26) -----------------------------------------------------------------------
@app.command()
def score(
    predictions: Annotated[Path, typer.Argument(help="JSON Lines, one object per document, with the `documents` "
                                                "config's field names (docs/scoring.md).")],
    release_dir: Annotated[Path, typer.Argument(help="A full or rehydrated release folder, e.g. build/1.1.0.")],
    as_json: JsonFlag = False,
    out: Annotated[Path | None, typer.Option("--out", help="Also write the JSON report to this file.")] = None,
) -> None:
    """Score predictions against a release's gold: entities, numeric claims, document and attributed stance."""
    release_labels(release_dir)
    from corpus.release.scoring import report as mod

    run(lambda: mod.cli_score(predictions, release_dir, as_json=as_json, out=out), as_json=as_json)


@app.command()
def baselines(
    release_dir: Annotated[Path, typer.Argument(help="A full or rehydrated release (or build) folder.")],
    out: Annotated[Path | None, typer.Option("--out", help="The report (default docs/baselines/<version>.json); "
                                             "the predictions go beside it, in <report without .json>/.")] = None,
) -> None:
    """Predict with the package's suggestions and with spaCy alone, score both; the card shows the report."""
    from corpus.release.scoring import baselines as mod

    run(lambda: mod.cli_baselines(release_dir, out))


@app.command()
def export(
    release: Annotated[Path, typer.Argument(help="A full or rehydrated release folder, e.g. build/1.1.0.")],
    fmt: Annotated[str, typer.Option("--format", help="brat (.txt/.ann + annotation.conf), conll (IOB per "
                                     "sentence) or spacy (DocBin; needs the `ner` extra).")],
    out: Annotated[Path, typer.Option("--out", help="A new or empty folder (or an earlier export).")],
) -> None:
    """Export a release's gold annotations as BRAT standoff, CoNLL-2003-style IOB or a spaCy DocBin."""
    release_labels(release)
    from corpus.release.export import run as mod

    written = run(lambda: mod.export(release, fmt, out))
    typer.echo(f"{len(written)} file(s) -> {out}")


# ---- taxonomy changes (issue 30) ------------------------------------------------------------------------
taxonomy_app = typer.Typer(no_args_is_help=True, help="The taxonomy file and what its migrations do to annotations.")
app.add_typer(taxonomy_app, name="taxonomy")


@taxonomy_app.command("check")
def taxonomy_check(
    proposed: Annotated[Path | None, typer.Option(help="A proposed taxonomy file (default: the corpus's own).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Validate a taxonomy file and list every exported annotation value it changes, and how (exit 1 when one
    would need review or be lost)."""
    from corpus.gold import taxcheck as mod

    code = run(lambda: mod.cli_check(proposed, as_json=as_json), as_json=as_json)
    raise typer.Exit(code)


# ---- Label Studio (issue 4) -----------------------------------------------------------------------------
@ls_app.command("config")
def ls_config(
    out: Annotated[Path, typer.Option(help="Where to write the labeling config.")] = Path("schema/labelstudio.xml"),
    check: Annotated[bool, typer.Option("--check", help="Fail if the committed XML drifts.")] = False,
    push: Annotated[bool, typer.Option("--push", help="Also make it the config of the project on LABEL_STUDIO_URL "
                                       "(or the local server), keeping every annotation (after a taxonomy "
                                       "migration).")] = False,
    project: ProjectOpt = None,
) -> None:
    """Write (or --check) the Label Studio labeling config generated from the taxonomy."""
    if push and check:
        usage("--push and --check do not go together")
    if push:
        from corpus.labelstudio import commands

        run(lambda: commands.cli_config_push(project_title(project), out))
        return
    from corpus.labelstudio import config as mod

    run(lambda: mod.cli_config(out, check=check))


@ls_app.command("annotate")
def ls_annotate(
    port: Annotated[int | None, typer.Option(help="Port, kept for this repository's next starts (default: the kept "
                                                  "one, else a free one). A taken port is an error.")] = None,
    foreground: Annotated[bool, typer.Option(help="Keep running until Ctrl-C or SIGTERM (--no-foreground: until "
                                                  "`corpus ls stop`).")] = True,
) -> None:
    """Start a local offline Label Studio, create/update the project with tasks, print how to annotate and pull."""
    from corpus.labelstudio import commands as mod

    run(lambda: mod.cli_annotate(port=port, foreground=foreground))


@ls_app.command("stop")
def ls_stop() -> None:
    """Stop the local Label Studio that `corpus ls annotate --no-foreground` left running."""
    from corpus.labelstudio import commands as mod

    run(mod.cli_stop)


@ls_app.command("push")
def ls_push(
    project: ProjectOpt = None,
) -> None:
    """Create/update the project on LABEL_STUDIO_URL (token: LABEL_STUDIO_API_KEY) with config and tasks."""
    from corpus.labelstudio import commands as mod

    run(lambda: mod.cli_push(project=project_title(project)))


@ls_app.command("pull")
def ls_pull(
    project: ProjectOpt = None,
) -> None:
    """Take a snapshot export and store it verbatim under annotations/ (dated, never overwritten).

    The server is LABEL_STUDIO_URL (token: LABEL_STUDIO_API_KEY) when set, else the local one `corpus ls annotate`
    is running. Then checks the stored export with `corpus validate`'s rules and lists each problem per annotator
    with the task's URL and the fix (exit 1 when there are any; the export is stored either way).
    """
    from corpus.gold import review
    from corpus.labelstudio import commands as mod

    path = run(locked(lambda: mod.cli_pull(project=project_title(project))))
    run(lambda: review.cli_check_pulled(path, project_title(project)))


@ls_app.command("review")
def ls_review(
    project: ProjectOpt = None,
    as_json: JsonFlag = False,
) -> None:
    """The open problems per annotator, each with the task's URL in Label Studio and the fix (exit 1 when any).

    Reads a fresh snapshot of the project (not stored) from the same server `corpus ls pull` uses, and marks each
    task's problems in its `corpus_problems` column (the task list's "Problems" tab).
    """
    from corpus.gold import review

    run(lambda: review.cli_review(project_title(project), as_json=as_json))


@ls_app.command("replay")
def ls_replay(
    export: Annotated[Path, typer.Argument(help="A stored export under annotations/.")],
    project: Annotated[str, typer.Option(help="Title of the new project.")] = "replay",
) -> None:
    """Re-import a stored export (tasks, predictions, annotations) into a server for review."""
    from corpus.labelstudio import commands as mod

    run(lambda: mod.cli_replay(export, project=project))


def main() -> None:
    """Errors raised while a command imports its stage (no taxonomy here, a bad taxonomy file) exit like the rest."""
    try:
        app()
    except (UserError, InvalidData, RemoteFailure) as exc:
        error = exc

        def again() -> None:
            raise error
        try:
            run(again)
        except typer.Exit as done:
            raise SystemExit(done.exit_code) from None


if __name__ == "__main__":
    main()
