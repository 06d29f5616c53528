"""Engines benchmark (issue 18): bulk suggestions and the streaming build, local pool vs Ray, each in its own process.

    python benchmarks/ray_scale.py --articles 2000 --tasks 50000 [--workdir /tmp/bench] [--doc docs/performance.md]

Stages (inputs are generated once and cached under the workdir; nothing is written to the repo but --doc):
  bulk local 1 / 2   corpus.scale.bulk.bulk_suggest(ARTICLES, OUT, workers=1 | 2): the whole call, including the
                     pool's start and each worker's model load
  bulk ray           the same on Ray (engine="ray": Ray Data, 2 actors), Ray started (ray.init, 2 CPUs) before the clock
                     starts; the start is reported apart
  spacy pipe 1 / 2   spaCy's own nlp.pipe(texts, n_process=1 | 2) over the English articles' clean texts: the
                     entity part alone, as the reference for what spaCy itself gets from two processes
  stream local / ray corpus.scale.stream.stream_build(EXPORT, OUT, workers=2 [, engine="ray"]) on --tasks tasks,
                     every task checked against the seed table of its synthetic document (build_scale.py's), which
                     Ray workers get through the object store once
The bulk stages' outputs must be byte-identical; the table says whether they were.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
START, END = "<!-- engines:start -->", "<!-- engines:end -->"


def _ray_start() -> float:
    import ray  # the optional scale extra

    started = time.perf_counter()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    return time.perf_counter() - started


def stage_bulk(articles: Path, out: Path, engine: str, workers: int) -> dict[str, Any]:
    from corpus.scale import bulk

    shutil.rmtree(out, ignore_errors=True)
    ray_start = _ray_start() if engine == "ray" else 0.0
    result = bulk.bulk_suggest(articles, out, engine=engine, workers=workers)
    digest = hashlib.sha256((out / bulk.OUTPUT_NAME).read_bytes()).hexdigest()
    return {"seconds": result.seconds, "items": result.articles, "ray_start": ray_start, "sha256": digest,
            "model_loads": sorted(result.model_loads.values())}


def stage_spacy(articles: Path, processes: int) -> dict[str, Any]:
    import orjson

    from corpus.ingest import clean
    from corpus.suggest import preannotate

    texts = []
    for line in articles.read_bytes().splitlines():
        record = orjson.loads(line)
        html = "html" in record
        doc = clean.clean_bytes(record["html" if html else "text"].encode(), str(record["id"]), None,
                                f"{record['id']}.html" if html else "")
        if doc.language == "en":
            texts.append(doc.text)
    nlp = preannotate._spacy_en()
    assert nlp is not None
    started = time.perf_counter()
    entities = sum(len(d.ents) for d in nlp.pipe(texts, n_process=processes, batch_size=32))
    return {"seconds": time.perf_counter() - started, "items": len(texts), "entities": entities}


def stage_stream(export: Path, out: Path, engine: str) -> dict[str, Any]:
    from corpus.scale import stream
    from corpus.scale.seedtable import FORMAT

    shutil.rmtree(out, ignore_errors=True)
    refs = pickle.loads(export.with_suffix(f".seedtable-v{FORMAT}.pickle").read_bytes())  # build_scale.table_path
    ray_start = _ray_start() if engine == "ray" else 0.0
    result = stream.stream_build(export, out, workers=2, engine=engine, allow_invalid=True, refs=refs)
    digest = hashlib.sha256((out / "SHA256SUMS").read_bytes()).hexdigest()
    return {"seconds": result.seconds, "items": result.tasks, "ray_start": ray_start, "sha256": digest}


def run_stage(argv: list[str]) -> dict[str, Any]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    load = os.getloadavg()[0]
    proc = subprocess.run([sys.executable, __file__, "--stage", *argv], capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise SystemExit(f"stage {argv} failed:\n{proc.stderr[-3000:]}")
    result = dict(json.loads(proc.stdout.strip().splitlines()[-1]))
    result["load_before"] = load
    print(argv[0], result, flush=True)
    return result


def write_doc(doc: Path, body: str) -> None:
    """Replace only this benchmark's section of the file."""
    text = doc.read_text(encoding="utf-8")
    section = f"{START}\n{body.rstrip()}\n{END}"
    if START in text and END in text:
        text = re.sub(re.escape(START) + r".*?" + re.escape(END), lambda _: section, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    tmp = doc.with_name(f".{doc.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, doc)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--tasks", type=int, default=50000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/bench"))
    parser.add_argument("--doc", type=Path, default=None, help="write the results section into this file")
    parser.add_argument("--skip-stream", action="store_true", help="only the bulk-suggestion stages")
    parser.add_argument("--stage", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.stage:
        name, *rest = args.stage
        if name == "bulk":
            out = stage_bulk(Path(rest[0]), Path(rest[1]), rest[2], int(rest[3]))
        elif name == "spacy":
            out = stage_spacy(Path(rest[0]), int(rest[1]))
        else:
            out = stage_stream(Path(rest[0]), Path(rest[1]), rest[2])
        print(json.dumps(out))
        return 0

    sys.path.insert(0, str(HERE))
    import articles as gen

    work = args.workdir
    work.mkdir(parents=True, exist_ok=True)
    source = work / f"articles-{args.articles}-s{args.seed}.jsonl"
    if not source.is_file():
        gen.write_articles(source, args.articles, args.seed)
    kb = source.stat().st_size / args.articles / 1024
    rows: list[tuple[str, dict[str, Any], str]] = []
    one = run_stage(["bulk", str(source), str(work / "bulk-1"), "local", "1"])
    two = run_stage(["bulk", str(source), str(work / "bulk-2"), "local", "2"])
    on_ray = run_stage(["bulk", str(source), str(work / "bulk-ray"), "ray", "2"])
    pipe1 = run_stage(["spacy", str(source), "1"])
    pipe2 = run_stage(["spacy", str(source), "2"])
    same = one["sha256"] == two["sha256"] == on_ray["sha256"]
    rows += [("bulk suggestions, local engine, 1 worker", one, f"model loads per worker {one['model_loads']}"),
             ("bulk suggestions, local engine, 2 workers", two, f"model loads per worker {two['model_loads']}"),
             ("bulk suggestions, Ray engine (Ray Data), 2 actors", on_ray,
              f"+ {on_ray['ray_start']:.1f} s ray.init before; model loads per actor {on_ray['model_loads']}"),
             ("spaCy nlp.pipe, n_process=1 (entities only, English articles)", pipe1, f"{pipe1['entities']:,} "
              "entities"),
             ("spaCy nlp.pipe, n_process=2 (entities only, English articles)", pipe2, f"{pipe2['entities']:,} "
              "entities")]

    def rate(r: dict[str, Any]) -> float:
        return float(r["items"]) / float(r["seconds"])

    ok = {True: "met", False: "NOT met"}
    checks = [f"- local engine, 2 workers / 1 worker: {rate(two) / rate(one):.2f}x (goal >= 1.6x: "
              f"{ok[rate(two) / rate(one) >= 1.6]})",
              f"- Ray engine / local engine (2 workers each): {rate(on_ray) / rate(two):.2f}x (goal >= 0.75x: "
              f"{ok[rate(on_ray) / rate(two) >= 0.75]})",
              f"- spaCy's own nlp.pipe: n_process=2 / n_process=1: {rate(pipe2) / rate(pipe1):.2f}x",
              f"- the three bulk outputs are byte-identical: {'yes' if same else 'NO'}"]
    if not args.skip_stream:
        sys.path.insert(0, str(HERE))

        import build_scale  # its export and the seed table of its synthetic documents

        export = build_scale.ensure_export(work, args.tasks, args.seed)
        local = run_stage(["stream", str(export), str(work / "stream-local"), "local"])
        ray_run = run_stage(["stream", str(export), str(work / "stream-ray"), "ray"])
        rows += [("stream-build, local engine, 2 workers", local, ""),
                 ("stream-build, Ray engine (2 CPUs)", ray_run, f"+ {ray_run['ray_start']:.1f} s ray.init before")]
        ratio = ray_run["seconds"] / local["seconds"]
        checks += [f"- stream-build on Ray / local, wall time at {args.tasks:,} tasks: {ratio:.2f}x (goal <= 1.4x: "
                   f"{ok[ratio <= 1.4]}); same Parquet bytes (SHA256SUMS equal): "
                   f"{'yes' if ray_run['sha256'] == local['sha256'] else 'NO'}"]
    loads = [r["load_before"] for _, r, _ in rows]
    command = (f"python benchmarks/ray_scale.py --articles {args.articles} --tasks {args.tasks} --seed {args.seed} "
               f"--workdir {work}" + (" --skip-stream" if args.skip_stream else ""))
    table = ["| stage | items | wall s | items/s | 1-min load average before | notes |",
             "| --- | ---: | ---: | ---: | ---: | --- |"]
    table += [f"| {name} | {r['items']:,} | {r['seconds']:.1f} | {rate(r):,.1f} | {r['load_before']:.1f} | {note} |"
              for name, r, note in rows]
    body = "\n".join([
        "## Engines: local pool vs Ray (issue 18)", "",
        f"Machine: {os.cpu_count()} cores, shared: the 1-minute load average before each stage was "
        f"{min(loads):.1f}-{max(loads):.1f} (below 1 means the machine was otherwise idle). Articles: "
        f"{args.articles:,} generated by benchmarks/articles.py (~{kb:.1f} KB of JSON each, English and Spanish, "
        "every fifth as HTML). Command:", "", "```", command, "```", "", *table, "", *checks,
    ])
    print(body)
    if args.doc:
        write_doc(args.doc, body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
