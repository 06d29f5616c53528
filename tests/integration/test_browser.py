"""An annotator's whole round trip in a real browser (Debian's chromium via Playwright) against the real server.

`corpus ls annotate` runs as a subprocess on a copy of two seeds (one English, one Spanish); the browser logs in,
works through the label stream like an annotator, then `corpus ls pull` finds that server by itself and the stored
export validates. SIGTERM then stops the CLI and the server. Screenshots of every step are written to the test's
tmp folder. The test fails, never skips, when the browser or the server cannot start.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson
import pytest
from playwright.sync_api import Locator, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from corpus.core.errors import UserError
from corpus.core.models import AnnotationSet
from corpus.gold.convert import convert_export
from corpus.gold.validate import validate_export
from corpus.ingest.clean import load_documents
from corpus.labelstudio import client, server
from corpus.labelstudio import config as c
from corpus.suggest.preannotate import suggest
from fixtures_browser import CHROMIUM, browser_page, log_in

pytestmark = pytest.mark.labelstudio

ROOT = Path(__file__).resolve().parents[2]
EN, ES = "002_be4fb8517e337c1b", "003_996e9e76d38065fe"
# Names the suggester may or may not have found: the test draws the first one no suggestion touches.
NEW_ENTITY_CANDIDATES = ("Sergei Ryabkov", "Tareck El Aissami", "Yuri Borisov", "Vladimir Putin")
CLAIM = "more than a dozen other countries"
CLAIMANT = "State Department"
EVIDENCE = "undermining democratic institutions to hold onto power"  # a STANCE span, held by HOLDER
HOLDER = "European Union"
# (drags, clicks, keys) of the same steps with the config before issue 28 (digit keys for the qualifier, f/a for
# the polarity, no key for unit, kind or target), measured by test_gestures_with_the_config_before_issue_28: the
# claim and its relation as this test's previous version did them; the STANCE span by its key, a drag, a click
# for the target and a key for the polarity; its relation like the claim's (the Relations tab stays open).
BEFORE = {"claim": (1, 5, 4), "claim relation": (0, 6, 1), "stance": (1, 1, 2), "stance relation": (0, 5, 1)}
STANCES = {"maduro_government": "against", "russia_venezuela_military_cooperation": "neutral",
           "us_policy_toward_venezuela": "not_addressed"}
# The character rectangle of the `nth` occurrence of `surface` in the task text (scrolled into view).
SURFACE_BOX_JS = """([surface, nth]) => {
  const root = document.querySelector('.lsf-richtext');
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes = []; let text = '';
  while (walker.nextNode()) { nodes.push([walker.currentNode, text.length]); text += walker.currentNode.data; }
  let at = -1;
  for (let i = 0; i <= nth; i++) { at = text.indexOf(surface, at + 1); if (at < 0) return null; }
  const locate = (off) => {
    for (const [n, s] of nodes) if (off >= s && off <= s + n.data.length) return [n, off - s];
  };
  const [sn, so] = locate(at), [en, eo] = locate(at + surface.length);
  sn.parentElement.scrollIntoView({block: 'center'});
  const range = document.createRange(); range.setStart(sn, so); range.setEnd(en, eo);
  const rects = range.getClientRects(), a = rects[0], b = rects[rects.length - 1];
  return [a.left + 1, a.top + a.height / 2, b.right - 1, b.top + b.height / 2];
}"""


@dataclass
class Annotate:
    """A running `corpus ls annotate` subprocess and what it printed."""

    root: Path
    process: subprocess.Popen[str]
    output: list[str]
    url: str
    server_pid: int

    @property
    def state(self) -> Path:
        return server.state_dir(self.root)


def repo_copy(tmp: Path, seeds: tuple[str, ...]) -> Path:
    """A minimal checkout: the given seeds with their sources, the guidelines, a copy of the migrated data dir."""
    root = tmp / "repo"
    (root / "seeds").mkdir(parents=True)
    shutil.copyfile(ROOT / "taxonomy.toml", root / "taxonomy.toml")
    shutil.copyfile(ROOT / "corpus.toml", root / "corpus.toml")
    shutil.copyfile(ROOT / "cleaning_rules.toml", root / "cleaning_rules.toml")
    shutil.copyfile(ROOT / "gazetteer.toml", root / "gazetteer.toml")
    for doc_id in seeds:
        shutil.copy2(ROOT / "seeds" / f"{doc_id}.txt", root / "seeds")
    shutil.copy2(ROOT / "seeds" / "sources.toml", root / "seeds")
    (root / "docs").mkdir()
    shutil.copy2(ROOT / "docs" / "guidelines.md", root / "docs")
    (root / "annotations").mkdir()
    (root / "pyproject.toml").write_text("", encoding="utf-8")
    venv = Path(os.environ.get("CORPUS_LS_VENV") or ROOT / ".venv-labelstudio")
    try:
        cache = server.migrated_cache(server.state_dir(ROOT) / "cache", venv)
    except UserError as exc:
        pytest.fail(f"Label Studio could not start: {exc}", pytrace=False)
    shutil.copytree(cache, server.state_dir(root) / "cache" / server.LS_VERSION, symlinks=True)
    return root


def corpus_env(root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LABEL_STUDIO_URL", "LABEL_STUDIO_API_KEY")}
    env["CORPUS_ROOT"] = str(root)
    env["CORPUS_LS_VENV"] = str(Path(os.environ.get("CORPUS_LS_VENV") or ROOT / ".venv-labelstudio"))
    return env


def corpus_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "corpus", *args]


def start_annotate(root: Path, ignore_sigint: bool = False, timeout: float = 240.0) -> Annotate:
    """`corpus ls annotate` as a subprocess; `ignore_sigint` starts it as a shell does a background job (`cmd &`)."""
    def background() -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    process = subprocess.Popen(corpus_cmd("ls", "annotate"), env=corpus_env(root), cwd=root, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               preexec_fn=background if ignore_sigint else None)
    output: list[str] = []
    deadline = time.monotonic() + timeout
    assert process.stdout is not None
    os.set_blocking(process.stdout.fileno(), False)
    while not any(line.startswith("  stop:") for line in output):
        if process.poll() is not None or time.monotonic() > deadline:
            rest = process.stdout.read() or ""
            process.kill()
            pytest.fail("`corpus ls annotate` did not come up:\n" + "".join(output) + rest, pytrace=False)
        line = process.stdout.readline()
        if line:
            output.append(line)
        else:
            time.sleep(0.2)
    record = orjson.loads(server.state_file(server.state_dir(root)).read_bytes())
    return Annotate(root, process, output, record["url"], record["server_pid"])


def group_alive(pgid: int) -> list[int]:
    """Processes still in the server's process group (the server was started in its own session)."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            alive.append(int(stat.parent.name))
    return alive


