"""Every command's --help: a flag takes no value, so none shows a value placeholder (issue 29).

typer's rich help printed `<bool>` after `--help` and every flag (corpus.core.clihelp). This walks the whole
command tree, renders each command's help as a user sees it, and reads each option's line: a flag or counter has
nothing between its name and its help, an option that takes a value still shows its placeholder (so the reading
itself is checked).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import typer.core
import typer.main
from typer.testing import CliRunner

from corpus.cli import app

ROOT: Any = typer.main.get_command(app)  # typer's own copy of click: its classes are not `click`'s


def _walk(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    yield path, command
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        if not sub.hidden:
            yield from _walk(sub, (*path, name))


COMMANDS = list(_walk(ROOT))


def _context(path: tuple[str, ...]) -> Any:
    ctx = ROOT.context_class(ROOT, info_name="corpus")
    command = ROOT
    for name in path:
        command = command.commands[name]
        ctx = command.context_class(command, parent=ctx, info_name=name)
    return ctx


def _is_option(param: Any) -> bool:
    return bool(param.param_type_name == "option")


def _takes_no_value(param: Any) -> bool:
    return _is_option(param) and (param.is_flag or bool(param.count))


def test_the_walk_reaches_every_command_and_flag() -> None:
    """The tree is walked, not listed by hand: groups, their commands, and flags with and without values."""
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"", "stream-build", "ls", "eval", "validate", "release", "publish"} <= names
    assert any(path[:1] == ("ls",) and len(path) == 2 for path, _ in COMMANDS)
    flags = [p for path, c in COMMANDS for p in c.get_params(_context(path)) if _takes_no_value(p)]
    assert len(flags) > len(COMMANDS)  # --help everywhere, plus the commands' own flags


@pytest.mark.parametrize("path", [path for path, _ in COMMANDS], ids=lambda p: " ".join(p) or "corpus")
def test_no_flag_shows_a_value_placeholder(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "240", "TERMINAL_WIDTH": "240"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    ctx = _context(path)
    options = [p for p in ctx.command.get_params(ctx) if _is_option(p) and not p.hidden]
    assert options  # --help at least
    for param in options:
        first = next((o for o in param.opts if o.startswith("--")), param.opts[0])
        row = re.compile(r"^[\s│*]*" + re.escape(first) + r"(?![\w-])")
        line = next((x for x in lines if row.search(x)), None)
        assert line is not None, f"{first} has no row in the help of {' '.join(path) or 'corpus'}"
        after = line[row.search(line).end():]  # type: ignore[union-attr]
        names = {*param.opts, *param.secondary_opts}
        words = after.split()
        while words and words[0].strip(",/") in names:  # the other names of the same option, on its row
            after = after[after.index(words[0]) + len(words[0]):]
            words = words[1:]
        if _takes_no_value(param):
            assert not re.match(r"\s*<[^>]*>", after), f"{first} shows a value placeholder: {line.strip()}"
            assert "<bool>" not in line
        else:
            assert isinstance(param, typer.core.TyperOption)
            shown = param.display_type_rich(ctx)
            assert shown and after.lstrip().startswith(shown), f"{first} lost its placeholder: {line.strip()}"
