"""Whatever an editor saves, the loaders answer with problems to fix, never a crash.

An exception other than NewsgenError ends a build as an "internal error" with
no file or line, and a newsroom cannot publish until someone reads a
traceback. Editors paste from Word, save in Windows-1258, leave tabs, type a
headline starting with '[' and copy YAML tags from blog posts, so the inputs
here are bytes, YAML-ish text built from the pieces editors get wrong, and
well-formed YAML with values of every type in every key.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, currently_in_test_context, event, given, settings
from hypothesis import strategies as st

from conftest import SITES, newsgen
from newsgen.content.config import OPTIONS, SiteConfig, load_config
from newsgen.content.frontmatter import read_article
from newsgen.content.models import FIELDS, parse_article
from newsgen.errors import NewsgenError, Problems

FUZZ = settings(max_examples=300, deadline=None, report_multiple_bugs=False,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
REL = "content/the-gioi/bai-viet.md"
RUNS: Counter[str] = Counter()  # examples per property, shown at the end of the module

FRAGMENTS = (
    "---", "...", "\n", "\n", "\n", "\r\n", "\r", " ", "  ", "\t", "\ufeff", "\x00", "\x85",
    "\u2028", "title:", "date:", "updated:", "expires:", "section:", "slug:", "lead:",
    "authors:", "tags:", "related:", "older:", "aliases:", "image:", "draft:", "src:", "alt:",
    "caption:", "url:", "- ", "-", "[", "]", "{", "}", ",", ": ", ":", "? ", "|", ">", "#",
    "&a ", "*a", "<<: ", "!!python/object:os.system ", "!!python/name:os.system ", "!!binary ",
    "!!int ", "!!float ", "!!bool ", "!!str ", "!!null ", "!!set ", "!!omap ", "!!timestamp ",
    "!local ", "%YAML 1.1\n", '"', "'", "\\", "\\x", "\\u", "the-gioi", "kinh-te", "true",
    "false", "yes", "null", "~", ".inf", "-.inf", ".nan", "0x1F", "0o17", "1e400", "-0",
    "99999999999999999999999999999", "2022-01-06", "2022-01-06 09:15", "2022-01-06T09:15:00",
    "2022-01-06T09:15:00+07:00", "2022-01-06T09:15:00+25:00", "2022-02-30", "0001-01-01",
    "9999-12-31T23:59:59-12:00", "@1641747600", "@99999999999999999999", "@²", "@-1",
    "https://example.com/", "javascript:alert(1)", "/the-gioi/cu/", "../", "Đà Nẵng",
    "Tiếng Việt", "Tie\u0302\u0301ng", "e\u0301", "🗞", "𝕏", "\u200b", "\u202e", "<script>",
    "%", "@", "`",
)

texts = st.text(max_size=12)
# Dates get their own strategy: every date key goes through one parser, and "@<seconds>"
# (the SOURCE_DATE_EPOCH form) takes any digits Python's isdigit() accepts.
dates = st.one_of(
    st.dates().map(str),
    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat(sep=" ")),
    st.datetimes(timezones=st.timezones()).map(str),
    st.one_of(st.integers(), st.integers(10**10, 10**30)).map("@{}".format),
    st.text(st.characters(categories=["Nd", "No"]).filter(str.isdigit), min_size=1,
            max_size=4).map("@{}".format),
    st.tuples(st.integers(0, 99), st.integers(0, 99)).map(
        lambda hm: f"2022-01-06T09:15:00+{hm[0]:02d}:{hm[1]:02d}"),
)
pieces = st.one_of(st.sampled_from(FRAGMENTS), texts, st.integers().map(str), dates)
# Without control characters, which YAML refuses outright, so that most files built
# from these reach the field parsers.
words = st.text(st.characters(exclude_categories=["Cc", "Cs"]), max_size=12)
clean_pieces = st.one_of(
    st.sampled_from(tuple(f for f in FRAGMENTS if f.isprintable() or f.strip(" \n") == "")),
    words, st.integers().map(str), dates)
soup = st.lists(pieces, max_size=60).map("".join)
KEYS = (*FIELDS, "src", "alt", "caption", "url", "title")
TAGS = ("!!int ", "!!float ", "!!bool ", "!!null ", "!!str ", "!!binary ", "!!timestamp ",
        "!!set ", "!!omap ", "!!pairs ", "!!seq ", "!!map ", "!!merge ", "!!value ",
        "!!python/object:os.system ", "!!python/name:os.system ", "!local ", "&a ", "*a ")
tags = st.one_of(st.just(""), st.sampled_from(TAGS))
plain = st.lists(clean_pieces, max_size=3).map("".join)
quoted = st.one_of(
    plain.map(lambda t: '"' + t.replace("\\", "\\\\").replace('"', '\\"') + '"'),
    plain.map(lambda t: "'" + t.replace("'", "''") + "'"),
)
scalar_text = st.tuples(tags, st.one_of(plain, quoted)).map("".join)
block_list = st.lists(scalar_text, min_size=1, max_size=3).map(
    lambda items: "".join(f"\n  - {item}" for item in items))
block_map = st.lists(st.tuples(st.sampled_from(KEYS), scalar_text), min_size=1, max_size=3).map(
    lambda items: "".join(f"\n  {key}: {value}" for key, value in items))
flow = st.lists(scalar_text, max_size=3).map(lambda items: "[" + ", ".join(items) + "]")
entries = st.lists(st.tuples(
    st.one_of(st.sampled_from(KEYS), st.sampled_from(KEYS), words),
    st.sampled_from((": ", ": ", ": ", ": ", ": ", ":", " : ", "")),
    st.one_of(scalar_text, block_list, block_map, flow),
).map("".join), max_size=10).map("\n".join)
yamlish = st.one_of(soup, entries)
encodings = st.sampled_from(("utf-8", "utf-8", "utf-8-sig", "utf-16", "cp1258", "latin-1"))


@st.composite
def yamlish_files(draw: st.DrawFn) -> bytes:
    """Front-matter-shaped text: fences (usually), YAML-ish lines, a body, some encoding."""
    head = draw(st.sampled_from(("---\n", "---\n", "---\n", "---\n", "---\r\n", "\ufeff---\n",
                                 "--- \n", "", "---")))
    front = draw(yamlish)
    close = draw(st.sampled_from(("\n---\n", "\n---\n", "\n---\n", "\n---\n", "\n...\n",
                                  "\n---", "", "\n--- x\n")))
    body = draw(st.one_of(texts, yamlish))
    encoding = draw(encodings)
    return (head + front + close + body).encode(encoding, errors="replace")


scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), texts,
    st.sampled_from(FRAGMENTS), st.dates(), st.datetimes(), dates,
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from((*FIELDS, "src", "alt", "caption", "title",
                                                   "url", "slug")), texts), inner, max_size=4),
    ),
    max_leaves=12,
)
VALID = {"title": "Hội nghị tại Hà Nội", "date": "2022-01-06T09:15:00+07:00",
         "section": "the-gioi"}


@st.composite
def structured_files(draw: st.DrawFn) -> bytes:
    """Well-formed YAML: a valid article with random keys changed, so the field parsers
    themselves (not only the YAML reader) get values of every type."""
    base = dict(VALID) if draw(st.booleans()) else {}
    changes = draw(st.dictionaries(st.one_of(st.sampled_from(tuple(FIELDS)), texts),
                                   values, max_size=6))
    front = yaml.safe_dump({**base, **changes}, allow_unicode=draw(st.booleans()),
                           default_flow_style=draw(st.sampled_from((None, True, False))))
    return f"---\n{front}---\n{draw(texts)}\n".encode()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield tmp_path_factory.mktemp("fuzz")
    print("\nexamples run: " + ", ".join(f"{name} {count}" for name, count in RUNS.items()))


@functools.cache
def site_config() -> SiteConfig:
    """Loaded once, and not a fixture, so that a failing example prints short."""
    return load_config(SITES / "minimal", Problems())


def outcome(name: str) -> None:
    """Tally what became of an example (--hypothesis-show-statistics shows the shares)."""
    if currently_in_test_context():
        event(name)


def check_problems(problems: Problems, data: bytes) -> None:
    """Every problem must print as a line an editor can act on."""
    lines = data.count(b"\n") + data.count(b"\r") + 2  # enough for any line ending
    for problem in problems.items:
        assert str(problem) and problem.message, problem
        assert 0 <= problem.line <= lines, f"line {problem.line} is not in the file: {problem}"


def load_article(workdir: Path, data: bytes) -> None:
    """Only a NewsgenError may leave the loader; a refusal must say why."""
    path = workdir / "bai-viet.md"
    path.write_bytes(data)
    problems = Problems()
    try:
        src = read_article(path, REL, problems)
        if src is None:
            outcome("refused before the field parsers")
            assert problems.errors, "the article was refused without a problem"
            return
        outcome("reached the field parsers")
        if parse_article(src, site_config(), problems) is None:
            assert problems.errors, "the article was refused without a problem"
        else:
            outcome("an article")
    except NewsgenError as exc:
        assert exc.problems
    check_problems(problems, data)


@FUZZ
@given(data=st.binary(max_size=2000))
def test_random_bytes(workdir: Path, data: bytes) -> None:
    RUNS["bytes"] += 1
    load_article(workdir, data)


@FUZZ
@given(data=st.binary(max_size=500))
def test_random_bytes_after_a_fence(workdir: Path, data: bytes) -> None:
    """Past the first line, so the YAML reader itself gets the bytes."""
    RUNS["fenced bytes"] += 1
    load_article(workdir, b"---\n" + data + b"\n---\n")


@FUZZ
@given(data=yamlish_files())
def test_yamlish_text(workdir: Path, data: bytes) -> None:
    RUNS["yaml-ish text"] += 1
    load_article(workdir, data)


@FUZZ
@given(data=structured_files())
def test_structured_yaml(workdir: Path, data: bytes) -> None:
    RUNS["structured yaml"] += 1
    load_article(workdir, data)


def with_tag(text: str, key: str, tag: str) -> str:
    """`text` with a YAML tag (or anchor) in front of the top-level `key`'s value."""
    return re.sub(rf"^{re.escape(key)}:", lambda _: f"{key}: {tag}", text, count=1,
                  flags=re.MULTILINE)


