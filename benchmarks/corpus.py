"""A deterministic news corpus for benchmarks: N articles that look like a newsroom's.

Vietnamese text with diacritics, headings, lists, quotes, links and pictures,
5 sections, a tag pool with a few common and many rare tags, editor-picked
related articles and dates spread over years. The same N and seed always give
the same files, so timings compare like with like.

    python benchmarks/corpus.py OUT_DIR N
"""

from __future__ import annotations

import random
import sys
from datetime import datetime, timedelta
from pathlib import Path

SECTIONS = [("the-gioi", "Thế giới"), ("thoi-su", "Thời sự"), ("kinh-te", "Kinh tế"),
            ("van-hoa", "Văn hóa"), ("the-thao", "Thể thao")]
WORDS = (
    "Hà", "Nội", "Đà", "Nẵng", "thành", "phố", "người", "dân", "chính", "phủ", "kinh", "tế",
    "tăng", "trưởng", "đầu", "tư", "hợp", "tác", "quốc", "tế", "ngoại", "giao", "hội", "nghị",
    "thượng", "đỉnh", "đối", "thoại", "an", "ninh", "khu", "vực", "phát", "triển", "bền",
    "vững", "xuất", "khẩu", "nông", "sản", "giá", "vàng", "thị", "trường", "chứng", "khoán",
    "doanh", "nghiệp", "lao", "động", "việc", "làm", "giáo", "dục", "y", "tế", "bệnh", "viện",
    "học", "sinh", "thời", "tiết", "bão", "lũ", "miền", "Trung", "đồng", "bằng", "sông",
    "Cửu", "Long", "văn", "hóa", "lễ", "hội", "du", "lịch", "bóng", "đá", "đội", "tuyển",
    "giải", "đấu", "chiến", "thắng", "Bộ", "trưởng", "Thủ", "tướng", "Quốc", "hội", "luật",
    "sửa", "đổi", "năng", "lượng", "điện", "gió", "hạ", "tầng", "đường", "cao", "tốc", "sân",
    "bay", "cảng", "biển",
)
TAGS = [f"Chủ đề {i}" for i in range(200)]


def sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng, rng.randint(12, 24)) for _ in range(rng.randint(3, 5)))


def body(rng: random.Random, slugs: list[str]) -> str:
    parts = [paragraph(rng), paragraph(rng), f"## {sentence(rng, 5)[:-1]}", paragraph(rng),
             "> " + sentence(rng, 18), paragraph(rng),
             "\n".join(f"- {sentence(rng, 8)}" for _ in range(4)), paragraph(rng)]
    if slugs:
        parts.append(f"Xem thêm: [{sentence(rng, 6)[:-1]}](/{rng.choice(SECTIONS)[0]}/"
                     f"{rng.choice(slugs)}/).")
    parts += [paragraph(rng), f"## {sentence(rng, 4)[:-1]}", paragraph(rng), paragraph(rng)]
    return "\n\n".join(parts) + "\n"


def generate(out: Path, n: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    (out / "site.yaml").write_text(
        'title: "Báo Đo Tốc Độ"\nbase_url: "https://bao.example/"\nsections:\n'
        + "".join(f'  - slug: {s}\n    title: "{t}"\n' for s, t in SECTIONS), encoding="utf-8")
    images = out / "static" / "images"
    images.mkdir(parents=True, exist_ok=True)
    (images / "anh.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 9">'
                                    '<rect width="16" height="9" fill="#246"/></svg>\n')
    start = datetime(2026, 11, 1, 8, 0)
    slugs: list[str] = []
    for i in range(n):
        section = SECTIONS[i % len(SECTIONS)][0]
        slug = f"bai-{i:06d}"
        date = start - timedelta(minutes=37 * i)
        tags = sorted({TAGS[int(rng.paretovariate(1.2)) % len(TAGS)] for _ in range(3)})
        related = "".join(f"  - {s}\n" for s in rng.sample(slugs, min(2, len(slugs))))
        front = (f'---\ntitle: "{sentence(rng, rng.randint(8, 14))[:-1]}"\n'
                 f"date: {date.isoformat()}+07:00\nsection: {section}\nslug: {slug}\n"
                 f'lead: "{sentence(rng, 30)}"\nauthors: [Phóng viên {i % 40}]\n'
                 f"tags: [{', '.join(tags)}]\n"
                 f'image:\n  src: /images/anh.svg\n  alt: "{sentence(rng, 6)[:-1]}"\n'
                 + (f"related:\n{related}" if related else "") + "---\n")
        folder = out / "content" / section
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{slug}.md").write_text(front + body(rng, slugs[-50:]), encoding="utf-8")
        slugs.append(slug)


if __name__ == "__main__":
    generate(Path(sys.argv[1]), int(sys.argv[2]))