def stop_and_check(run: Annotate, sig: signal.Signals) -> str:
    """Send `sig` to the CLI; it must exit 0 and leave no Label Studio process behind."""
    run.process.send_signal(sig)
    try:
        run.process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        run.process.kill()
        pytest.fail(f"`corpus ls annotate` ignored {sig.name}", pytrace=False)
    assert run.process.stdout is not None
    os.set_blocking(run.process.stdout.fileno(), True)
    tail = run.process.stdout.read()
    assert run.process.returncode == 0, tail
    assert group_alive(run.server_pid) == []
    assert not server.state_file(run.state).exists()
    return tail


# ---- browser helpers ----------------------------------------------------------------------------------------
class Shots:
    def __init__(self, page: Page, folder: Path):
        self.page, self.folder, self.n = page, folder, 0
        folder.mkdir(parents=True, exist_ok=True)

    def __call__(self, name: str) -> Path:
        self.n += 1
        path = self.folder / f"{self.n:02d}-{name}.png"
        self.page.screenshot(path=path)
        return path


def surface_box(page: Page, surface: str, nth: int = 0) -> list[float]:
    box = page.evaluate(SURFACE_BOX_JS, [surface, nth])
    assert box, f"{surface!r} is not in the task text"
    return list(box)


class Gestures:
    """Counts what an annotator does (drags, clicks, key presses) per named step."""

    def __init__(self) -> None:
        self.counts: dict[str, list[int]] = {}
        self.step = "setup"

    def start(self, step: str) -> None:
        self.step = step
        self.counts.setdefault(step, [0, 0, 0])

    def add(self, drags: int = 0, clicks: int = 0, keys: int = 0) -> None:
        count = self.counts.setdefault(self.step, [0, 0, 0])
        count[0] += drags
        count[1] += clicks
        count[2] += keys

    def click(self, target: Locator) -> None:
        target.click()
        self.add(clicks=1)

    def key(self, page: Page, key: str) -> None:
        page.keyboard.press(key)
        self.add(keys=1)

    def type(self, page: Page, text: str) -> None:
        page.keyboard.type(text)
        self.add(keys=len(text))