@FUZZ
@given(key=st.sampled_from(tuple(FIELDS)), value=st.one_of(values, dates, words),
       tag=tags)
def test_any_value_in_any_key(workdir: Path, key: str, value: object,
                              tag: str) -> None:
    """One key of a valid article changed at a time, so that every parser meets every type."""
    RUNS["one key"] += 1
    front = yaml.safe_dump({**VALID, key: value}, allow_unicode=True)
    front = with_tag(front, key, tag)
    load_article(workdir, f"---\n{front}---\nNội dung.\n".encode())


CONFIG_KEYS = ("title", "description", "base_url", "language", "timezone", "sections",
               "older_news", "per_page", "permalink", "output", "strings", "raw_html",
               "home_latest", "home_per_section", "related_count", "feed_items", "rss",
               "publisher", "slug", "name", "logo", "label")
VALID_CONFIG = {"title": "Báo Thử", "base_url": "https://bao-thu.example/",
                "sections": [{"slug": "the-gioi", "title": "Thế giới"}]}


@st.composite
def config_files(draw: st.DrawFn) -> bytes:
    if draw(st.booleans()):
        return draw(yamlish).encode(draw(encodings), errors="replace")
    base = dict(VALID_CONFIG) if draw(st.booleans()) else {}
    changes = draw(st.dictionaries(st.one_of(st.sampled_from(CONFIG_KEYS), texts), values,
                                   max_size=6))
    return yaml.safe_dump({**base, **changes}, allow_unicode=True).encode()


