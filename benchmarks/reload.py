"""Save-to-reload time of `newsgen serve`: an editor saves, the open page shows the change.

Starts the real server on a copy of a site, opens an article in Chromium
(/usr/bin/chromium through Playwright), edits the article's title ten times
and reports the median time from the write to the new headline on screen.

    python benchmarks/reload.py SITE_DIR ARTICLE_FILE [ROUNDS]
"""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]


def measure(site: Path, article: str, rounds: int = 10) -> list[float]:
    work = Path(tempfile.mkdtemp(prefix="newsgen-reload-"))
    try:
        copy = work / "site"
        shutil.copytree(site, copy, ignore=shutil.ignore_patterns("public", ".venv", ".git"))
        source = copy / article
        text = source.read_text(encoding="utf-8")
        if not re.search(r"^slug:", text, re.M):  # keep the address when the title changes
            slug = subprocess.run([sys.executable, "-c", "import sys; from newsgen.urls import "
                                   "slugify; print(slugify(sys.argv[1]))",
                                   re.search(r'^title: "(.*)"', text, re.M)[1]],
                                  capture_output=True, text=True, check=True).stdout.strip()
            text = text.replace("\nsection:", f"\nslug: {slug}\nsection:", 1)
            source.write_text(text, encoding="utf-8")
        server = subprocess.Popen([sys.executable, "-m", "newsgen", "serve", "-s", str(copy),
                                   "--port", "0", "-q"], stdout=subprocess.PIPE, text=True)
        url = server.stdout.readline().split()[1]
        times: list[float] = []
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
                page = browser.new_page()
                slug = re.search(r"^slug: (.*)$", text, re.M)[1]
                section = re.search(r"^section: (.*)$", text, re.M)[1]
                page.goto(f"{url}{section}/{slug}/")
                for n in range(rounds):
                    title = f"Tiêu đề đo số {n}"
                    changed = re.sub(r'^title: ".*"$', f'title: "{title}"', text, count=1,
                                     flags=re.M)
                    start = time.perf_counter()
                    source.write_text(changed, encoding="utf-8")
                    page.wait_for_function("t => document.querySelector('h1')?.textContent"
                                           ".trim() === t", arg=title, timeout=60_000)
                    times.append(time.perf_counter() - start)
                    page.wait_for_load_state("load")
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=30)
        return times
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    times = measure(Path(sys.argv[1]), sys.argv[2], rounds)
    print(f"{sys.argv[1]}: save -> reloaded page, median {statistics.median(times) * 1000:.0f} ms"
          f" (min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}, {len(times)} saves)")
