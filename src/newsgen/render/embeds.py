"""Videos, posts and maps from a few known providers, shown only when the reader asks.

An editor puts a link alone on a line; if it is a YouTube video, a Facebook
post or video, a post on X, a TikTok video, a Google map, or an audio or video
file of the site, the line becomes an embed. A provider's player is loaded
only on a click: until then the page shows a box with the provider's name and
the link (a facade), so opening an article sends nothing to YouTube or
Facebook, and the page stays as fast as one without the video. On click a
script of the site makes the iframe, sandboxed and with a strict referrer
policy; YouTube's comes from youtube-nocookie.com. Without JavaScript the link
works as a link. Nothing here needs `raw_html`, and no HTML from a body is
ever passed through: the iframe's address is built from the parts read out of
the link (an id, a path), never copied from it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, unquote_plus, urlsplit

from markupsafe import escape

from newsgen.messages import _

EMBED_MARK = 'data-embed-src="'  # in a body's HTML: it shows a facade (text would be escaped)
SANDBOX = "allow-scripts allow-same-origin allow-popups allow-presentation"
REFERRER = "strict-origin-when-cross-origin"
MEDIA = {".mp4": "video", ".webm": "video", ".m4v": "video", ".mp3": "audio",
         ".m4a": "audio", ".ogg": "audio", ".oga": "audio", ".wav": "audio"}


@dataclass(frozen=True, slots=True)
class Embed:
    """What a link on a line of its own becomes."""

    provider: str  # as readers know it: YouTube, Facebook, X...
    link: str  # the address the editor wrote, for readers without JavaScript
    frame: str = ""  # the iframe's address, made on click
    media: str = ""  # "video" or "audio": a file of the site, played by the browser


class Malformed(ValueError):
    """A link to a known provider that does not say which video or post to show; `message`
    says what such a link looks like."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message  # a Message keeps its translations; str(self) would not


_YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}")
_DIGITS = re.compile(r"\d{5,25}")


def _youtube(host: str, path: str, query: Mapping[str, list[str]]) -> str:
    parts = [p for p in path.split("/") if p]
    if host == "youtu.be":
        found = parts[0] if parts else ""
    elif parts[:1] == ["watch"]:
        found = (query.get("v") or [""])[0]
    elif len(parts) >= 2 and parts[0] in ("shorts", "embed", "live"):
        found = parts[1]
    else:
        found = ""
    if not _YOUTUBE_ID.fullmatch(found):
        raise Malformed(_("a YouTube link names its video (youtube.com/watch?v=... or "
                          "youtu.be/...)"))
    return f"https://www.youtube-nocookie.com/embed/{found}"


def _facebook(host: str, path: str, query: Mapping[str, list[str]]) -> str:
    parts = [p for p in path.split("/") if p]
    whole = f"https://www.facebook.com{quote(path)}"
    if parts[:1] == ["watch"] and _DIGITS.fullmatch((query.get("v") or [""])[0]):
        whole = f"https://www.facebook.com/watch/?v={query['v'][0]}"
        return "https://www.facebook.com/plugins/video.php?href=" + quote(whole, safe="")
    if len(parts) >= 3 and parts[1] == "videos":
        return "https://www.facebook.com/plugins/video.php?href=" + quote(whole, safe="")
    if parts[:1] == ["permalink.php"]:
        story, owner = (query.get("story_fbid") or [""])[0], (query.get("id") or [""])[0]
        if not (_DIGITS.fullmatch(story) and _DIGITS.fullmatch(owner)):
            raise Malformed(_("a Facebook permalink names its post (story_fbid= and id=)"))
        whole = f"https://www.facebook.com/permalink.php?story_fbid={story}&id={owner}"
        return "https://www.facebook.com/plugins/post.php?href=" + quote(whole, safe="")
    if len(parts) >= 3 and parts[1] in ("posts", "photos"):
        return "https://www.facebook.com/plugins/post.php?href=" + quote(whole, safe="")
    raise Malformed(_("a Facebook link to embed is a post or a video "
                      "(facebook.com/.../posts/... or .../videos/...)"))


def _x(host: str, path: str, query: Mapping[str, list[str]]) -> str:
    parts = [p for p in path.split("/") if p]
    if len(parts) >= 3 and parts[1] == "status" and _DIGITS.fullmatch(parts[2]):
        return f"https://platform.twitter.com/embed/Tweet.html?id={parts[2]}&dnt=true"
    raise Malformed(_("a post on X to embed is x.com/<name>/status/<number>"))


