"""Scale benchmark: export -> validated Parquet folder, against the limit and the peer, each stage in its own process.

    python benchmarks/build_scale.py --tasks 50000,200000 --peer-tasks 2000 --repeat 3 [--workdir /tmp/bench] \\
        [--doc docs/performance.md]

Stages, per N (exports are generated once per (N, seed) and reused; nothing is written to the repo but --doc):
  stream  corpus.scale.stream.stream_build: cut, decode, convert, validate, rows, ParquetWriter (all cores); by
          default (keys repeated in one JSON object not looked for) and with --strict-json (check_keys=True)
  baseline  with --baseline-src: the stream of an earlier source tree (822a698: `git archive 822a698 | tar -x -C
          /tmp/corpus-822a698`), on the same exports in the same session
  limit   the same cutting and decoding with the same workers and nothing else, plus writing the stream's final
          tables from memory with the same Parquet options: what any design must pay at least. Run twice: with
          the stream's typed decoder (msgspec, skips unread fields) and with orjson (every value to Python)
  peer    label-studio-sdk's Converter(...).convert(export, dir, "CONLL2003", is_dir=False) on --peer-tasks tasks
Memory: the peak of the summed PSS of the stage's process tree, sampled every 0.1 s (forked workers share pages
with their parent, so PSS does not count them twice), and the sum of each process's VmHWM (an upper bound).
CPU seconds (user+sys of the stage and its workers) are reported beside wall time: on a shared machine the wall
rate depends on the neighbours, the CPU rate much less. The 1-minute load average before each stage is recorded.
Goals (issue 29), checked in the report: default >= 1.0x the baseline's rate and >= 50% of the typed decode+write
limit's tasks per CPU-second; --strict-json >= 0.7x the baseline's rate; peak PSS at the largest N / the smallest
<= 1.25x for every stream. The rate against the baseline is checked twice, by wall time and by CPU seconds: on a
shared machine each stage gets a different share of the cores, which moves the wall ratio and barely the CPU one.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import pickle
import re
import resource
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
START, END = "<!-- scale:start -->", "<!-- scale:end -->"
DEFAULT, STRICT, BASELINE = "stream (convert+validate+Parquet)", "stream --strict-json", "baseline stream"
GOALS = {DEFAULT: 1.0, STRICT: 0.7}  # minimum rate relative to the baseline's, same N, same session
LIMIT_SHARE = 0.5  # the default stream's tasks per CPU-second / the typed decode+write limit's


NOTES = """\
Reading the table: CPU seconds include each stage's interpreter start and imports (~1.2 s). "limit" holds the whole
final tables in memory on purpose (that is its definition), hence its memory at 200k. How the stream gets its
rate (corpus/scale/: stream.py, taskshape.py, fastpath.py, columns.py): each ~8 MB region is read straight into a
buffer, decoded by msgspec into typed structs holding only the fields the converter reads, then a one-pass fast path
converts and validates each task with the reference rules (it reuses convert's tables, validate.claim_issues and
pydantic's datetime parser) and hands any task it cannot prove clean to the reference path (convert_task,
check_annotation_set, build.config_rows), which reports the issues. Rows become Arrow arrays column by column.
tests/scale/test_fastpath.py holds the contract: on thousands of mutated tasks, whatever the fast path accepts equals
the reference's rows with no issues. The peer's rate is per single process; the stream uses both cores.
Both streams bound nesting to `corpus validate`'s limit inside the typed decode, at no cost
(corpus/scale/strictjson.py). Finding a key repeated in one object needs every value decoded (orjson) and
re-encoded to compare ':' counts: only `--strict-json` ("stream --strict-json") does that; by default a repeated
key's last value wins (Label Studio never writes one; `corpus validate` reports it). The baseline row is an
earlier source tree run on the same export in the same session: it tells a slower machine from a slower build.
"Tasks per CPU-s" divides by the CPU seconds of the stage's whole process tree; the limit's CPU includes
reading the stream's tables back (untimed in its wall time), so its per-CPU rate is, if anything, understated.
"""


# ---- stages (run in a child process) -----------------------------------------------------------------------
def _decode_region(args: tuple[str, int, int, bool, str]) -> tuple[int, int, int]:
    """Decode one region and nothing else: typed (the stream's own decoder) or orjson (the generic one)."""
    import orjson

    from corpus.scale import stream, taskshape

    path, start, end, last, decoder = args
    _buf, body = stream.read_body(path, start, end, last)
    tasks = taskshape.decode_tasks(body)[0] if decoder == "typed" else orjson.loads(body)
    count = len(tasks or ())
    del tasks
    return count, stream.peak_rss_kb(), os.getpid()


def stage_stream(export: Path, out: Path, workers: int, mode: str) -> dict[str, Any]:
    """mode: "default" (the default build), "strict" (--strict-json) or "baseline" (whatever `corpus` is first
    on PYTHONPATH: an earlier source tree, called with the arguments its stream_build takes)."""
    import importlib
    import inspect

    try:
        stream: Any = importlib.import_module("corpus.scale.stream")
    except ImportError:
        stream = importlib.import_module("corpus.stream")  # source trees from before the stage layout

    shutil.rmtree(out, ignore_errors=True)
    params = inspect.signature(stream.stream_build).parameters
    kwargs: dict[str, Any] = {"workers": workers, "allow_invalid": True}
    if "refs" in params:  # the compact seed table ensure_export saved (what the build keeps), not a dict
        kwargs["refs"] = pickle.loads(table_path(export).read_bytes())
    if mode != "baseline":
        kwargs["check_keys"] = mode == "strict"
    result = stream.stream_build(export, out, **kwargs)
    peaks = result.peak_rss_kb
    return {"seconds": result.seconds, "tasks": result.tasks, "rows": result.rows, "issues": len(result.issues),
            "reference_tasks": result.reference_tasks, "rss_kb": peaks["parent"] + peaks["workers"],
            "rss_parent_kb": peaks["parent"]}


def stage_limit(export: Path, out: Path, tables_from: Path, workers: int, decoder: str) -> dict[str, Any]:
    import gc

    import pyarrow.parquet as pq

    from corpus.scale import stream

    gc.disable()
    started = time.perf_counter()
    tasks, peaks = 0, dict[int, int]()
    jobs = [(str(export), a, b, last, decoder) for a, b, last in stream.iter_regions(export)]
    with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
        for count, peak, pid in pool.map(_decode_region, jobs, chunksize=4):
            tasks += count
            peaks[pid] = max(peak, peaks.get(pid, 0))
    decode = time.perf_counter() - started
    tables = {name: pq.read_table(tables_from / stream.parquet_path(name)) for name in stream.TABLES}
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    for name, table in tables.items():
        writer = stream.RowGroupWriter(out / stream.parquet_path(name), table.schema)
        writer.add(table)
        writer.close()
    write = time.perf_counter() - started
    return {"seconds": decode + write, "decode_seconds": decode, "write_seconds": write, "tasks": tasks,
            "rss_kb": stream.peak_rss_kb() + sum(peaks.values())}


def stage_peer(export: Path, out: Path) -> dict[str, Any]:
    from label_studio_sdk.converter import Converter

    from corpus.labelstudio.config import build_config

    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    Converter(config=build_config(), project_dir=None, download_resources=False).convert(
        str(export), str(out), "CONLL2003", is_dir=False)
    seconds = time.perf_counter() - started
    with export.open("rb") as handle:
        import orjson

        tasks = len(orjson.loads(handle.read()))
    from corpus.scale import stream

    return {"seconds": seconds, "tasks": tasks, "rss_kb": stream.peak_rss_kb()}


def _tree(pid: int) -> list[int]:
    """pid and all its descendants (from /proc/<pid>/task/*/children)."""
    out, todo = [], [pid]
    while todo:
        cur = todo.pop()
        out.append(cur)
        for task in Path(f"/proc/{cur}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                todo += [int(x) for x in task.read_text().split()]
    return out


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_stage(argv: list[str], source: Path | None = None) -> dict[str, Any]:
    """Run one stage in a fresh interpreter, sampling the PSS of its process tree; result = last stdout line.
    `source`: a source tree whose `corpus` the stage imports instead of the installed one."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    if source is not None:
        env["PYTHONPATH"] = str(source / "src")
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.Popen([sys.executable, __file__, "--stage", *argv], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    peak_pss = 0
    while proc.poll() is None:
        peak_pss = max(peak_pss, sum(_pss_kb(pid) for pid in _tree(proc.pid)))
        time.sleep(0.1)
    stdout, stderr = proc.communicate()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"stage {argv[0]} failed:\n{stderr[-3000:]}")
    result = dict(json.loads(stdout.strip().splitlines()[-1]))
    result["pss_kb"] = peak_pss
    result["load_before"] = load
    result["cpu_seconds"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return result


# ---- driver -----------------------------------------------------------------------------------------------------
def seeds_path(export: Path) -> Path:
    return export.with_suffix(".seeds.json")


def ensure_export(workdir: Path, n: int, seed: int) -> Path:
    """The export of n tasks, and beside it the seed references of its synthetic documents (doc_id -> [sha256 of
    the text, language]): the stream checks every task against them as it checks real tasks against seeds/."""
    sys.path.insert(0, str(HERE))
    import synth

    path = workdir / f"export-{n}-s{seed}.json"
    if not path.is_file():
        started = time.perf_counter()
        size = synth.write_export(path, n, seed, jobs=os.cpu_count() or 1)
        print(f"generated {path} ({size / 1e6:.0f} MB) in {time.perf_counter() - started:.1f} s", flush=True)
    if not seeds_path(path).is_file():
        refs = {}
        for i in range(n):
            data = synth.make_task(i, seed)["data"]
            refs[data["doc_id"]] = [hashlib.sha256(data["text"].encode("utf-8")).hexdigest(), data["language"]]
        seeds_path(path).write_text(json.dumps(refs))
    if not table_path(path).is_file():  # as the stage loads it: no transient dict of n entries in its memory
        from corpus.gold.validate import SeedRef
        from corpus.scale.seedtable import SeedTable

        seeds = json.loads(seeds_path(path).read_bytes())
        table = SeedTable({doc_id: SeedRef(sha, lang) for doc_id, (sha, lang) in seeds.items()})
        table_path(path).write_bytes(pickle.dumps(table))
    return path


def table_path(export: Path) -> Path:
    """Named by the table's pickled layout: a table cached by an older layout is built again, not misread."""
    from corpus.scale.seedtable import FORMAT

    return export.with_suffix(f".seedtable-v{FORMAT}.pickle")


def fmt_rows(results: list[dict[str, Any]], cores: int) -> list[str]:
    lines = ["| stage | tasks | export MB | wall s | tasks/s (wall) | CPU s | tasks per CPU-s | "
             "tasks/s per CPU-s x cores | peak PSS MB (process tree) | sum of VmHWM MB | load before | notes |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for r in results:
        cores_used = 1 if r["stage"].startswith("peer") else cores
        load = f"{r['load_before']:.1f}" if "load_before" in r else ""
        lines.append(f"| {r['stage']} | {r['tasks']:,} | {r['mb']:,.0f} | {r['seconds']:.1f} | "
                     f"{r['tasks'] / r['seconds']:,.0f} | {r['cpu_seconds']:.1f} | "
                     f"{r['tasks'] / r['cpu_seconds']:,.0f} | "
                     f"{r['tasks'] / r['cpu_seconds'] * cores_used:,.0f} | {r['pss_kb'] / 1024:,.0f} | "
                     f"{r['rss_kb'] / 1024:,.0f} | {load} | {r.get('notes', '')} |")
    return lines


def write_doc(doc: Path, body: str) -> None:
    """Replace only the scale section of the file (created when missing)."""
    text = doc.read_text(encoding="utf-8") if doc.is_file() else "# Performance\n"
    section = f"{START}\n{body.rstrip()}\n{END}"
    if START in text and END in text:
        text = re.sub(re.escape(START) + r".*?" + re.escape(END), lambda _: section, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    doc.parent.mkdir(parents=True, exist_ok=True)
    tmp = doc.with_name(f".{doc.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, doc)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", default="50000", help="comma-separated task counts, e.g. 50000,200000")
    parser.add_argument("--peer-tasks", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=1, help="run the stream stage this many times; report the median")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/bench"))
    parser.add_argument("--doc", type=Path, default=None, help="write the results section into this file")
    parser.add_argument("--baseline-src", type=Path, default=None,
                        help="an earlier source tree (e.g. a git worktree) whose stream is run on the same exports "
                             "in the same session: a slower machine is then not mistaken for a slower build")
    parser.add_argument("--stage", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--render-only", action="store_true",
                        help="re-render the section from WORKDIR/results.json of the run with the same arguments")
    args = parser.parse_args(argv)

    if args.stage:
        name, *rest = args.stage
        workers = args.workers
        if name == "stream":
            out = stage_stream(Path(rest[0]), Path(rest[1]), workers, rest[2])
        elif name == "limit":
            out = stage_limit(Path(rest[0]), Path(rest[1]), Path(rest[2]), workers, rest[3])
        else:
            out = stage_peer(Path(rest[0]), Path(rest[1]))
        print(json.dumps(out))
        return 0

    work = args.workdir
    if args.render_only:
        return _report(json.loads((work / "results.json").read_text()), args)
    work.mkdir(parents=True, exist_ok=True)
    sizes = [int(x) for x in args.tasks.split(",") if x.strip()]
    results: list[dict[str, Any]] = []
    w = ["--workers", str(args.workers)]
    for n in sizes:
        export = ensure_export(work, n, args.seed)
        mb = export.stat().st_size / 1e6
        modes = [("default", DEFAULT, None), ("strict", STRICT, None)]
        if args.baseline_src:
            modes.append(("baseline", f"{BASELINE} ({args.baseline_src.name})", args.baseline_src))
        for mode, stage, source in modes:
            runs = sorted((run_stage(["stream", str(export), str(work / f"stream-{n}"), mode, *w], source)
                           for _ in range(args.repeat)), key=lambda r: r["seconds"])
            s = runs[len(runs) // 2]
            spread = "" if len(runs) == 1 else (f"median of {len(runs)} runs, wall {runs[0]['seconds']:.1f}-"
                                                f"{runs[-1]['seconds']:.1f} s; ")
            results.append({"stage": stage, "n": n, "mb": mb, **s,
                            "notes": f"{spread}{s['issues']} issues; {s['reference_tasks']:,} tasks via the "
                                     f"reference path; rows {s['rows']}"})
            print(results[-1], flush=True)
        for decoder in ("typed", "orjson"):
            lim = run_stage(["limit", str(export), str(work / f"limit-{n}"), str(work / f"stream-{n}"), decoder,
                             *w])
            results.append({"stage": f"limit ({decoder} decode + write)", "n": n, "mb": mb, **lim,
                            "notes": f"decode {lim['decode_seconds']:.1f} s + write {lim['write_seconds']:.1f} s"})
            print(results[-1], flush=True)
    peer_export = ensure_export(work, args.peer_tasks, args.seed)
    p = run_stage(["peer", str(peer_export), str(work / "peer-out")])
    results.append({"stage": "peer (label-studio-sdk CONLL2003)", "n": args.peer_tasks,
                    "mb": peer_export.stat().st_size / 1e6, **p, "notes": "1 process"})
    print(results[-1], flush=True)

    (work / "results.json").write_text(json.dumps(results, indent=2))
    return _report(results, args)


def _rate(r: dict[str, Any]) -> float:
    return float(r["tasks"] / r["seconds"])


def _per_cpu(r: dict[str, Any]) -> float:
    return float(r["tasks"] / r["cpu_seconds"])


def goal_checks(results: list[dict[str, Any]]) -> list[str]:
    """One line per goal and N: the measured ratio, the goal, met or not (a goal without its reference row is
    said to be unmeasured, never met)."""
    ok = {True: "met", False: "NOT met"}
    streams = [r for r in results if "stream" in r["stage"]]
    p = next((r for r in results if r["stage"].startswith("peer")), None)
    checks = []
    for r in streams:
        n = r["n"]
        baseline = next((b for b in streams if b["stage"].startswith(BASELINE) and b["n"] == n), None)
        limit = next((x for x in results if x["stage"] == "limit (typed decode + write)" and x["n"] == n), None)
        line = f"- {r['stage']}, {n:,} tasks: {_rate(r):,.0f} tasks/s wall, {_per_cpu(r):,.0f} tasks per CPU-s"
        goal = GOALS.get(r["stage"])
        if goal is not None:
            if baseline is None:
                line += f"; vs the baseline: not measured (goal >= {goal:.1f}x)"
            else:
                ratio, per_cpu = _rate(r) / _rate(baseline), _per_cpu(r) / _per_cpu(baseline)
                line += (f"; {ratio:.2f}x the baseline's wall rate (goal >= {goal:.1f}x: {ok[ratio >= goal]}), "
                         f"{per_cpu:.2f}x its tasks per CPU-s (same goal: {ok[per_cpu >= goal]})")
        if r["stage"] == DEFAULT:
            if limit is None:
                line += f"; vs the typed limit per CPU-s: not measured (goal >= {LIMIT_SHARE:.0%})"
            else:
                share = _per_cpu(r) / _per_cpu(limit)
                line += (f"; {share:.0%} of the typed decode+write limit's {_per_cpu(limit):,.0f} tasks per CPU-s "
                         f"(goal >= {LIMIT_SHARE:.0%}: {ok[share >= LIMIT_SHARE]})")
        if p is not None:
            line += f"; {_rate(r) / _rate(p):.1f}x the peer's {_rate(p):,.0f} tasks/s"
        line += f"; peak PSS {r['pss_kb'] / 1024:,.0f} MB (goal < 1,024 MB: {ok[r['pss_kb'] < 1024 * 1024]})"
        checks.append(line)
    for stage in dict.fromkeys(r["stage"] for r in streams):
        same = sorted((r for r in streams if r["stage"] == stage), key=lambda r: r["n"])
        if len(same) >= 2:
            growth = same[-1]["pss_kb"] / same[0]["pss_kb"]
            checks.append(f"- {stage}: peak PSS at {same[-1]['n']:,} / at {same[0]['n']:,}: {growth:.2f}x "
                          f"(goal <= 1.25x: {ok[growth <= 1.25]})")
    return checks


def _report(results: list[dict[str, Any]], args: argparse.Namespace) -> int:
    """The section for docs/performance.md, from the results of a run (also re-rendered with --render-only)."""
    work = args.workdir
    command = f"python benchmarks/build_scale.py --tasks {args.tasks} --peer-tasks {args.peer_tasks} " \
              f"--repeat {args.repeat} --seed {args.seed} --workers {args.workers} --workdir {work}" + \
              (f" --baseline-src {args.baseline_src}" if args.baseline_src else "")
    loads = [r["load_before"] for r in results if "load_before" in r]
    cores = os.cpu_count() or 1
    if not loads:
        machine = f"Machine: {cores} cores."
    elif max(loads) < 1.0:
        machine = (f"Machine: {cores} cores, otherwise idle while measured (1-minute load average before each "
                   f"stage {min(loads):.1f}-{max(loads):.1f}).")
    else:
        machine = (f"Machine: {cores} cores, SHARED with other jobs while measured: the 1-minute load average "
                   f"before each stage was {min(loads):.1f}-{max(loads):.1f} (column \"load before\"), so wall "
                   "rates are lower and noisier than on an idle machine; CPU-second rates are steadier.")
    body = "\n".join([
        "## Scale: streaming build (issues 9, 29)", "",
        f"{machine} Command (exports are generated once and cached under the workdir; ~16 KB of compact JSON "
        "per task):",
        "", "```", command, "```", "",
        *fmt_rows(results, args.workers), "", *goal_checks(results), "", NOTES,
    ])
    print(body)
    if args.doc:
        write_doc(args.doc, body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