def drag(page: Page, surface: str) -> None:
    x1, y1, x2, y2 = surface_box(page, surface)
    page.mouse.move(x1, y1)
    page.mouse.down()
    page.mouse.move(x2, y2, steps=5)
    page.mouse.up()


def draw(page: Page, hotkey: str, surface: str, gestures: Gestures | None = None, label: str | None = None) -> None:
    """Label first, then select: press the label's key, then drag the mouse over `surface`.

    With `label`, the drag waits until that label is armed: on a loaded machine a key pressed while a drop-down
    is still closing can be lost, and the drag would then draw with the label armed before. A lost key is pressed
    once more (not counted: the annotator sees the label light up and would do the same)."""
    page.keyboard.press(hotkey)
    if label is not None:
        armed = page.locator(".lsf-label_selected >> visible=true", has_text=label).first
        try:
            armed.wait_for(timeout=5_000)
        except PlaywrightTimeout:
            page.keyboard.press(hotkey)
            armed.wait_for()
    drag(page, surface)
    if gestures is not None:
        gestures.add(drags=1, keys=1)


# How many region highlights hold `text` (case and spaces as written, unlike Playwright's has_text).
HIGHLIGHTS_WITH_JS = ("text => [...document.querySelectorAll('span.htx-highlight')]"
                      ".filter(e => e.textContent.includes(text)).length")


def draw_selected(page: Page, hotkey: str, surface: str, label: str, gestures: Gestures) -> None:
    """draw(), then the new region's fields without a click ("Selected <label>").

    Label Studio selects a region it has just created from a timer, and only if the region is still alive then;
    under load it sometimes is not (CI, 2026-12-06: the CLAIM drawn, nothing selected, the page otherwise well).
    The region is then undone (Ctrl+Z) and drawn once more, not counted: an annotator who sees no fields does the
    same or clicks. A second miss fails, so a broken select-after-create cannot pass."""
    header = page.get_by_text(f"Selected {label}")
    draw(page, hotkey, surface, gestures, label=label)
    try:
        header.wait_for(timeout=10_000)
        return
    except PlaywrightTimeout:
        print(f"select-after-create missed the {label} region over {surface!r}: undone and drawn again",
              file=sys.stderr)
    before = page.evaluate(f"text => ({HIGHLIGHTS_WITH_JS})(text)", surface)  # counted as the wait counts them
    page.keyboard.press("Control+z")
    page.wait_for_function(f"([n, text]) => ({HIGHLIGHTS_WITH_JS})(text) < n", arg=[before, surface])
    draw(page, hotkey, surface, label=label)
    header.wait_for()


def highlight(page: Page, surface: str) -> None:
    """Click a region where its text starts."""
    x1, y1, _, _ = surface_box(page, surface)
    page.mouse.click(x1 + 4, y1)


def click_until(page: Page, surface: str, shown: Locator, gestures: Gestures | None = None) -> None:
    """Click a region until `shown` appears: Label Studio swallows the first click after a text selection."""
    for _ in range(2):
        highlight(page, surface)
        if gestures is not None:
            gestures.add(clicks=1)
        try:
            shown.first.wait_for(timeout=3_000)
            return
        except PlaywrightTimeout:
            continue
    shown.first.wait_for()


def claimant_id(aset: AnnotationSet, surface: str) -> str:
    (entity,) = [e for e in aset.entities if e.text == surface]
    return entity.id


