"""Broken sites: every case in tests/sites_invalid/ fails with exactly the report it expects.

A case folder holds only what differs from tests/sites/minimal (see its README.md).
Each case must exit with status 1, print exactly its expected.txt on stderr, never a
traceback, and leave the previous good build untouched.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import INVALID, copy_site, manifest, newsgen

CASES = sorted(p for p in INVALID.iterdir() if p.is_dir() and not p.name.startswith("."))
EXPECTED = "expected.txt"
EXPECTED_IN = {"en": EXPECTED, "vi": "expected.vi.txt"}
NOT_COPIED = (*EXPECTED_IN.values(), "args.txt")
FAILED = {"en": "build failed: ", "vi": "dựng trang thất bại: "}
ARGS = "args.txt"
DELETE = ".delete"
MIN_CASES = 20


def case_args(case: Path) -> list[str]:
    """Extra command-line arguments of a case: one line, split on spaces."""
    path = case / ARGS
    return path.read_text(encoding="utf-8").split() if path.is_file() else []


def apply_case(case: Path, site: Path) -> None:
    """Copy the case's files over the site; `<name>.delete` removes `<name>` instead."""
    for source in sorted(case.rglob("*")):
        rel = source.relative_to(case)
        if not source.is_file() or rel.as_posix() in NOT_COPIED:
            continue
        if source.name.endswith(DELETE):
            target = site / rel.with_name(source.name.removesuffix(DELETE))
            assert target.exists(), f"{case.name}/{rel}: there is no {target.name} to delete"
            if target.is_dir():
                shutil.rmtree(target)
            else:
                target.unlink()
        else:
            target = site / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)


@pytest.fixture(scope="module")
def built_minimal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The minimal site, built once successfully into site/public."""
    site = copy_site("minimal", tmp_path_factory.mktemp("built") / "site")
    run = newsgen("build", "-s", site.name, cwd=site.parent)
    assert run.code == 0, run.err
    assert (site / "public" / "index.html").is_file()
    return site


@pytest.mark.parametrize("language", ["en", "vi"])
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_invalid_site(case: Path, language: str, built_minimal: Path, tmp_path: Path) -> None:
    """In English when asked for; in Vietnamese, the minimal site's language, by default."""
    site = tmp_path / "site"
    shutil.copytree(built_minimal, site)
    public = site / "public"
    before = manifest(public)
    apply_case(case, site)

    run = newsgen("build", "-s", "site", *case_args(case), cwd=tmp_path,
                  env={"NEWSGEN_MESSAGES": "en" if language == "en" else ""})

    assert "Traceback" not in run.out + run.err, run.out + run.err
    assert run.err == (case / EXPECTED_IN[language]).read_text(encoding="utf-8")
    assert run.code == 1, run.out + run.err
    assert manifest(public) == before, "a failed build changed the output folder"
    assert not (site / ".public.staging").exists(), "the staging folder was left behind"


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= MIN_CASES, [c.name for c in CASES]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case_is_well_formed(case: Path) -> None:
    """Each case has an expected report that ends with a newline, and changes something."""
    for language, name in EXPECTED_IN.items():
        expected = case / name
        assert expected.is_file(), f"{case.name} has no {name}"
        text = expected.read_text(encoding="utf-8")
        assert text.endswith("\n"), f"{case.name}/{name} must end with a newline"
        assert text.splitlines()[-1].startswith(FAILED[language]), text
    # As many lines in both: every problem is said in each language.
    assert len((case / EXPECTED).read_text(encoding="utf-8").splitlines()) == \
        len((case / EXPECTED_IN["vi"]).read_text(encoding="utf-8").splitlines())
    changes = [p for p in case.rglob("*")
               if p.is_file() and p.relative_to(case).as_posix() not in NOT_COPIED]
    assert changes, f"{case.name} changes no file of the site"
    args = case / ARGS
    if args.is_file():
        assert len(args.read_text(encoding="utf-8").splitlines()) == 1, f"{case.name}/{ARGS}"
