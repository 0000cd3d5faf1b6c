"""Progress on a terminal for long builds, and nowhere else."""

from __future__ import annotations

import io
import os
import pty
import sys
from pathlib import Path

from newsgen.cli import TerminalProgress


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_progress_waits_then_rewrites_one_line_and_erases_it() -> None:
    clock, stream = Clock(), io.StringIO()
    progress = TerminalProgress(stream, delay=2.0, clock=clock)
    progress("render", 1, 500)
    clock.now += 1.9
    progress("render", 100, 500)
    assert stream.getvalue() == ""  # a short build shows nothing
    clock.now += 0.2
    progress("render", 200, 500)
    clock.now += 0.05
    progress("render", 210, 500)  # too soon after the last one: skipped
    clock.now += 0.1
    progress("render", 500, 500)
    assert stream.getvalue() == "\rrender 200/500\rrender 500/500"
    progress.clear()
    assert stream.getvalue().endswith("\r" + " " * len("render 500/500") + "\r")


def run_in_terminal(args: list[str], env: dict[str, str]) -> bytes:
    pid, fd = pty.fork()
    if pid == 0:  # the child: stdout and stderr are the terminal
        os.execve(sys.executable, [sys.executable, "-m", "newsgen", *args], env)
    output = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    os.waitpid(pid, 0)
    return output


def test_a_quick_build_on_a_terminal_prints_only_its_summary(minimal: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    output = run_in_terminal(["build", "-s", str(minimal)], env)
    assert b"\r" not in output.replace(b"\r\n", b"\n")
    assert output.startswith(b"built ")


def test_progress_is_off_with_quiet_in_ci_and_off_a_terminal(monkeypatch) -> None:
    from argparse import Namespace

    from newsgen import cli

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stderr", Terminal())
    monkeypatch.delenv("CI", raising=False)
    assert isinstance(cli._progress(Namespace(quiet=False)), TerminalProgress)
    assert cli._progress(Namespace(quiet=True)) is None
    monkeypatch.setenv("CI", "true")
    assert cli._progress(Namespace(quiet=False)) is None
    monkeypatch.delenv("CI")
    monkeypatch.setattr(sys, "stderr", io.StringIO())  # a pipe or a log file
    assert cli._progress(Namespace(quiet=False)) is None