def choices_under(page: Page, header: str) -> Locator:
    """The radio group right after the field header that starts with `header` (the config names every field)."""
    return page.locator(f"h4:has-text('{header}') + .lsf-choices >> visible=true").first


def set_document_stance(page: Page, stances: dict[str, str]) -> None:
    for target, label in stances.items():
        choices_under(page, f"{target}:").get_by_text(label, exact=True).click()


@pytest.fixture(scope="module")
def annotated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Annotate, Path]]:
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing (apt-get install -y chromium; `make test` does it)", pytrace=False)
    tmp = tmp_path_factory.mktemp("browser")
    run = start_annotate(repo_copy(tmp, (EN, ES)))
    try:
        yield run, tmp / "screenshots"
    finally:
        if run.process.poll() is None:
            run.process.kill()
            run.process.wait()
            for pid in group_alive(run.server_pid):
                os.kill(pid, signal.SIGKILL)


def test_annotate_prints_how_to_annotate_and_pull_without_secrets(annotated: tuple[Annotate, Path]) -> None:
    run, _ = annotated
    text = "".join(run.output)
    creds = orjson.loads((run.state / "data" / server.CREDENTIALS).read_bytes())
    assert f"{run.url}/projects/" in text and "corpus ls pull" in text and "Label All Tasks" in text
    assert creds["username"] in text
    assert creds["password"] not in text and creds["token"] not in text
    assert (run.state / "data" / server.CREDENTIALS).stat().st_mode & 0o077 == 0


def select_after_create(page: Page) -> None:
    """The per-browser setting the instructions ask for: select a region right after drawing it."""
    page.locator("button[aria-label='Settings']").click()
    page.get_by_text("Select region after creating it").click()
    title = page.get_by_text("Labeling Interface Settings")
    for _ in range(3):  # the dialog may still be opening when the first Escape arrives
        page.keyboard.press("Escape")
        try:
            title.wait_for(state="hidden", timeout=2_000)
            return
        except PlaywrightTimeout:
            continue
    title.wait_for(state="hidden")


def selected_or_click(page: Page, surface: str, header: Locator) -> None:
    """The old config's fields of a region just drawn. On a loaded machine the old config sometimes misses the
    select-after-create; one click on the region then selects it. It is not counted: with the setting on, the
    annotator needs none, and the AFTER test proves its own selection without this help."""
    try:
        header.wait_for(timeout=5_000)
    except PlaywrightTimeout:
        click_until(page, surface, header)


def test_gestures_with_the_config_before_issue_28(annotated: tuple[Annotate, Path]) -> None:
    """The same claim and STANCE span with the previous config, in its own project: measures BEFORE."""
    run, shots_dir = annotated
    creds = orjson.loads((run.state / "data" / server.CREDENTIALS).read_bytes())
    ls = client.connect(run.url, creds["token"])
    old = (ROOT / "tests" / "data" / "labelstudio" / "labelstudio-before-issue-28.xml").read_text(encoding="utf-8")
    (doc,) = [d for d in load_documents(run.root) if d.doc_id == EN]
    project = ls.projects.create(title="before-issue-28", label_config=old)
    client.import_tasks(ls, int(project.id), [client.build_task(doc)])
    gestures = Gestures()
    with browser_page() as page:
        shot = Shots(page, shots_dir.parent / "before-screenshots")
        log_in(page, run.url, creds["username"], creds["password"])
        page.goto(f"{run.url}/projects/{project.id}/data")
        page.get_by_text("Label All Tasks").click()
        page.get_by_text("Venezuela's leader pledges military cooperation").first.wait_for()
        select_after_create(page)
        shot("task")
        for entity in (CLAIMANT, HOLDER):  # the task has no suggestions here
            draw(page, "o", entity)
            page.locator("span.htx-highlight", has_text=entity).first.wait_for()
            page.keyboard.press(c.UNSELECT_KEY)

        gestures.start("claim")
        draw(page, "c", CLAIM, gestures)
        selected_or_click(page, CLAIM, page.get_by_text("Selected CLAIM"))
        gestures.click(page.locator("input[name=claim_value]"))
        gestures.type(page, "12")
        gestures.click(page.locator(".lsf-choices_layout_select [data-testid=select-trigger] >> visible=true"))
        gestures.click(page.get_by_role("option", name="country", exact=True))
        gestures.click(page.get_by_text("qualifier (keys").first)  # off the drop-down, back to the form
        gestures.key(page, "3")  # the qualifier's digit key: at_least
        gestures.click(choices_under(page, "kind").get_by_text("count", exact=True))
        state = field_state(page)
        assert state == {"value": "12", "value_max": "", "unit": "country", "checked": ["at_least", "count"]}, state
        shot("claim")
        gestures.start("claim relation")
        relate(page, gestures, CLAIMANT, "claimed_by")

        gestures.start("stance")
        draw(page, "s", EVIDENCE, gestures)
        selected_or_click(page, EVIDENCE, page.get_by_text("Selected STANCE"))
        gestures.click(choices_under(page, "stance_target").get_by_text("maduro_government", exact=True))
        gestures.key(page, "a")  # the polarity's key: against
        assert checked(page) == ["against", "maduro_government"]
        gestures.start("stance relation")
        relate(page, gestures, HOLDER, "holds")
        shot("stance")
    measured = {step: tuple(gestures.counts[step]) for step in BEFORE}
    print("gestures before issue 28 (drags, clicks, keys):", measured)
    assert measured == BEFORE


