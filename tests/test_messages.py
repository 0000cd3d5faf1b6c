"""The message catalogs: every message newsgen can say is in them, translated, and shipped.

English is the source language: a message's English text is its msgid, so the template
(`locale/newsgen.pot`) is the English catalog. These tests read the code with Babel, the
tool `make messages` uses, so a message added without its translation fails here.
"""

from __future__ import annotations

import ast
import io
import pickle
import string

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from conftest import REPO
from newsgen.messages import LOCALE_DIR, Message, _, ngettext

PACKAGE = REPO / "src" / "newsgen"
TRANSLATED = ["vi"]  # English is the source language


def extracted() -> dict[str, str | None]:
    """Every message in the code: msgid -> its plural msgid (None for a plain one)."""
    found: dict[str, str | None] = {}
    for _file, _line, message, _comments, _context in extract_from_dir(str(PACKAGE)):
        if isinstance(message, tuple):
            found[message[0]] = message[1]
        else:
            found[message] = None
    return found


def catalog(language: str):
    path = LOCALE_DIR / language / "LC_MESSAGES" / "newsgen.po"
    with path.open("rb") as file:
        return read_po(file, locale=language)


def fields(text: str) -> set[str]:
    """The placeholders of a template, with their format specs: `{count:,}` is 'count:,'."""
    return {f"{name}:{spec}" for _lit, name, spec, _conv in string.Formatter().parse(text)
            if name is not None}


def test_every_message_is_made_from_a_plain_template() -> None:
    """An f-string or a variable as a template can't be in a catalog: it would never be
    translated, silently."""
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                    and node.func.id in ("_", "ngettext"):
                count = 1 if node.func.id == "_" else 2
                args = node.args[:count]
                if len(args) < count or not all(isinstance(a, ast.Constant)
                                                and isinstance(a.value, str) for a in args):
                    wrong.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert not wrong


def test_the_template_holds_every_message_of_the_code() -> None:
    with (LOCALE_DIR / "newsgen.pot").open("rb") as file:
        template = read_po(file)
    assert {m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id} == \
        set(extracted()), "run `make messages`"


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated_with_the_same_placeholders(language: str) -> None:
    messages = {m.id[0] if isinstance(m.id, tuple) else m.id: m for m in catalog(language)
                if m.id}
    code = extracted()
    assert sorted(set(code) - set(messages)) == [], "untranslated; run `make messages`"
    assert sorted(set(messages) - set(code)) == [], "no longer in the code"
    wrong = []
    for msgid, plural in code.items():
        message = messages[msgid]
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(forms):
            wrong.append(f"not translated: {msgid!r}")
            continue
        if (plural is None) != (not isinstance(message.id, tuple)):
            wrong.append(f"plural in one place only: {msgid!r}")
        for form in forms:
            if fields(form) != fields(msgid) | (fields(plural) if plural else set()):
                wrong.append(f"placeholders differ: {msgid!r} -> {form!r}")
    assert not wrong


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_compiled_catalog_is_the_translated_one(language: str) -> None:
    """newsgen reads the .mo; one compiled from an older .po would say old words."""
    compiled = io.BytesIO()
    write_mo(compiled, catalog(language))
    shipped = LOCALE_DIR / language / "LC_MESSAGES" / "newsgen.mo"
    assert shipped.read_bytes() == compiled.getvalue(), "run `make messages`"


def test_a_message_is_said_in_the_language_asked_for_with_its_parts() -> None:
    hint = _("did you mean '{name}'?", name="lead")
    message = _("unknown key '{key}'; {hint}", key="sapo", hint=hint)
    assert message == "unknown key 'sapo'; did you mean 'lead'?"
    vi = message.in_language("vi")
    # The inner hint is said in Vietnamese too; what the editor wrote stays as written.
    assert "'sapo'" in vi and "'lead'" in vi and "did you mean" not in vi
    assert vi != message


def test_a_counted_message_has_its_form_in_each_language() -> None:
    assert [ngettext("{n} error", "{n} errors", n) for n in (1, 2)] == ["1 error", "2 errors"]
    assert ngettext("{n} error", "{n} errors", 2).in_language("vi") == "2 lỗi"


def test_a_message_keeps_its_translations_through_the_cache_and_workers() -> None:
    message = _("warning: {message}", message=ngettext("{n} error", "{n} errors", 3))
    again = pickle.loads(pickle.dumps(message))
    assert isinstance(again, Message) and again == message
    assert again.in_language("vi") == message.in_language("vi") != str(message)
