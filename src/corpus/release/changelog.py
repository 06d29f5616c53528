"""CHANGELOG.md entries (Keep a Changelog style, newest first) with a generated diff against the previous release.

The diff says what a user of the data needs to know before upgrading: which documents were added, removed or
changed (by raw and clean-text SHA-256), how every label count moved, and how agreement moved.
"""

from __future__ import annotations

from corpus.release.summary import ReleaseSummary

HEADER = (
    "# Changelog\n\n"
    "All notable changes to the released dataset. The format follows [Keep a Changelog](https://keepachangelog.com/"
    "en/1.1.0/) and versions follow [Semantic Versioning](https://semver.org/). Each entry is written by "
    "`corpus release`: the maintainers fill in the notes, the diff against the previous release is generated.\n"
)
NOTES_PLACEHOLDER = "<!-- Maintainer's notes: what changed and why (guidelines, corrections, new documents). -->"


def _short(digest: str) -> str:
    return digest[:12]


def _outlet(outlet: str | None) -> str:
    """A grown corpus names where each added article came from (its sources.toml outlet), when known."""
    return f", {outlet}" if outlet else ""


def _delta(new: float, old: float, digits: int = 0) -> str:
    diff = new - old
    if digits:
        return f"{diff:+.{digits}f}" if round(diff, digits) else "0"
    return f"{int(diff):+d}" if diff else "0"


def document_lines(new: ReleaseSummary, old: ReleaseSummary | None) -> list[str]:
    before = old.documents if old else {}
    after = new.documents
    added = sorted(set(after) - set(before))
    removed = sorted(set(before) - set(after))
    kept = sorted(set(after) & set(before))
    changed = [d for d in kept if (after[d].raw_sha256, after[d].text_sha256)
               != (before[d].raw_sha256, before[d].text_sha256)]
    lines = [f"Documents: {len(before)} -> {len(after)} ({len(added)} added, {len(removed)} removed, "
             f"{len(changed)} changed, {len(kept) - len(changed)} unchanged)", ""]
    lines += [f"- added `{d}` ({after[d].language}{_outlet(after[d].outlet)}, "
              f"raw sha256 `{_short(after[d].raw_sha256)}`)" for d in added]
    lines += [f"- removed `{d}` (raw sha256 `{_short(before[d].raw_sha256)}`)" for d in removed]
    for d in changed:
        parts = []
        if after[d].raw_sha256 != before[d].raw_sha256:
            parts.append(f"raw sha256 `{_short(before[d].raw_sha256)}` -> `{_short(after[d].raw_sha256)}`")
        if after[d].text_sha256 != before[d].text_sha256:
            parts.append(f"clean text sha256 `{_short(before[d].text_sha256)}` -> `{_short(after[d].text_sha256)}`")
        lines.append(f"- changed `{d}` ({'; '.join(parts)})")
    if added or removed or changed:
        lines.append("")
    return lines


def count_lines(new: ReleaseSummary, old: ReleaseSummary | None) -> list[str]:
    before = old.label_counts() if old else {}
    after = new.label_counts()
    old_name = old.version if old else "previous"
    lines = [f"| Layer | Label | {old_name} | {new.version} | Change |", "|---|---|---:|---:|---:|"]
    for layer, label in sorted(set(before) | set(after)):
        b, a = before.get((layer, label), 0), after.get((layer, label), 0)
        lines.append(f"| {layer} | {label} | {b} | {a} | {_delta(a, b)} |")
    tokens_before = old.tokens if old else 0
    lines += ["", f"Tokens (NER view): {tokens_before} -> {new.tokens} ({_delta(new.tokens, tokens_before)})", ""]
    return lines


def agreement_lines(new: ReleaseSummary, old: ReleaseSummary | None) -> list[str]:
    before = old.agreement if old else {}
    after = new.agreement
    if not before and not after:
        return ["Agreement: not recorded for either release.", ""]
    old_name = old.version if old else "previous"
    lines = [f"| Agreement | {old_name} | {new.version} | Change |", "|---|---:|---:|---:|"]
    for key in sorted(set(before) | set(after)):
        b, a = before.get(key), after.get(key)
        change = _delta(a, b, 3) if a is not None and b is not None else "n/a"
        lines.append(f"| {key} | {'-' if b is None else f'{b:.3f}'} | {'-' if a is None else f'{a:.3f}'} | {change} |")
    return [*lines, ""]


def left_out_lines(new: ReleaseSummary) -> list[str]:
    """Documents the repository holds that this release leaves out (`--exclude-pending`), each with why."""
    if not new.left_out:
        return []
    return [f"Left out ({len(new.left_out)}, their gold is not complete yet):",
            *(f"- `{d}`: {why}" for d, why in sorted(new.left_out.items())), ""]


def render_entry(new: ReleaseSummary, old: ReleaseSummary | None) -> str:
    """One release's entry: notes placeholder, then the generated diff (against nothing for the first release)."""
    title = f"Changes since {old.version} (generated)" if old else "Contents of the first release (generated)"
    lines = [f"## [{new.version}] - {new.released or 'unreleased'}", "", "### Notes", "", NOTES_PLACEHOLDER, "",
             f"### {title}", ""]
    lines += document_lines(new, old)
    lines += left_out_lines(new)
    lines += count_lines(new, old)
    lines += agreement_lines(new, old)
    return "\n".join(lines).rstrip("\n") + "\n"


def add_entry(changelog: str, entry: str) -> str:
    """Insert `entry` above the newest release entry (below the header and any [Unreleased] section)."""
    text = changelog if changelog.strip() else HEADER
    lines = text.splitlines(keepends=True)
    at = len(lines)
    for i, line in enumerate(lines):
        if line.startswith("## [") and not line.lower().startswith("## [unreleased]"):
            at = i
            break
    head = "".join(lines[:at]).rstrip("\n") + "\n\n"
    tail = "".join(lines[at:])
    return head + entry + ("\n" + tail if tail else "")