def test_an_annotators_round_trip_in_chromium(annotated: tuple[Annotate, Path]) -> None:
    run, shots_dir = annotated
    creds = orjson.loads((run.state / "data" / server.CREDENTIALS).read_bytes())
    with browser_page() as page:
        shot = Shots(page, shots_dir)
        plan = plan_for(run.root)
        gestures = annotate_in_browser(page, shot, run.url, creds["username"], creds["password"], plan)

    # `corpus ls pull` finds the local server through the state file, no environment needed
    pulled = subprocess.run(corpus_cmd("ls", "pull"), env=corpus_env(run.root), cwd=run.root, text=True,
                            capture_output=True, timeout=120)
    assert pulled.returncode == 0, pulled.stderr
    assert "no problems" in pulled.stdout, pulled.stdout

    # what one claim and one STANCE span with their relations cost, before issue 28 and now
    after = {step: tuple(gestures.counts[step]) for step in BEFORE}
    (shots_dir.parent / "gestures.json").write_bytes(orjson.dumps({"before": BEFORE, "after": after}))
    print("gestures (drags, clicks, keys):", {step: (BEFORE[step], after[step]) for step in BEFORE})
    assert after["claim"] == (1, 1, 6) and after["stance"] == (1, 0, 3)
    assert sum(after["claim"][:2]) < sum(BEFORE["claim"][:2]), "a claim takes no fewer clicks than before"
    (export,) = sorted((run.root / "annotations").glob("export-*.json"))
    documents = load_documents(run.root)
    assert validate_export(export, documents) == []
    sets, issues = convert_export(export)
    assert issues == []
    by_doc = {s.doc_id: s for s in sets}
    assert sorted(by_doc) == [EN, ES]
    en, es = by_doc[EN], by_doc[ES]
    assert {(j.target, j.label) for j in en.stance} == set(STANCES.items())
    assert {(j.target, j.label) for j in es.stance} == set(STANCES.items())
    assert (plan.new_entity, "PER") in {(e.text, e.label) for e in en.entities}
    (claim,) = [c for c in en.claims if c.text == CLAIM]
    assert (claim.value, claim.value_max, claim.unit, claim.qualifier, claim.kind) == (
        12.0, None, "country", "at_least", "count")
    (evidence,) = [a for a in en.attributed if a.text == EVIDENCE]
    assert (evidence.target, evidence.polarity) == ("maduro_government", "against")
    assert sorted((r.type, r.from_id, r.to_id) for r in en.relations) == sorted([
        ("claimed_by", claim.id, claimant_id(en, CLAIMANT)), ("holds", claimant_id(en, HOLDER), evidence.id)])
    assert es.entities, "the Spanish task's suggestions were kept"
    assert en.prediction_model_version == es.prediction_model_version == client.MODEL_VERSION

    tail = stop_and_check(run, signal.SIGTERM)
    assert "Label Studio stopped" in tail


