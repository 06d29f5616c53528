"""benchmarks/fastpath_parts.py measures what it says on a small synthetic export (its numbers are not checked here:
speed lives in benchmarks, docs/performance.md holds them)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from fixtures_synth import ROOT, synth

SCRIPT = ROOT / "benchmarks" / "fastpath_parts.py"


def test_the_parts_of_a_worker_are_measured_on_every_task(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import build_scale

    export = tmp_path / "export-60-s0.json"
    synth.write_export(export, 60, seed=0)  # in this process: ensure_export would fork a pool for it
    export = build_scale.ensure_export(tmp_path, 60, 0)  # the seed references beside it
    done = subprocess.run([sys.executable, str(SCRIPT), "--measure", str(export), "3",
                           str(build_scale.table_path(export))], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["tasks"] == 60 and got["claims_timed"] is True
    parts = got["us_per_task"]
    assert set(parts) == {"read", "decode", "fast path", "claims", "tables", "region"}
    assert all(value > 0 for value in parts.values()), parts
    assert parts["claims"] < parts["fast path"] < parts["region"]
    assert all(path.endswith(".py") for path in got["modules"].values())  # this tree, not a compiled copy


def test_the_report_gives_median_and_range_and_says_what_was_not_timed() -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import fastpath_parts

    def run(scale: float, timed: bool = True) -> dict[str, object]:
        return {"tasks": 10, "claims_timed": timed,
                "us_per_task": {part: scale * (k + 1) for k, part in enumerate(fastpath_parts.PARTS)}}

    text = fastpath_parts.report({"python": [run(1), run(3), run(2)], "mypyc": [run(1, timed=False)]}, "cmd")
    rows = {line.split(" | ")[0].strip("| "): line for line in text.splitlines() if line.startswith("| ")}
    assert rows["python"] == "| python | 10 | 2 (1-3) | 4 (2-6) | 6 (3-9) | 8 (4-12) | 10 (5-15) | 12 (6-18) |"
    assert rows["mypyc"] == "| mypyc | 10 | 1 | 2 | 3 | not timed | 5 | 6 |"
    assert text.startswith(fastpath_parts.START) and text.endswith(fastpath_parts.END) and "cmd" in text