def load_site_yaml(workdir: Path, data: bytes) -> None:
    """Only a ConfigError may leave load_config, and a loaded config must be usable."""
    site = workdir / "site"
    site.mkdir(exist_ok=True)
    (site / "site.yaml").write_bytes(data)
    problems = Problems()
    try:
        config = load_config(site, problems)
    except NewsgenError as exc:
        assert exc.kind == "config" and exc.problems
        check_problems(Problems(exc.problems), data)
        outcome("refused")
        return
    outcome("a config")
    assert config.sections and config.base_url.endswith("/")
    check_problems(problems, data)


@FUZZ
@given(data=config_files())
def test_site_yaml(workdir: Path, data: bytes) -> None:
    RUNS["site.yaml"] += 1
    load_site_yaml(workdir, data)


@FUZZ
@given(key=st.sampled_from(tuple(OPTIONS)), value=st.one_of(values, words), tag=tags)
def test_any_value_in_any_setting(workdir: Path, key: str, value: object, tag: str) -> None:
    RUNS["one setting"] += 1
    text = yaml.safe_dump({**VALID_CONFIG, key: value}, allow_unicode=True)
    text = with_tag(text, key, tag)
    load_site_yaml(workdir, text.encode())


# Crashes of the kinds the properties above turn up, tried on every run whatever the draw.
@pytest.mark.parametrize("front", [
    "title: !!python/object:os.system echo\ndate: 2022-01-06\nsection: the-gioi",
    "title: !!int mười\ndate: 2022-01-06\nsection: the-gioi",
    "title: Tin\ndate: !!float hôm nay\nsection: the-gioi",
    "title: Tin\ndate: 2022-01-06\nsection: the-gioi\ntags: !!set [a]",
    'title: Tin\ndate: "@253402300800"\nsection: the-gioi',
    'title: Tin\ndate: "@99999999999999999999"\nsection: the-gioi',
    'title: Tin\ndate: "@²"\nsection: the-gioi',
])
def test_article_examples(tmp_path: Path, front: str) -> None:
    load_article(tmp_path, f"---\n{front}\n---\nNội dung.\n".encode())