@dataclass(frozen=True)
class Plan:
    """What the English task's suggestions already hold, so the browser steps fit whatever the suggester found."""

    new_entity: str  # a name that is either unsuggested or suggested exactly: (deleted and) drawn by hand
    entity_suggested: bool
    claim_suggested: bool  # CLAIM is suggested exactly: delete it, then draw it by hand
    claimant_suggested: bool  # CLAIMANT is suggested exactly as an entity
    holder_suggested: bool  # HOLDER is suggested exactly as an entity


def plan_for(root: Path) -> Plan:
    (doc,) = [d for d in load_documents(root) if d.doc_id == EN]
    layers = suggest(doc).layers
    spans = [(s.start, s.end, s.text) for s in (*layers.entities, *layers.claims)]

    def touching(surface: str) -> list[str]:
        at = doc.text.index(surface)
        return [t for b, e, t in spans if not (e <= at or b >= at + len(surface))]

    for name in NEW_ENTITY_CANDIDATES:
        if doc.text.count(name) == 1 and set(touching(name)) <= {name} and len(touching(name)) <= 1:
            break
    else:
        raise AssertionError(f"no candidate is free or suggested exactly once: {NEW_ENTITY_CANDIDATES}")
    assert set(touching(CLAIM)) <= {CLAIM}, f"suggestions overlap {CLAIM!r}: {touching(CLAIM)}"
    assert not touching(EVIDENCE), f"suggestions overlap {EVIDENCE!r}: {touching(EVIDENCE)}"
    entities = {e.text for e in layers.entities}
    for surface in (CLAIMANT, HOLDER):
        assert set(touching(surface)) <= {surface}, f"suggestions overlap {surface!r}: {touching(surface)}"
    return Plan(name, bool(touching(name)), bool(touching(CLAIM)), CLAIMANT in entities, HOLDER in entities)


def delete_region(page: Page, surface: str) -> None:
    """Select a suggested region by clicking it, then delete it with Label Studio's key for that (Backspace)."""
    selected = page.locator("button[aria-label='Delete selected region'] >> visible=true")
    click_until(page, surface, selected)
    page.keyboard.press("Backspace")
    selected.first.wait_for(state="hidden")


def checked(page: Page) -> list[str]:
    """The values of every checked radio button shown (the selected region's and the document stance)."""
    return sorted(page.locator("input[type=radio]:checked >> visible=true").evaluate_all(
        "els => els.map(e => e.name)"))


def field_state(page: Page) -> dict[str, object]:
    """Everything the selected CLAIM's fields and the document stance hold, as the page shows it."""
    unit = page.locator(".lsf-choices_layout_select [data-testid^=select-trigger] >> visible=true").first
    return {"value": page.locator("input[name=claim_value]").input_value(),
            "value_max": page.locator("input[name=claim_value_max]").input_value(),
            "unit": unit.get_attribute("data-value"), "checked": checked(page)}


def focused_name(page: Page) -> str | None:
    name = page.evaluate("() => document.activeElement && document.activeElement.getAttribute('name')")
    return str(name) if name is not None else None


def relations_tab(page: Page, gestures: Gestures) -> None:
    """Show the Relations tab (a click only when another tab shows)."""
    tab = page.locator(".lsf-panel-tabs__tab >> visible=true", has_text="Relations").first
    if "active" not in (tab.get_attribute("class") or ""):
        gestures.click(tab)


def label_relation(page: Page, gestures: Gestures, label: str) -> None:
    """Give the newest relation its one label: the relation's labels button, the label."""
    item = page.locator(".lsf-relations__item >> visible=true").last
    item.hover()
    gestures.click(item.locator("button[aria-label='Show Relation Labels'], "
                                "button[aria-label='Hide Relation Labels']").first)
    gestures.click(page.locator(".lsf-relation-meta [data-testid^=select-trigger] >> visible=true").last)
    option = page.get_by_role("option", name=label, exact=True)
    gestures.click(option)
    gestures.key(page, "Escape")
    # A drop-down left open takes the next drag's mouse-down (the drag then draws nothing): on a loaded machine
    # the Escape can land before the drop-down has opened fully, so it is pressed again (not counted).
    try:
        option.wait_for(state="hidden", timeout=3_000)
    except PlaywrightTimeout:
        page.keyboard.press("Escape")
        option.wait_for(state="hidden")


