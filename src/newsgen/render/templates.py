"""The Jinja environment: autoescape always on, undefined names are errors.

A typo in a template (`{{ artcle.title }}`) fails the build with the template's
file and line instead of printing an empty string into every page.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import jinja2
import jinja2.meta
import jinja2.nodes

from newsgen.content.config import SiteConfig
from newsgen.engine.store import fingerprint
from newsgen.errors import TemplateError
from newsgen.messages import _
from newsgen.render.figures import picture_html
from newsgen.theme import template_dirs
from newsgen.urls import href


def make_environment(config: SiteConfig) -> jinja2.Environment:
    """An environment serves one build: templates are read once, not checked for changes
    on every page (each page would stat every template it extends, imports and includes)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in template_dirs(config.site_dir)]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    # Read at every call: a page that links an asset depends on the base path.
    env.globals["asset"] = lambda path: href(config.base_path, "/" + str(path).lstrip("/"))
    # {{ picture(image, "hero") }}: the slot names the box's width in `pictures.sizes`.
    env.globals["picture"] = lambda image, slot, **options: picture_html(
        image, config.pictures.size(slot), **options)
    return env


def template_digests(env: jinja2.Environment, names: set[str]) -> dict[str, bytes]:
    """Per page template, a digest of its source and of every template it pulls in.

    A page depends on exactly these: an edited article.html changes the article
    pages' digest and no other. A template that names another by a variable
    could pull in any of them, so it depends on all.
    """
    everything: bytes | None = None
    digests: dict[str, bytes] = {}
    for name in sorted(names):
        parts = _closure(env, name)
        if parts is None:
            if everything is None:
                everything = fingerprint([_source(env, n) for n in sorted(env.list_templates())])
            digests[name] = everything
        else:
            digests[name] = fingerprint(sorted(parts.items()))
    return digests


def _source(env: jinja2.Environment, name: str) -> tuple[str, str]:
    """The template's file and text; a missing or broken one is left for render() to report."""
    try:
        source, filename, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
    except jinja2.TemplateNotFound:
        return "", ""
    return filename or "", source


def _closure(env: jinja2.Environment, name: str) -> dict[str, tuple[str, str]] | None:
    found: dict[str, tuple[str, str]] = {}
    todo = [name]
    while todo:
        current = todo.pop()
        if current in found:
            continue
        found[current] = _source(env, current)
        try:
            refs = list(jinja2.meta.find_referenced_templates(env.parse(found[current][1])))
        except jinja2.TemplateSyntaxError:
            continue
        if None in refs:
            return None
        todo += [r for r in refs if r is not None]
    return found


def render(env: jinja2.Environment, name: str, context: Mapping[str, object],
           site_dir: Path) -> str:
    """Render one template; any template mistake becomes a TemplateError with file:line."""
    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(_("template syntax error: {problem}", problem=str(exc.message)),
                            _where(exc.filename, site_dir, name), exc.lineno or 0) from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(_("template '{name}' not found in templates/", name=str(exc.name)),
                            name) from None
    except jinja2.UndefinedError as exc:
        filename, line = _template_frame(exc)
        raise TemplateError(_("{problem}; check the name in the template",
                              problem=str(exc.message)),
                            _where(filename, site_dir, name), line) from None
    except jinja2.TemplateError as exc:
        filename, line = _template_frame(exc)
        raise TemplateError(_("template error: {problem}", problem=str(exc)),
                            _where(filename, site_dir, name), line) from None
    except (TypeError, ValueError, ArithmeticError, LookupError, AttributeError) as exc:
        # A mistake in an expression ({{ site.title + 1 }}) is the template's, not newsgen's.
        filename, line = _template_frame(exc)
        raise TemplateError(_("template error: {kind}: {problem}", kind=type(exc).__name__,
                              problem=str(exc)),
                            _where(filename, site_dir, name), line) from None


def _where(filename: str | None, site_dir: Path, fallback: str) -> str:
    if not filename:
        return fallback
    path = Path(filename)
    try:
        return path.relative_to(site_dir).as_posix()
    except ValueError:
        return path.as_posix()


def _template_frame(exc: BaseException) -> tuple[str | None, int]:
    """The innermost template file and line in the traceback of a render error."""
    filename, line = None, 0
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_filename.endswith(".html") or code.co_filename.endswith(".xml"):
            filename, line = code.co_filename, tb.tb_lineno
        tb = tb.tb_next
    return filename, line
