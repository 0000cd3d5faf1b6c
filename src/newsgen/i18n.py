"""Interface labels and date formats per language.

Vietnamese is the first language; English is the second built-in one. A site in
another language names its labels in `site.yaml` under `strings`, starting from
the English set, so a missing label never leaves a hole in a page.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

# Labels the theme uses. Lists (weekdays Monday first, months January first)
# and the date pattern feed `format_datetime`.
STRINGS: dict[str, dict[str, str | list[str]]] = {
    "vi": {
        "home": "Trang chủ",
        "sections": "Chuyên mục",
        "skip_to_content": "Bỏ qua, đến nội dung chính",
        "breadcrumb": "Đường dẫn",
        "text_size": "Cỡ chữ",
        "size_small": "Nhỏ",
        "size_normal": "Bình thường",
        "size_large": "Lớn",
        "related": "Tin liên quan",
        "older": "Tin cũ hơn",
        "latest": "Tin mới nhất",
        "featured": "Tiêu điểm",
        "more": "Xem thêm",
        "tags": "Từ khóa",
        "authors": "Tác giả",
        "updated": "Cập nhật",
        "pagination": "Phân trang",
        "previous": "Trang trước",
        "next": "Trang sau",
        "page": "Trang",
        "not_found_title": "Không tìm thấy trang",
        "not_found_text": "Trang bạn tìm không tồn tại hoặc đã được chuyển đi.",
        "back_home": "Về trang chủ",
        "draft": "Bản nháp",
        "breaking": "Tin nóng",
        "external_link": "liên kết ngoài",
        "embed_load": "Xem tại đây",
        "embed_title": "Nội dung từ {provider}",
        "embed_note": "Nội dung từ {provider}: chỉ được tải khi bạn bấm “Xem tại đây”.",
        "embed_download": "Tải tệp về",
        "search": "Tìm kiếm",
        "search_label": "Tìm bài viết",
        "search_button": "Tìm",
        "search_results": "{count} kết quả cho “{query}”",
        "search_none": "Không tìm thấy bài viết nào cho “{query}”.",
        "search_needs_js": "Trang tìm kiếm cần JavaScript để chạy trong trình duyệt.",
        "archive": "Lưu trữ",
        "archive_days": "Các ngày có tin",
        "archive_months": "Các tháng khác",
        "menu": "Chuyên mục",
        "all_sections": "Tất cả chuyên mục",
        "share": "Chia sẻ",
        "share_on": "Chia sẻ lên {network}",
        "copy_link": "Sao chép liên kết",
        "link_copied": "Đã sao chép liên kết",
        "share_other": "Chia sẻ qua ứng dụng khác",
        "weekdays": ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"],
        "months": [f"tháng {n}" for n in range(1, 13)],
        "datetime_format": "{weekday}, {day:02d}/{month:02d}/{year} {hour:02d}:{minute:02d} ({tz})",
        "date_format": "{day:02d}/{month:02d}/{year}",
        "archive_month": "Tháng {month}/{year}",
        "archive_day": "{weekday}, {day}/{month}/{year}",
        "archive_day_short": "{day}/{month}",
    },
    "en": {
        "home": "Home",
        "sections": "Sections",
        "skip_to_content": "Skip to main content",
        "breadcrumb": "Breadcrumb",
        "text_size": "Text size",
        "size_small": "Small",
        "size_normal": "Normal",
        "size_large": "Large",
        "related": "Related",
        "older": "Older news",
        "latest": "Latest news",
        "featured": "Top stories",
        "more": "More",
        "tags": "Tags",
        "authors": "By",
        "updated": "Updated",
        "pagination": "Pagination",
        "previous": "Previous page",
        "next": "Next page",
        "page": "Page",
        "not_found_title": "Page not found",
        "not_found_text": "The page you are looking for does not exist or has moved.",
        "back_home": "Back to the home page",
        "draft": "Draft",
        "breaking": "Breaking news",
        "external_link": "external link",
        "embed_load": "Play here",
        "embed_title": "Content from {provider}",
        "embed_note": "Content from {provider}: loaded only when you press “Play here”.",
        "embed_download": "Download the file",
        "search": "Search",
        "search_label": "Search the news",
        "search_button": "Search",
        "search_results": "{count} results for “{query}”",
        "search_none": "No article found for “{query}”.",
        "search_needs_js": "The search page needs JavaScript to run in your browser.",
        "archive": "Archive",
        "archive_days": "Days with news",
        "archive_months": "Other months",
        "menu": "Sections",
        "all_sections": "All sections",
        "share": "Share",
        "share_on": "Share on {network}",
        "copy_link": "Copy link",
        "link_copied": "Link copied",
        "share_other": "Share with another app",
        "weekdays": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
                     "Sunday"],
        "months": ["January", "February", "March", "April", "May", "June", "July",
                   "August", "September", "October", "November", "December"],
        "datetime_format": "{weekday}, {month_name} {day}, {year} {hour:02d}:{minute:02d} ({tz})",
        "date_format": "{month_name} {day}, {year}",
        "archive_month": "{month_name} {year}",
        "archive_day": "{weekday}, {month_name} {day}, {year}",
        "archive_day_short": "{month_name} {day}",
    },
}

LIST_KEYS = {"weekdays": 7, "months": 12}
# archive_day is also the date line in every page's header ("Thứ Ba, 1/12/2026").
FORMAT_KEYS = ("datetime_format", "date_format", "archive_month", "archive_day",
               "archive_day_short")


def default_strings(language: str) -> dict[str, str | list[str]]:
    """The built-in labels for `language` ("vi-VN" uses "vi"), English otherwise."""
    base = language.split("-")[0].lower()
    return dict(STRINGS.get(base, STRINGS["en"]))


def tz_label(offset: timedelta | None) -> str:
    """GMT+7, GMT+5:30, GMT-3: how Vietnamese news sites show the zone."""
    if offset is None:
        return "GMT"
    minutes = int(offset.total_seconds()) // 60
    if minutes == 0:
        return "GMT"
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"GMT{sign}{hours}" + (f":{mins:02d}" if mins else "")


def format_datetime(value: datetime, strings: Mapping[str, object],
                    pattern_key: str = "datetime_format") -> str:
    weekdays = strings["weekdays"]
    months = strings["months"]
    assert isinstance(weekdays, list) and isinstance(months, list)
    pattern = str(strings[pattern_key])
    return pattern.format(
        weekday=weekdays[value.weekday()],
        day=value.day,
        month=value.month,
        month_name=months[value.month - 1],
        year=value.year,
        hour=value.hour,
        minute=value.minute,
        tz=tz_label(value.utcoffset()),
    )


def check_format(pattern: str) -> str | None:
    """Why `pattern` cannot format a date, or None when it can."""
    sample = datetime(2022, 1, 6, 9, 15)
    try:
        pattern.format(weekday="", day=sample.day, month=sample.month, month_name="",
                       year=sample.year, hour=sample.hour, minute=sample.minute, tz="")
    except (KeyError, IndexError, ValueError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None