def _tiktok(host: str, path: str, query: Mapping[str, list[str]]) -> str:
    parts = [p for p in path.split("/") if p]
    if len(parts) >= 3 and parts[0].startswith("@") and parts[1] == "video" \
            and _DIGITS.fullmatch(parts[2]):
        return f"https://www.tiktok.com/embed/v2/{parts[2]}"
    raise Malformed(_("a TikTok video to embed is tiktok.com/@<name>/video/<number>"))


def _maps(host: str, path: str, query: Mapping[str, list[str]]) -> str:
    if path.startswith("/maps/embed") and (query.get("pb") or [""])[0]:
        return "https://www.google.com/maps/embed?pb=" + quote(query["pb"][0], safe="!:.,-_")
    place = (query.get("q") or [""])[0]
    parts = [p for p in path.split("/") if p]
    if not place and len(parts) >= 3 and parts[:2] == ["maps", "place"]:
        place = unquote_plus(parts[2])
    if path.startswith("/maps") and place:
        return "https://maps.google.com/maps?output=embed&q=" + quote(place, safe="")
    raise Malformed(_("a Google map to embed is the address of Share > Embed a map, or "
                      "google.com/maps/place/..."))


# host -> (provider, how its player's address is made from the link's parts)
PROVIDERS: dict[str, tuple[str, Callable[[str, str, Mapping[str, list[str]]], str]]] = {
    "youtube.com": ("YouTube", _youtube),
    "m.youtube.com": ("YouTube", _youtube),
    "youtu.be": ("YouTube", _youtube),
    "facebook.com": ("Facebook", _facebook),
    "m.facebook.com": ("Facebook", _facebook),
    "fb.watch": ("Facebook", _facebook),
    "x.com": ("X", _x),
    "twitter.com": ("X", _x),
    "mobile.twitter.com": ("X", _x),
    "tiktok.com": ("TikTok", _tiktok),
    "google.com": ("Google Maps", _maps),
    "maps.google.com": ("Google Maps", _maps),
}


def embed_for(url: str) -> Embed | None:
    """The embed a link stands for; None for a link to anywhere else (it stays a link).
    Raises Malformed for a link to a known provider that names nothing to show."""
    if url.startswith("/") and not url.startswith("//"):
        suffix = re.search(r"\.[A-Za-z0-9]+$", urlsplit(url).path)
        kind = MEDIA.get(suffix.group(0).lower()) if suffix else None
        return Embed("", url, media=kind) if kind else None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https"):
        return None
    host = (parts.hostname or "").lower().removeprefix("www.")
    known = PROVIDERS.get(host)
    if known is None or (known[0] == "Google Maps" and not parts.path.startswith("/maps")):
        return None
    provider, make = known
    if host == "fb.watch":
        raise Malformed(_("an fb.watch link does not say which video it is; open it and "
                          "copy the facebook.com address of the video"))
    return Embed(provider, url, frame=make(host, parts.path, parse_qs(parts.query)))


def embed_html(embed: Embed, strings: Mapping[str, object], media_src: str = "") -> str:
    """The facade (or the player of a file of the site), as a figure of the body.
    `strings`: the site's labels (every language has them all: see i18n)."""
    def label(key: str) -> str:
        return escape(str(strings[key]).replace("{provider}", embed.provider))

    if embed.media:
        src = escape(media_src or embed.link)
        return (f'<figure class="embed embed--{embed.media}"><{embed.media} controls '
                f'preload="none" src="{src}"><a href="{src}">{label("embed_download")}</a>'
                f'</{embed.media}></figure>\n')
    provider = escape(embed.provider)
    shown = escape(re.sub(r"^https?://(www\.)?", "", embed.link))
    return (f'<figure class="embed embed--{provider.lower().replace(" ", "-")}" '
            f'data-embed-src="{escape(embed.frame)}" data-embed-title="{label("embed_title")}" '
            f'data-embed-sandbox="{SANDBOX}" data-embed-referrer="{REFERRER}">'
            f'<p class="embed-provider">{provider}</p>'
            f'<p class="embed-link"><a href="{escape(embed.link)}" rel="noopener">{shown}</a></p>'
            f'<button type="button" class="embed-load" hidden>{label("embed_load")}</button>'
            f'<figcaption class="embed-note">{label("embed_note")}</figcaption></figure>\n')
