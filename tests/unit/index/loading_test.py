from __future__ import annotations

from pathlib import Path

from index.loading import load_paths

HTML = """<html><head><title>Iraq talks resume</title></head><body><nav>Home | World</nav>
<article><h1>Iraq talks resume</h1><p>Baghdad and Washington resumed talks on Monday about the future of the coalition,
officials in both capitals said. The Iraqi prime minister's office called the talks constructive and said more rounds would follow
in the coming weeks as the two sides work through the details of the transition.</p></article>
<footer>Copyright 2024</footer></body></html>"""

EML = """From: NatSec Daily <natsec@example.com>
Subject: NatSec Daily: Talks resume
Date: Thu, 8 Feb 2024 10:00:00 +0000
Content-Type: text/plain; charset=utf-8

Baghdad and Washington resumed talks on Monday about the future of the coalition.
"""


def test_formats_metadata_and_bad_files_are_reported(tmp_path: Path):
    (tmp_path / "a.md").write_text("---\ntitle: Front matter title\ndate: 2024-02-08\nsource: Example Wire\n---\nBody text about Iraq.\n")
    (tmp_path / "b.html").write_text(HTML)
    (tmp_path / "c.eml").write_text(EML)
    (tmp_path / "d.txt").write_bytes("Caf\xe9 society in Baghdad reopened after the war ended.".encode("latin-1"))
    (tmp_path / "empty.txt").write_text("   \n")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02garbage")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    result = load_paths([tmp_path])
    docs = {d.doc_id: d for d in result.documents}
    assert set(docs) == {"a.md", "b.html", "c.eml", "d.txt"}
    assert (docs["a.md"].title, docs["a.md"].date, docs["a.md"].source) == ("Front matter title", "2024-02-08", "Example Wire")
    assert docs["a.md"].text[docs["a.md"].body_start :].startswith("Body text")
    assert "resumed talks" in docs["b.html"].text and "Home | World" not in docs["b.html"].text
    assert (docs["c.eml"].title, docs["c.eml"].date, docs["c.eml"].source) == ("NatSec Daily: Talks resume", "2024-02-08", "NatSec Daily")
    assert "Café" in docs["d.txt"].text
    rejected = {Path(r.path).name: r.reason for r in result.rejected}
    assert set(rejected) == {"empty.txt", "binary.txt", "image.png"}
    assert "binary" in rejected["binary.txt"] and "empty" in rejected["empty.txt"] and "unsupported" in rejected["image.png"]
