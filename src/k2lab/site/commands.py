"""Commands shown on the site are run, and their output is what the page shows.

A fenced ``console`` block holds ``$ k2lab ...`` lines, each followed by its output.
:func:`fill_console_blocks` reruns every command with a runner the caller passes (the
CLI sits above this layer) and writes the output under it; a test compares the page with
the result, so a page whose output drifted fails. A command whose output must not be
shown ends with ``# output not shown``: it is still run and must exit 0. Durations
("highs 0.03 s") are the one thing allowed to vary: when the outputs differ only in them,
the page keeps what it shows.

Example
-------
>>> page = "```console\\n$ k2lab hello\\nold\\n```\\n"
>>> fill_console_blocks(page, lambda args: (0, " ".join(args) + "\\n"))
'```console\\n$ k2lab hello\\nhello\\n```\\n'
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable

from k2lab.errors import DataError

#: Pages whose console blocks are run (docs-relative to the repository root).
CHECKED_PAGES = (
    "docs/index.md",
    "docs/vitamin-k2.md",
    "docs/howto/one-tablespoon-natto.md",
    "docs/howto/warfarin-and-natto.md",
    "docs/howto/d3-and-calcium.md",
    "docs/howto/ten-year-outlook.md",
    "docs/howto/vegan-k2-plan.md",
)
BLOCK = re.compile(r"^```console\n(.*?)^```$", re.S | re.M)
QUIET = "# output not shown"
Runner = Callable[[list[str]], tuple[int, str]]
_DURATION = re.compile(r"\b\d+(\.\d+)? s\b")


def console_commands(text: str) -> list[str]:
    """Every ``$ k2lab ...`` command line in the console blocks of ``text``."""
    return [
        line[2:]
        for m in BLOCK.finditer(text)
        for line in m.group(1).splitlines()
        if line.startswith("$ ")
    ]


def _args(command: str) -> list[str]:
    words = shlex.split(command.removesuffix(QUIET).strip())
    if not words or words[0] != "k2lab":
        raise DataError(f"Console blocks may only show k2lab commands, not '{command}'.")
    return words[1:]


def _shown(body: str) -> list[tuple[str, list[str]]]:
    """(command, output lines the page shows) for each ``$`` line of a block."""
    pairs: list[tuple[str, list[str]]] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            pairs.append((line[2:], []))
        elif pairs:
            pairs[-1][1].append(line)
    return pairs


def fill_console_blocks(text: str, run: Runner) -> str:
    """``text`` with the output of every console command rerun by ``run(args)``."""

    def block(m: re.Match[str]) -> str:
        out = []
        for command, shown in _shown(m.group(1)):
            code, output = run(_args(command))
            if code != 0:
                raise DataError(f"'{command}' exited with {code}:\n{output}")
            out.append(f"$ {command}")
            if not command.endswith(QUIET):
                new = [o.rstrip() for o in output.rstrip("\n").splitlines()]
                same = [_DURATION.sub("_ s", o) for o in new] == [
                    _DURATION.sub("_ s", o) for o in shown
                ]
                out += shown if same else new
        return "```console\n" + "".join(f"{o}\n" for o in out) + "```"

    return BLOCK.sub(block, text)
