"""The output folder works wherever it is served: at the root or under base_url's path.

A preview deploy (`--base-url https://example.org/bao/`) is served from a
sub-path, so one link written as `/css/...` instead of `/bao/css/...` breaks
there while it still works at the root. This serves the built folder over real
HTTP under that path only, and follows every internal link and picture.
"""

from __future__ import annotations

import re
import shlex
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import unquote, urljoin, urlsplit
from urllib.request import urlopen

import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import REPO, newsgen
from newsgen.cli import _parser
from newsgen.content.config import check_base_url
from newsgen.engine.store import CACHE_DIR
from newsgen.render.photos import PICTURES

GUIDE = REPO / "docs" / "publishing.md"
WORKFLOW = REPO / "docs" / "examples" / "github-pages.yml"

URL_ATTRIBUTES = ("href", "src", "action", "poster", "data")
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)""")


@contextmanager
def serve(folder: Path, prefix: str) -> Iterator[str]:
    """Serve `folder` at `prefix` (like '/bao/') on 127.0.0.1; every other path is a 404.

    Folders answer with their index.html, as web hosts do.
    """
    root = folder.resolve()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = unquote(urlsplit(self.path).path)
            file = None
            if path.startswith(prefix):
                file = (root / path[len(prefix):]).resolve()
                if file.is_dir():
                    file = file / "index.html"
                if root not in file.parents or not file.is_file():
                    file = None
            if file is None:
                self.send_error(404)
                return
            body = file.read_bytes()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except HTTPError as exc:
        return exc.code, b""


def page_url(rel: str, prefix: str) -> str:
    """The address a reader uses for an output file: folders, not their index.html."""
    return prefix + (rel[:-len("index.html")] if rel.endswith("index.html") else rel)


def internal_links(soup: BeautifulSoup, site_host: str) -> Iterator[str]:
    """Every address in the page that points into the site itself, as written."""
    for tag in soup.find_all(True):
        values = [tag.get(a) for a in URL_ATTRIBUTES]
        if tag.get("srcset"):
            values += [part.split()[0] for part in tag["srcset"].split(",") if part.strip()]
        if tag.name == "meta":
            content = tag.get("content") or ""
            if content.startswith(("http://", "https://")):  # og:url, og:image
                values.append(content)
            elif (tag.get("http-equiv") or "").lower() == "refresh" and "url=" in content.lower():
                values.append(content[content.lower().index("url=") + 4:].strip("'\" "))
        for value in values:
            if not isinstance(value, str) or not value or value.startswith("#"):
                continue
            parts = urlsplit(value)
            if parts.scheme in ("", "http", "https") and parts.netloc in ("", site_host):
                yield value


def check_site(output: Path, prefix: str, site_host: str) -> int:
    """Fetch every page and everything it points to; return how many addresses were checked."""
    pages = sorted(p.relative_to(output).as_posix() for p in output.rglob("*.html"))
    assert pages, "the build wrote no pages"
    problems: list[str] = []
    checked: dict[str, int] = {}
    with serve(output, prefix) as server:
        def status(path: str) -> int:
            if path not in checked:
                checked[path] = fetch(server + path)[0]
            return checked[path]

        for rel in pages:
            here = page_url(rel, prefix)
            code, body = fetch(server + here)
            assert code == 200, f"{here}: HTTP {code}"
            soup = BeautifulSoup(body.decode("utf-8"), "html.parser")
            for link in internal_links(soup, site_host):
                path = urlsplit(urljoin(here, link)).path
                if not urlsplit(link).path.startswith(prefix):
                    problems.append(f"{here}: '{link}' does not start with {prefix}")
                elif status(path) != 200:
                    problems.append(f"{here}: '{link}' gives HTTP {status(path)}")
        for path in [p for p in checked if p.endswith(".css")]:
            css = fetch(server + path)[1].decode("utf-8")
            for ref in CSS_URL.findall(css):
                if ref.startswith(("data:", "#", "http://", "https://")):
                    continue
                target = urlsplit(urljoin(path, ref)).path
                if ref.startswith("/") and not ref.startswith(prefix):
                    problems.append(f"{path}: url({ref}) does not start with {prefix}")
                elif status(target) != 200:
                    problems.append(f"{path}: url({ref}) gives HTTP {status(target)}")
    assert problems == []
    return len(checked)


@pytest.mark.parametrize("args, prefix, host", [
    (("--base-url", "https://example.org/bao/"), "/bao/", "example.org"),
    ((), "/", "bao-thu.example"),
], ids=["under-a-path", "at-the-root"])
def test_every_internal_address_resolves_where_the_site_is_served(
        minimal: Path, args: tuple[str, ...], prefix: str, host: str) -> None:
    run = newsgen("build", "-s", minimal, *args)
    assert run.code == 0, run.err
    checked = check_site(minimal / "public", prefix, host)
    # The stylesheet, the script, the pictures, the section and article pages at least.
    assert checked >= 8


def test_the_check_catches_links_outside_the_served_path(minimal: Path) -> None:
    """Served under another path, a /bao/ build must fail the check: its links carry /bao/."""
    assert newsgen("build", "-s", minimal, "--base-url", "https://example.org/bao/").code == 0
    with pytest.raises(AssertionError, match="does not start with /"):
        check_site(minimal / "public", "/news/", "example.org")


def guide_commands() -> list[str]:
    """Every newsgen command line in the guide's code and in the example workflow's steps."""
    guide = GUIDE.read_text(encoding="utf-8").replace("\\\n", " ")
    fenced = re.findall(r"^```[a-z]*\n(.*?)^```", guide, re.M | re.S)
    inline = re.findall(r"`([^`\n]+)`", re.sub(r"^```.*?^```", "", guide, flags=re.M | re.S))
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    runs = [step["run"] for job in workflow["jobs"].values() for step in job["steps"]
            if "run" in step]
    return [m for code in [*fenced, *inline, *runs]
            for m in re.findall(r"\bnewsgen ((?:build|new)\b[^\n\"&|;`]*)", code)]


@pytest.mark.parametrize("command", guide_commands())
def test_commands_in_the_guide_are_real(command: str) -> None:
    args = shlex.split(command)
    try:
        parsed = _parser().parse_args(args)
    except SystemExit:
        pytest.fail(f"newsgen {command}: not accepted by newsgen's command line")
    if getattr(parsed, "base_url", None) and "$" not in parsed.base_url:
        check_base_url(parsed.base_url)


def test_example_workflow_builds_strictly_and_deploys_public() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    steps = workflow["jobs"]["build"]["steps"]
    uses = {step.get("uses", "").split("@")[0]: step for step in steps}
    assert uses["actions/setup-python"]["with"]["python-version"] == "3.11"
    assert [s["run"] for s in steps if "run" in s][:2] == ["pip install -r requirements.txt",
                                                         "newsgen build --strict"]
    assert uses["actions/upload-pages-artifact"]["with"]["path"] == "public"
    # The made pictures are restored before the build that would otherwise make them all.
    cache = uses["actions/cache"]
    assert cache["with"]["path"] == f"{CACHE_DIR}/{PICTURES}"
    assert steps.index(cache) < next(i for i, s in enumerate(steps)
                                     if s.get("run") == "newsgen build --strict")
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]


def test_a_moved_article_answers_at_its_old_address_under_the_path(minimal: Path) -> None:
    """addresses.txt remembers where the article was; the redirect works under /bao/."""
    args = ("--base-url", "https://example.org/bao/")
    assert newsgen("build", "-s", minimal, *args).code == 0
    path = minimal / "content" / "the-gioi" / "hoi-nghi-ha-noi.md"
    title = 'title: "Hội nghị thượng đỉnh tại Hà Nội"\n'
    path.write_text(path.read_text(encoding="utf-8").replace(
        title, title + "slug: hoi-nghi-ha-noi-2022\n"), encoding="utf-8")
    run = newsgen("build", "-s", minimal, *args)
    assert run.code == 0, run.err
    check_site(minimal / "public", "/bao/", "example.org")  # the redirect page's link too
    with serve(minimal / "public", "/bao/") as server:
        code, body = fetch(server + "/bao/the-gioi/hoi-nghi-thuong-dinh-tai-ha-noi/")
        assert code == 200
        refresh = BeautifulSoup(body.decode("utf-8"), "html.parser").find(
            "meta", attrs={"http-equiv": "refresh"})["content"]
        assert refresh == "0; url=/bao/the-gioi/hoi-nghi-ha-noi-2022/"
        assert fetch(server + "/bao/the-gioi/hoi-nghi-ha-noi-2022/")[0] == 200
    redirects = (minimal / "public" / "_redirects").read_text(encoding="utf-8").splitlines()
    assert "/bao/the-gioi/hoi-nghi-thuong-dinh-tai-ha-noi/ /bao/the-gioi/hoi-nghi-ha-noi-2022/ " \
        "301" in redirects
