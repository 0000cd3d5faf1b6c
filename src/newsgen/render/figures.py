"""A picture as readers' browsers get it: `<picture>` with every width, and its shape.

`srcset` lists the renditions and `sizes` says how wide the theme shows the
picture in each slot (`pictures.sizes`), so a phone fetches a 360 px WebP and
a wide screen a 1080 px one; `width` and `height` give the box its shape
before a byte arrives, so nothing on the page moves when the picture loads.
The same markup serves heroes and cards (through templates) and the pictures
of a body (through the Markdown renderer).
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from newsgen.content.renditions import MIME, Facts, Placed, Settings, crops, formats, ladder
from newsgen.engine.store import by_fields
from newsgen.urls import href

FALLBACK_WIDTH = 720  # the plain src: what a reader that knows no srcset gets


@dataclass(frozen=True, slots=True)
class SourceView:
    __reduce__ = by_fields

    type: str  # image/webp
    srcset: str


@dataclass(frozen=True, slots=True)
class ImageView:
    __reduce__ = by_fields

    src: str
    alt: str
    caption: str
    credit: str
    width: int  # of `src`; 0 when not known (a picture outside the site)
    height: int
    srcset: str  # the fallback format's widths; "" for a picture published whole
    sources: tuple[SourceView, ...]  # better formats, best first


def image_view(placed: Placed, settings: Settings, base: str, alt: str, caption: str = "",
               credit: str = "") -> ImageView:
    """The view of a placed picture; `base`: the site's base path for hrefs."""
    facts = placed.facts
    if facts is None:  # outside the site, or a file of the site's own that is no picture
        return ImageView(href(base, placed.url), alt, caption, credit, 0, 0, "", ())
    if not facts.resized:
        return ImageView(href(base, placed.url), alt, caption, credit, facts.width,
                         facts.height, "", ())
    every = ladder(facts, settings)
    chosen = formats(facts, settings)
    sets = {fmt: ", ".join(f"{href(base, r.url(facts))} {r.width}w" for r in every
                           if r.format == fmt) for fmt in chosen}
    fallback = [r for r in every if r.format == chosen[-1]]
    plain = next((r for r in fallback if r.width >= FALLBACK_WIDTH), fallback[-1])
    return ImageView(href(base, plain.url(facts)), alt, caption, credit, plain.width,
                     plain.height, sets[chosen[-1]],
                     tuple(SourceView(MIME[fmt], sets[fmt]) for fmt in chosen[:-1]))


def picture_html(image: ImageView, sizes: str, css_class: str = "", loading: str = "lazy",
                 alt: str | None = None) -> Markup:
    """The `<picture>` element; `alt` replaces the picture's own (a card's is "")."""
    text = image.alt if alt is None else alt
    size = f' width="{image.width}" height="{image.height}"' if image.width else ""
    css = f' class="{escape(css_class)}"' if css_class else ""
    priority = ' fetchpriority="high"' if loading == "eager" else ""
    if not image.srcset:
        return Markup(f'<img src="{escape(image.src)}" alt="{escape(text)}"{size}{css} '
                      f'loading="{escape(loading)}" decoding="async"{priority}>')
    sources = "".join(f'<source type="{s.type}" srcset="{escape(s.srcset)}" '
                      f'sizes="{escape(sizes)}">' for s in image.sources)
    return Markup(f"<picture>{sources}<img src=\"{escape(image.src)}\" "
                  f'srcset="{escape(image.srcset)}" sizes="{escape(sizes)}" '
                  f'alt="{escape(text)}"{size}{css} loading="{escape(loading)}" '
                  f'decoding="async"{priority}></picture>')


def shared(placed: Placed | None, settings: Settings, focus: tuple[int, int]
           ) -> list[tuple[str, int, int]]:
    """(site-relative or outside URL, width, height) of the pictures for og:image and
    JSON-LD: the 16x9, 4x3 and 1x1 crops, or the picture whole."""
    if placed is None:
        return []
    facts: Facts | None = placed.facts
    if facts is None or not facts.resized:
        return [(placed.url, facts.width if facts else 0, facts.height if facts else 0)] \
            if placed.url else []
    return [(r.url(facts), r.width, r.height) for r in crops(facts, settings, focus)]
