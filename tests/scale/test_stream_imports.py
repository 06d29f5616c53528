"""What the streaming build imports: scikit-learn (~0.8 s of CPU) only serves the release's stance scores, and every
stream-build stage used to pay it through corpus.release.build (issue 29: the CPU per stage is what is compared)."""

from __future__ import annotations

import subprocess
import sys


def _modules_after(statement: str) -> set[str]:
    code = f"import sys\n{statement}\nprint('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return set(out.split())


def test_the_streaming_build_does_not_import_scikit_learn() -> None:
    modules = _modules_after("import corpus.scale.stream")
    assert "corpus.release.build" in modules  # the stream does import the release code ...
    assert not any(name == "sklearn" or name.startswith("sklearn.") for name in modules)  # ... but not sklearn


def test_stance_scores_still_use_scikit_learn() -> None:
    modules = _modules_after("from corpus.release.scoring.stance import score_stance\n"
                             "score_stance([({'t': 'for'}, {'t': 'against'})], ['t'])")
    assert "sklearn.metrics" in modules
