"""The command line as an editor meets it: exit codes, messages, and no tracebacks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import newsgen
from newsgen import __version__, cli


def test_version() -> None:
    run = newsgen("--version")
    assert (run.code, run.out.strip()) == (0, f"newsgen {__version__}")


def test_success_prints_one_summary_line(minimal: Path) -> None:
    run = newsgen("build", "-s", minimal)
    assert run.code == 0 and run.err == ""
    assert re.fullmatch(r"built 15 pages \(37 files\) into .*public/ in \d+\.\d\d s: "
                        r"15 rendered, 37 files changed\n", run.out)


def test_quiet_prints_nothing_and_verbose_prints_the_steps(minimal: Path) -> None:
    quiet = newsgen("build", "-s", minimal, "-q")
    assert (quiet.code, quiet.out, quiet.err) == (0, "", "")
    verbose = newsgen("build", "-s", minimal, "-v", "--no-cache")
    steps = [line.split()[0] for line in verbose.err.splitlines()]
    assert steps == ["config", "inputs", "parse", "index", "plan", "cards", "select", "keep",
                     "feeds", "render", "write", "publish"]


def test_usage_errors_exit_2() -> None:
    assert newsgen("build", "--no-such-flag").code == 2
    assert newsgen().code == 2
    assert newsgen("publish").code == 2


def test_missing_site_is_a_clear_one_line_error(tmp_path: Path) -> None:
    run = newsgen("build", "-s", tmp_path)
    assert run.code == 1
    assert run.err.splitlines() == [
        f"no site.yaml in {tmp_path}; run newsgen in a site folder or name one with -s SITE_DIR",
        "build failed: 1 error; the output folder was not changed",
    ]


def test_output_option_and_relative_paths(minimal: Path, tmp_path: Path) -> None:
    run = newsgen("build", "-s", "site", "-o", "elsewhere", cwd=tmp_path)
    assert run.code == 0, run.err
    assert (tmp_path / "elsewhere" / "index.html").is_file()
    assert not (minimal / "public").exists()


def test_base_url_option_moves_every_link(minimal: Path) -> None:
    run = newsgen("build", "-s", minimal, "--base-url", "https://preview.example/pr-7")
    assert run.code == 0, run.err
    page = (minimal / "public" / "index.html").read_text(encoding="utf-8")
    assert 'href="/pr-7/css/site.css"' in page and 'href="/css/' not in page


def test_a_template_s_arithmetic_mistake_is_the_template_s(minimal: Path) -> None:
    (minimal / "templates").mkdir()
    (minimal / "templates" / "404.html").write_text("{{ 1 // 0 }}", encoding="utf-8")
    run = newsgen("build", "-s", minimal)
    assert run.code == 1 and "Traceback" not in run.err
    assert run.err.splitlines()[0] == ("templates/404.html:1: template error: "
                                       "ZeroDivisionError: integer division or modulo by zero")
    assert not (minimal / ".public.staging").exists()


def test_an_internal_error_shows_no_traceback_unless_asked(
        minimal: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(cli, "build", broken)
    assert cli.main(["build", "-s", str(minimal)]) == 3
    err = capsys.readouterr().err
    assert err.startswith("newsgen: internal error: RuntimeError: a bug")
    assert "Traceback" not in err and "--debug" in err
    with pytest.raises(RuntimeError):
        cli.main(["build", "-s", str(minimal), "--debug"])
def test_base_url_option_is_checked_like_site_yaml(minimal: Path) -> None:
    run = newsgen("build", "-s", minimal, "--base-url", "tin-moi")
    assert run.code == 1
    assert run.err.splitlines()[0] == \
        "--base-url 'tin-moi' is not a full address; write it like https://example.com/"
    assert not (minimal / "public").exists()
