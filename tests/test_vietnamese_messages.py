"""What an editor reads, in the site's language: Vietnamese by default, English on request.

The rest of the suite asserts the English words (NEWSGEN_MESSAGES=en, see conftest);
here the variable is taken away, as on an editor's machine, and each kind of message
an editor meets is checked word for word in Vietnamese: problems and their hints, the
summary lines, `new`, `init`, `check`, and the choice of language itself.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import manifest, newsgen, write
from test_build_features import article
from test_written_as_editors_write import HEAD, REL

NOW = "2026-12-01T00:00:00+07:00"
AS_EDITORS_HAVE_IT = {"NEWSGEN_MESSAGES": ""}

BAD_DATE = {
    "vi": f"{REL}:3: date: '31/02/2026 06:00': tháng 2/2026 không có ngày 31; hãy kiểm tra "
          "lại ngày",
    "en": f"{REL}:3: date '31/02/2026 06:00': 2/2026 has no day 31; check the date",
}
FAILED = {
    "vi": "dựng trang thất bại: 1 lỗi; thư mục đầu ra không bị thay đổi",
    "en": "build failed: 1 error; the output folder was not changed",
}


def said(*args: str | Path, env: dict[str, str] | None = None) -> list[str]:
    run = newsgen(*args, env={**AS_EDITORS_HAVE_IT, **(env or {})})
    assert "Traceback" not in run.err
    return run.err.splitlines()


def set_language(site: Path, language: str) -> None:
    config = site / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + f"language: {language}\n",
                      encoding="utf-8")


@pytest.mark.parametrize(("language", "args", "env", "expected"), [
    (None, [], {}, "vi"),  # a site without `language:` is Vietnamese
    ("vi-VN", [], {}, "vi"),
    ("en", [], {}, "en"),
    ("fr", [], {}, "en"),  # a language newsgen does not speak: English
    (None, ["--messages", "en"], {}, "en"),
    ("en", ["--messages", "vi"], {}, "vi"),
    (None, [], {"NEWSGEN_MESSAGES": "en"}, "en"),
    (None, ["--messages", "vi"], {"NEWSGEN_MESSAGES": "en"}, "vi"),  # the option wins
])
def test_messages_are_in_the_sites_language_unless_asked_otherwise(
        minimal: Path, language: str | None, args: list[str], env: dict[str, str],
        expected: str) -> None:
    if language:
        set_language(minimal, language)
    article(minimal, "bai", "Bài viết", "31/02/2026 06:00")
    lines = said("build", "-s", minimal, "--now", NOW, *args, env=env)
    if language in ("en", "fr"):  # day-first dates are read on Vietnamese sites only
        assert lines[-1].startswith(FAILED[expected].split(":")[0] + ": 1 ")
    else:
        assert lines == [BAD_DATE[expected], FAILED[expected]]


def test_a_broken_site_yaml_is_told_in_the_language_it_names(minimal: Path) -> None:
    config = minimal / "site.yaml"
    config.write_text("language: en\n" + config.read_text(encoding="utf-8") + "title: [\n",
                      encoding="utf-8")
    assert said("build", "-s", minimal)[-1] == FAILED["en"]
    config.write_text(config.read_text(encoding="utf-8").replace("language: en\n", ""),
                      encoding="utf-8")
    assert said("build", "-s", minimal)[-1] == FAILED["vi"]


def test_an_unknown_language_for_messages_is_a_usage_error(minimal: Path) -> None:
    run = newsgen("build", "-s", minimal, env={"NEWSGEN_MESSAGES": "fr"})
    assert run.code == 2
    assert run.err.splitlines()[-1].endswith(
        "NEWSGEN_MESSAGES must be one of vi, en, not 'fr'")


@pytest.mark.parametrize(("line", "message"), [
    ('title: "Ông A: "Tôi không biết""',
     "front matter không phải YAML hợp lệ: did not find expected key; dấu nháy kép bên trong "
     "văn bản làm văn bản kết thúc sớm; hãy viết là: title: 'Ông A: \"Tôi không biết\"' "
     "(hoặc dùng “ ” bên trong: title: \"Ông A: “Tôi không biết”\")"),
    ('title: "Tôi không biết" - ông A nói',
     "front matter không phải YAML hợp lệ: block sequence entries are not allowed in this "
     "context; văn bản vẫn tiếp tục sau dấu nháy đóng; hãy viết là: "
     "title: '\"Tôi không biết\" - ông A nói'"),
    ("title: #MeToo lan rộng",
     "văn bản sau 'title:' bắt đầu bằng '#', YAML đọc phần đó là chú thích, nên title bị "
     "trống; hãy viết là: title: \"#MeToo lan rộng\""),
    ("title: Ông A: tôi không biết",
     "front matter không phải YAML hợp lệ: mapping values are not allowed in this context; "
     "văn bản có ': ' phải được đặt trong dấu nháy; hãy viết là: title: \"Ông A: tôi không "
     "biết\""),
    ('title:"Giá vàng tăng"',
     "front matter không phải YAML hợp lệ: mapping values are not allowed in this context; "
     "hãy thêm một dấu cách sau 'title:'; hãy viết là: title: \"Giá vàng tăng\""),
])
def test_a_yaml_mistake_is_answered_in_vietnamese_with_the_line_to_write(
        minimal: Path, line: str, message: str) -> None:
    write(minimal / REL, HEAD.format(line=line))
    assert said("build", "-s", minimal, "--now", NOW) == [f"{REL}:2: {message}", FAILED["vi"]]


def test_a_newsroom_word_for_a_key_is_answered_in_vietnamese(minimal: Path) -> None:
    article(minimal, "bai", "Bài viết", "2026-11-25", extra="sapo: Minh Quân\n")
    run = newsgen("build", "-s", minimal, env=AS_EDITORS_HAVE_IT)
    assert run.code == 0
    assert run.err.splitlines() == [
        f"{REL}:5: cảnh báo: khóa 'sapo' không xác định; có phải ý bạn là 'lead'?"]
    # The summary counts the warning, and says what the build did, in the same words.
    assert re.fullmatch(r"đã dựng 18 trang \(\d+ tệp\) vào \S+/public/ trong \d+\.\d\d giây, "
                        r"1 cảnh báo: kết xuất 18 trang, \d+ tệp thay đổi\n", run.out), run.out
    assert said("build", "-s", minimal, "--strict") == [
        f"{REL}:5: khóa 'sapo' không xác định; có phải ý bạn là 'lead'?", FAILED["vi"]]


def test_a_missing_logo_is_named_in_vietnamese(minimal: Path) -> None:
    config = minimal / "site.yaml"
    lines = len(config.read_text(encoding="utf-8").splitlines())
    config.write_text(config.read_text(encoding="utf-8") + "logo: /images/logo.svg\n",
                      encoding="utf-8")
    assert said("build", "-s", minimal) == [
        f"site.yaml:{lines + 1}: không tìm thấy logo '/images/logo.svg': không có tệp "
        "static/images/logo.svg", FAILED["vi"]]


def test_new_says_what_is_wrong_in_vietnamese(minimal: Path) -> None:
    assert said("new", "Hội nghị", "--section", "the-gioj", "-s", minimal) == [
        "--section 'the-gioj' không có trong site.yaml; có phải ý bạn là 'the-gioi'? Các "
        "chuyên mục là: the-gioi, kinh-te"]
    assert said("new", "Giá xăng", "--section", "kinh-te", "--slug", "__", "-s", minimal) == [
        "--slug '__' chỉ được gồm chữ cái ASCII viết thường, chữ số và '-', chẳng hạn tin-moi"]


def test_init_speaks_the_new_sites_language(tmp_path: Path) -> None:
    vi = newsgen("init", "bao", cwd=tmp_path, env=AS_EDITORS_HAVE_IT)
    assert vi.out.splitlines()[-1] == \
        "đã tạo trang web mới; xem trước bằng lệnh: newsgen serve -s bao"
    en = newsgen("init", "news", "--language", "en", cwd=tmp_path, env=AS_EDITORS_HAVE_IT)
    assert en.out.splitlines()[-1] == "a new site; preview it with: newsgen serve -s news"

    (tmp_path / "cu" / "content").mkdir(parents=True)
    before = manifest(tmp_path / "cu")
    refused = newsgen("init", "cu", cwd=tmp_path, env=AS_EDITORS_HAVE_IT)
    assert (refused.code, refused.err.splitlines()) == (1, [
        "cu không trống (content); newsgen init chỉ tạo trang web trong thư mục mới hoặc "
        "trống, để không ghi đè lên gì đã có"])
    assert manifest(tmp_path / "cu") == before


def test_check_sums_up_in_vietnamese(minimal: Path) -> None:
    run = newsgen("check", "-s", minimal, env=AS_EDITORS_HAVE_IT)
    assert run.code == 0, run.err
    assert re.fullmatch(r"đã kiểm tra 15 trang, \d+ liên kết: không có vấn đề nào",
                        run.out.splitlines()[-1]), run.out


def test_a_clock_that_is_no_number_is_told_in_vietnamese(minimal: Path) -> None:
    run = newsgen("build", "-s", minimal, env={**AS_EDITORS_HAVE_IT,
                                               "SOURCE_DATE_EPOCH": "abc"})
    assert (run.code, run.err) == (
        2, "SOURCE_DATE_EPOCH 'abc' phải là một số nguyên giây tính từ 1970-01-01 UTC\n")
