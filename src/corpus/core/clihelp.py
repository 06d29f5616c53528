"""The command line's help: a flag takes no value, so its help shows no value placeholder.

typer 0.29's rich help asks every option for its value type (`TyperOption.display_type_rich`), flags included,
so it printed `<bool>` after `--help` and after every flag (`--allow-invalid <bool>`), as if they took a value.
Its plain help (`TyperOption.get_help_record`) already leaves flags and counters without one. `hide_flag_types`
applies that same rule to the rich help, once, for every command; tests/test_cli_help.py walks every command's
help to keep it so.
"""

from __future__ import annotations

from typing import Any

_MARK = "corpus_hides_flag_types"


def hide_flag_types() -> None:
    """Make typer's rich help show no type for a flag or a counter (idempotent; a typer without the hook is left
    as it is, and the test says so)."""
    from typer.core import TyperOption

    shown = getattr(TyperOption, "display_type_rich", None)
    if shown is None or getattr(shown, _MARK, False):
        return

    def display_type_rich(self: Any, ctx: Any) -> str | None:
        return None if self.is_flag or self.count else shown(self, ctx)

    setattr(display_type_rich, _MARK, True)
    TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign]
