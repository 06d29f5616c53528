"""Where a streaming-build worker spends its CPU per task, and what compiling its per-task Python would buy.

    python benchmarks/fastpath_parts.py --tasks 50000 --regions 40 --repeat 3 [--mypyc] [--workdir /tmp/bench] \\
        [--doc docs/performance.md]

Parts, in CPU microseconds per task of one process with automatic GC off (as in the stream's workers):
  read        stream.read_body: the region's bytes into one buffer
  decode      taskshape.decode_tasks: msgspec's typed decode, which the limit stage of build_scale.py pays too
  fast path   stream._fast on every task: seed check, then convert and validate (fastpath.task_records)
  claims      the part of the fast path spent in validate.claim_issues (the claim-surface parser, suggest/numbers.py;
              its results are cached per process, as in a worker); timing each call adds ~1.5 us to it
  tables      columns.tables: rows to Arrow arrays
  region      stream.process_region from start to end: the worker's whole job for a region, pickling aside
Variants: "python" is this source tree as it is. With --mypyc also "mypyc": a copy of src/ in which
corpus/scale/fastpath.py and corpus/suggest/numbers.py are compiled by mypyc (it comes with mypy; needs a C compiler
and the Python headers). Each repeat runs every variant once, in turn, in a fresh interpreter; the median is reported.
The export is build_scale.py's synthetic one (generated once into --workdir).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
START, END = "<!-- parts:start -->", "<!-- parts:end -->"
PARTS = ("read", "decode", "fast path", "claims", "tables", "region")
COMPILED = ("corpus/scale/fastpath.py", "corpus/suggest/numbers.py")


def measure(export: Path, regions: int, table: Path | None) -> dict[str, Any]:
    """The parts over the first `regions` regions of `export`, in this interpreter."""
    import gc
    import pickle

    from corpus.gold import validate
    from corpus.scale import columns, fastpath, stream, taskshape
    from corpus.suggest import numbers

    if table is not None:  # the seed references every task is checked against, as in the stream
        stream._REFS = pickle.loads(table.read_bytes())
    stream._worker_init()
    gc.disable()
    clock = time.process_time
    spent = dict.fromkeys(PARTS, 0.0)
    claims_called = 0
    check = fastpath.claim_issues

    def timed_claims(*args: Any) -> Any:
        nonlocal claims_called
        claims_called += 1
        began = clock()
        try:
            return check(*args)
        finally:
            spent["claims"] += clock() - began

    fastpath.claim_issues = timed_claims  # type: ignore[assignment]
    tasks = 0
    cuts = [cut for _, cut in zip(range(regions), stream.iter_regions(export), strict=False)]
    try:  # two passes over the same regions, each from a cold parser cache, as a worker starts
        validate.parse_surface.cache_clear()
        for start, end, last in cuts:
            began = clock()
            buf, body = stream.read_body(str(export), start, end, last)
            spent["read"] += clock() - began
            began = clock()
            typed, _ = taskshape.decode_tasks(body)
            spent["decode"] += clock() - began
            if typed is None:
                raise SystemExit(f"{export}: a region the typed decoder refuses; use a clean synthetic export")
            began = clock()
            records = []
            for task in typed:
                got = stream._fast(task, export.name)
                if got is None:
                    raise SystemExit(f"{export}: task {task.id} leaves the fast path; use a clean synthetic export")
                records.extend(got)
            spent["fast path"] += clock() - began
            began = clock()
            columns.tables(records, stream._SCHEMAS)
            spent["tables"] += clock() - began
            tasks += len(typed)
            del buf, body, typed, records
        validate.parse_surface.cache_clear()
        fastpath.claim_issues = check  # the whole region untimed inside
        for start, end, last in cuts:
            began = clock()
            stream.process_region(str(export), start, end, last, export.name, stream.INHERIT)
            spent["region"] += clock() - began
    finally:
        fastpath.claim_issues = check
    return {"tasks": tasks, "us_per_task": {k: v / max(tasks, 1) * 1e6 for k, v in spent.items()},
            "claims_timed": claims_called > 0,
            "modules": {name: getattr(mod, "__file__", "") for name, mod in
                        (("fastpath", fastpath), ("numbers", numbers))}}


def compiled_tree(work: Path) -> Path:
    """A copy of src/ with COMPILED built by mypyc in place; returns its src folder."""
    src = work / "src"
    shutil.copytree(ROOT / "src", src, ignore=shutil.ignore_patterns("__pycache__", "*.so"))
    # mypy's own settings (missing stubs ignored, as in pyproject.toml), in a file setuptools does not read
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]
    (src / "mypy.ini").write_text("[mypy]\n" + "".join(f"{k} = {v}\n" for k, v in settings.items()
                                                       if not isinstance(v, list)))
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "mypyc", *COMPILED], cwd=src, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"mypyc failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    built = sorted(str(p.relative_to(src)) for p in (src / "corpus").rglob("*.so"))
    print(f"mypyc built {', '.join(built)} in {time.perf_counter() - started:.0f} s", flush=True)
    return src


def run_variant(source: Path | None, export: Path, regions: int, table: Path | None) -> dict[str, Any]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    if source is not None:
        env["PYTHONPATH"] = str(source)
    argv = [sys.executable, __file__, "--measure", str(export), str(regions), str(table or "")]
    done = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"measurement failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def report(results: dict[str, list[dict[str, Any]]], command: str) -> str:
    lines = [START, "### Where a worker's CPU goes, and what compiling its Python buys (issue 29)", "",
             "Command (CPU microseconds per task of one process, GC off as in the workers; median of the repeats, "
             "their range in brackets):",
             "", "```", command, "```", "",
             "| variant | tasks | " + " | ".join(PARTS) + " |",
             "| --- | ---: | " + " | ".join("---:" for _ in PARTS) + " |"]
    for variant, runs in results.items():
        cells = []
        for part in PARTS:
            values = [r["us_per_task"][part] for r in runs if part != "claims" or r["claims_timed"]]
            if not values:
                cells.append("not timed")
            elif len(values) == 1:
                cells.append(f"{values[0]:,.0f}")
            else:
                cells.append(f"{statistics.median(values):,.0f} ({min(values):,.0f}-{max(values):,.0f})")
        lines.append(f"| {variant} | {runs[0]['tasks']:,} | " + " | ".join(cells) + " |")
    lines += ["", '"claims" is inside "fast path". "region" is the whole of stream.process_region (read, decode, '
              'fast path, tables and the order checks), each surface parsed anew: the figure to set against the limit '
              'stage of the table above.', END]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=50000)
    parser.add_argument("--regions", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--mypyc", action="store_true", help="also measure fastpath.py and numbers.py compiled")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/bench"))
    parser.add_argument("--doc", type=Path, default=None, help="write the results section into this file")
    parser.add_argument("--measure", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        export, regions, table = args.measure
        print(json.dumps(measure(Path(export), int(regions), Path(table) if table else None)))
        return 0

    sys.path.insert(0, str(HERE))
    import build_scale

    args.workdir.mkdir(parents=True, exist_ok=True)
    export = build_scale.ensure_export(args.workdir, args.tasks, args.seed)
    table = build_scale.table_path(export)
    with tempfile.TemporaryDirectory(prefix="fastpath-parts-") as tmp:
        sources: dict[str, Path | None] = {"python": None}
        if args.mypyc:
            sources["mypyc"] = compiled_tree(Path(tmp))
        results: dict[str, list[dict[str, Any]]] = {name: [] for name in sources}
        for _ in range(args.repeat):
            for name, source in sources.items():
                got = run_variant(source, export, args.regions, table)
                if name == "mypyc" and not all(f.endswith(".so") for f in got["modules"].values()):
                    raise SystemExit(f"the compiled modules were not the ones imported: {got['modules']}")
                results[name].append(got)
                print(name, {k: round(v) for k, v in got["us_per_task"].items()}, flush=True)
    command = ("python benchmarks/fastpath_parts.py " + f"--tasks {args.tasks} --regions {args.regions} "
               f"--repeat {args.repeat} --seed {args.seed}" + (" --mypyc" if args.mypyc else "")
               + f" --workdir {args.workdir}")
    (args.workdir / "fastpath_parts.json").write_text(json.dumps({"command": command, "results": results}, indent=1))
    section = report(results, command)
    print(section)
    if args.doc is not None:
        text = args.doc.read_text() if args.doc.is_file() else ""
        if START in text and END in text:
            text = text[: text.index(START)] + section + text[text.index(END) + len(END):]
        else:
            text = text.rstrip("\n") + "\n\n" + section + "\n"
        args.doc.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