@pytest.mark.parametrize("setting", [
    "title: !!int mười",
    "title: !!python/name:os.system",
    "per_page: !!int hai mươi",
])
def test_site_yaml_examples(tmp_path: Path, setting: str) -> None:
    text = yaml.safe_dump({k: v for k, v in VALID_CONFIG.items() if k != "title"},
                          allow_unicode=True)
    load_site_yaml(tmp_path, f"{setting}\n{text}".encode())


# Values the loader lets through must not crash a later step of the build either.
@pytest.mark.parametrize("date", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"])
def test_dates_at_the_ends_of_the_calendar_build(minimal: Path, date: str) -> None:
    (minimal / "content" / "the-gioi" / "cuc.md").write_text(
        f"---\ntitle: Ngày tận cùng\ndate: {date}\nsection: the-gioi\n---\nNội dung.\n",
        encoding="utf-8")
    run = newsgen("build", "-s", minimal, "-q", "--future", "--now", "2022-02-01")
    assert run.code in (0, 1) and "internal error" not in run.err, run.err


@pytest.mark.parametrize("now, epoch", [("@99999999999999", ""), ("", "99999999999999"),
                                        ("", "²")])
def test_build_clock_out_of_range(minimal: Path, now: str, epoch: str) -> None:
    """--now and SOURCE_DATE_EPOCH go through the same date parser as the articles."""
    run = newsgen("build", "-s", minimal, "-q", *(("--now", now) if now else ()),
                  env={"SOURCE_DATE_EPOCH": epoch})
    assert run.code in (1, 2) and "internal error" not in run.err, run.err