def relate(page: Page, gestures: Gestures, to_surface: str, label: str) -> None:
    """From the selected region to the region over `to_surface`, then label the relation."""
    relations_tab(page, gestures)
    before = page.locator(".lsf-relations__item").count()
    gestures.click(page.locator("button[aria-label='Create Relation'] >> visible=true").first)
    for _ in range(2):  # Label Studio swallows the first click after a text selection
        highlight(page, to_surface)
        gestures.add(clicks=1)
        page.wait_for_timeout(500)
        if page.locator(".lsf-relations__item").count() > before:
            break
    assert page.locator(".lsf-relations__item").count() == before + 1, "the relation was not created"
    label_relation(page, gestures, label)


def annotate_in_browser(page: Page, shot: Shots, url: str, email: str, password: str, plan: Plan) -> Gestures:
    gestures = Gestures()
    log_in(page, url, email, password)
    page.goto(f"{url}/projects/")
    page.get_by_text("venezuela-russia-news").first.click()

    # the task list opens on doc_id, title, language and the annotation state; technical columns are hidden
    page.get_by_text("[first words]").first.wait_for()  # the Spanish seed has no headline
    for wanted in ("doc_id", "title", "language", "Annotated by", "Completed"):
        assert page.get_by_text(wanted, exact=True).first.is_visible(), wanted
    for hidden in ("text", "raw_sha256", "guidelines_version", "Prediction results", "Upload", "Inner ID"):
        assert page.get_by_text(hidden, exact=True).count() == 0, hidden
    page.get_by_text("Problems", exact=True).first.wait_for()  # the tab `corpus ls pull` fills
    shot("task-list")
    page.get_by_text("Label All Tasks").click()

    # the guidelines are shown before labelling
    page.get_by_text("Labeling Instructions").wait_for()
    page.get_by_text("Using this labeling view").wait_for()
    page.get_by_text("Label first, then select the text").first.wait_for()
    page.get_by_text("Annotation guidelines (version").wait_for()
    shot("instructions")
    page.keyboard.press("Escape")
    page.get_by_text("Labeling Instructions").wait_for(state="hidden")
    select_after_create(page)

    # English task from the label stream: its suggestions are there
    page.get_by_text("Venezuela's leader pledges military cooperation").first.wait_for()
    page.locator("span.htx-highlight", has_text="Nicolas Maduro").first.wait_for()
    assert page.locator(".lsf-outliner-item >> visible=true").count() > 5
    shot("en-suggestions")

    if plan.entity_suggested:
        delete_region(page, plan.new_entity)
    # the gesture the instructions warn against: select the text, then click a label -> no region
    person = page.locator(".lsf-label", has_text="PER").first
    drag(page, plan.new_entity)
    person.click()
    page.wait_for_timeout(500)
    assert page.locator("span.htx-highlight", has_text=plan.new_entity).count() == 0
    page.keyboard.press("Escape")  # switches the label off again
    assert "lsf-label_selected" not in (person.get_attribute("class") or "")
    # the gesture that works: click the label (or press its key), then select the text
    person.click()
    drag(page, plan.new_entity)
    page.locator("span.htx-highlight", has_text=plan.new_entity).first.wait_for()
    page.keyboard.press(c.UNSELECT_KEY)
    shot("entity")

    # replace the suggested claim by one drawn by hand, its fields set by their keys, the value typed last
    if plan.claim_suggested:
        delete_region(page, CLAIM)
        shot("suggested-claim-deleted")
    if not plan.claimant_suggested:
        draw(page, "o", CLAIMANT)
        page.locator("span.htx-highlight", has_text=CLAIMANT).first.wait_for()
        page.keyboard.press(c.UNSELECT_KEY)
    if not plan.holder_suggested:
        draw(page, "o", HOLDER)
        page.locator("span.htx-highlight", has_text=HOLDER).first.wait_for()
        page.keyboard.press(c.UNSELECT_KEY)
    gestures.start("claim")
    draw_selected(page, c.CLAIM_HOTKEY, CLAIM, "CLAIM", gestures)  # selected at once: its fields, no click
    shot("claim-drawn")
    claim_box = surface_box(page, CLAIM)
    value = page.locator("input[name=claim_value]")
    field_box = value.bounding_box()
    assert field_box is not None and field_box["x"] > claim_box[2], "fields are not beside the text"
    assert 0 <= field_box["y"] < 900 and 0 <= claim_box[1] < 900, "claim and its fields are not both in view"
    keys = c.FIELD_HOTKEYS
    for field, choice in ((c.CLAIM_QUALIFIER, "at_least"), (c.CLAIM_KIND, "count"), (c.CLAIM_UNIT, "country")):
        gestures.key(page, c.key_name(keys[field][choice]))
    gestures.click(value)
    gestures.type(page, "12")
    filled = field_state(page)
    assert filled == {"value": "12", "value_max": "", "unit": "country", "checked": ["at_least", "count"]}, filled
    shot("claim-fields-by-keys")

    # no advertised key typed into the value box changes the value or any field (Label Studio ignores its
    # hotkeys while the cursor is in a box; none of them is a character a number box takes)
    gestures.start("check")
    for key in c.advertised_hotkeys():
        page.keyboard.press(key)
    assert field_state(page) == filled and focused_name(page) == c.CLAIM_VALUE
    # out of the box, the keys Label Studio would hand to unkeyed fields (digits among them) do nothing
    page.get_by_text("Selected CLAIM").click()
    assert focused_name(page) is None
    for key in c.reserved_keys():
        page.keyboard.press(key)
    assert field_state(page) == filled
    page.get_by_text("Selected CLAIM").wait_for()
    shot("keys-changed-nothing")

    # relation from the claim to its claimant, then its one label
    gestures.start("claim relation")
    relate(page, gestures, CLAIMANT, "claimed_by")
    shot("claim-relation")

    # a STANCE span: label key, drag, target and polarity by their keys, then its holder
    gestures.start("stance")
    draw_selected(page, c.STANCE_HOTKEY, EVIDENCE, "STANCE", gestures)
    gestures.key(page, c.key_name(keys[c.STANCE_TARGET]["maduro_government"]))
    gestures.key(page, c.key_name(keys[c.STANCE_POLARITY]["against"]))
    assert checked(page) == ["against", "maduro_government"]
    gestures.start("stance relation")
    relate(page, gestures, HOLDER, "holds")
    shot("stance-relation")
    gestures.start("submit")

    # submit without document stance: Label Studio names the missing field readably
    page.locator("button[aria-label='Submit current annotation']").click()
    page.get_by_text("Choose the document stance toward maduro_government").first.wait_for()
    shot("required-message")
    page.keyboard.press("Escape")
    set_document_stance(page, STANCES)
    shot("en-stance")
    page.keyboard.press("Control+Enter")  # Label Studio's submit key

    # Spanish task next in the stream: suggestions there too (one project model version)
    page.get_by_text("El líder del régimen venezolano").first.wait_for()
    page.locator("span.htx-highlight", has_text="Nicolás Maduro").first.wait_for()
    shot("es-suggestions")
    set_document_stance(page, STANCES)
    page.locator("button[aria-label='Submit current annotation']").click()
    page.get_by_text("El líder del régimen venezolano").first.wait_for(state="hidden")
    shot("done")
    return gestures


def test_sigint_stops_a_background_annotate_and_its_server(tmp_path: Path) -> None:
    """Started as `corpus ls annotate &` (SIGINT ignored), SIGINT still stops the server, then the CLI."""
    run = start_annotate(repo_copy(tmp_path, (EN,)), ignore_sigint=True)
    assert group_alive(run.server_pid)
    tail = stop_and_check(run, signal.SIGINT)
    assert "SIGINT: stopping Label Studio" in tail and "Label Studio stopped" in tail
