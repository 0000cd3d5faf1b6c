"""Pictures in a real browser: the smallest file that fills each box, and nothing moves.

Chromium chooses a candidate from `srcset` by the `sizes` the theme gives; if
those lengths are wrong for the layout, a phone fetches a picture far too
large (or a blurred one), which only a browser laying out the page shows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from browser.conftest import DESKTOP, PHONE, REFERENCE, Reader, Site

PHOTO_ARTICLE = "/the-gioi/ke-hoach-hoa-binh-ukraine-zelensky-dong-thuan/"
# The reference article lists the photo story in "Tin cũ hơn", as a thumbnail.
PAGES = ["/", "/the-gioi/", "/chau-a/", PHOTO_ARTICLE, REFERENCE]
SCREENS = {"phone": (PHONE, 2), "desktop": (DESKTOP, 1)}
HOME_IMAGE_BUDGET = 350_000  # bytes of pictures on the home page of a phone

# Layout shifts from the moment the page starts loading (buffered), pictures included.
WATCH_SHIFTS = """
window.__shifts = [];
new PerformanceObserver(list => {
  for (const entry of list.getEntries()) {
    if (!entry.hadRecentInput) window.__shifts.push(entry.value);
  }
}).observe({type: 'layout-shift', buffered: true});
"""

# Every picture with candidates: what the browser took, and the box it fills.
CHOSEN = """
() => [...document.images].filter(img => img.srcset || img.parentElement.tagName === 'PICTURE')
  .map(img => {
    const picture = img.parentElement.tagName === 'PICTURE' ? img.parentElement : null;
    const offered = [...(picture ? picture.querySelectorAll('source') : []), img]
      .map(s => s.srcset).filter(Boolean);
    const box = img.getBoundingClientRect();
    return {current: img.currentSrc, offered, width: box.width, shown: box.width > 0,
            complete: img.complete};
  })
"""


def candidates(srcset: str) -> list[tuple[str, int]]:
    return [(url, int(w[:-1])) for url, w in (c.strip().split() for c in srcset.split(","))]


def read_through(reader: Reader, path: str) -> None:
    """Open the page and scroll to its end, so every lazy picture loads, then come back."""
    reader.page.add_init_script(WATCH_SHIFTS)
    assert reader.goto(path).ok
    reader.page.wait_for_load_state("networkidle")
    height = reader.page.evaluate("document.documentElement.scrollHeight")
    for y in range(0, height + 740, 600):
        reader.page.evaluate(f"window.scrollTo(0, {y})")
        reader.page.wait_for_timeout(30)
    reader.page.wait_for_load_state("networkidle")
    reader.page.wait_for_function("[...document.images].every(i => i.complete)")


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("path", PAGES)
def test_each_picture_loads_the_smallest_file_that_fills_its_box(
        open_reader: Callable[..., Reader], example: Site, path: str, screen: str) -> None:
    viewport, density = SCREENS[screen]
    reader = open_reader(example, viewport, device_scale_factor=density)
    read_through(reader, path)
    pictures: list[dict[str, Any]] = reader.page.evaluate(CHOSEN)
    shown = [p for p in pictures if p["shown"]]
    assert shown, f"no picture with widths on {path}"
    for picture in shown:
        offered = next(candidates(s) for s in picture["offered"]
                       if any(picture["current"].endswith(u) for u, _ in candidates(s)))
        chosen = next(w for u, w in offered if picture["current"].endswith(u))
        needed = picture["width"] * density
        covering = [w for _, w in offered if w >= needed - 1]
        best = min(covering) if covering else max(w for _, w in offered)
        assert chosen == best, (
            f"{path} at {screen}: a box {picture['width']:.0f} px wide (x{density}) took the "
            f"{chosen} px file of {[w for _, w in offered]}; {best} px is the one that fits")
    shifts = reader.page.evaluate("window.__shifts")
    assert sum(shifts) == 0, f"{path} at {screen}: the layout moved by {shifts}"


def test_the_home_page_on_a_phone_pulls_little_picture_data(
        open_reader: Callable[..., Reader], example: Site) -> None:
    reader = open_reader(example, PHONE, device_scale_factor=2)
    read_through(reader, "/")
    loaded = reader.page.evaluate(
        "performance.getEntriesByType('resource').filter(e => e.initiatorType === 'img')"
        ".map(e => [e.name, e.encodedBodySize])")
    photos = [name for name, _ in loaded if "/img/" in name]
    assert len(photos) >= 3, f"the example home page shows too few photos: {loaded}"
    total = sum(size for _, size in loaded)
    print(f"\nhome page at 360 px (x2): {total:,} bytes of pictures, {len(photos)} of them "
          "photos")
    assert 0 < total < HOME_IMAGE_BUDGET, f"{total} bytes of pictures: {loaded}"
    assert all(name.endswith(".webp") for name in photos), photos  # Chromium takes WebP
