from __future__ import annotations

import codecs
import errno
import os
import tempfile
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from index.documents import content_hash
from index.loading import SUPPORTED_SUFFIXES, load_paths
from sitroom.config import LoadingConfig
from tests.strategies import briefing_text

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


def _billion_laughs(levels: int = 9) -> str:
    """The classic alias bomb: each level is a list of nine aliases to the level below (9**9 "lol"s expanded)."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        prev, name = chr(96 + i), chr(97 + i)
        lines.append(f"{name}: &{name} [{','.join(['*' + prev] * 9)}]")
    return "---\n" + "\n".join(lines) + f"\ntitle: *{chr(96 + levels)}\n---\nBody text about Iraq.\n"


def _rejected(result) -> dict[str, str]:
    return {Path(r.path).name: r.reason for r in result.rejected}


class TestMemoryBounds:
    def test_alias_bomb_in_front_matter_is_refused_with_bounded_memory(self, tmp_path: Path):
        bomb = _billion_laughs()
        assert len(bomb) < 600
        (tmp_path / "bomb.md").write_text(bomb)
        (tmp_path / "fine.md").write_text("---\ntitle: &t Talks resume\nalias: *t\n---\nBody text about Iraq.\n")
        tracemalloc.start()
        try:
            result = load_paths([tmp_path])
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert "alias" in _rejected(result)["bomb.md"]
        assert [d.title for d in result.documents] == ["Talks resume"], "a harmless alias still loads"
        assert peak < 64 * 2**20, f"peak {peak / 2**20:.0f} MiB"

    def test_recursive_alias_and_oversized_front_matter_are_refused(self, tmp_path: Path):
        (tmp_path / "loop.md").write_text("---\ntitle: &x [1, *x]\n---\nBody text.\n")
        (tmp_path / "big.md").write_text("---\ntitle: " + "x" * 5000 + "\n---\nBody text.\n")
        (tmp_path / "deep.md").write_text("---\ntitle: " + "[" * 1500 + "]" * 1500 + "\n---\nDeeply nested front matter.\n")
        result = load_paths([tmp_path], LoadingConfig(max_front_matter_bytes=4096))
        rejected = _rejected(result)
        assert "alias" in rejected["loop.md"] and "larger than 4 KiB" in rejected["big.md"]
        assert [d.doc_id for d in result.documents] == ["deep.md"], "too deep to parse: no metadata, but the body is indexed"

    def test_size_is_checked_before_reading(self, tmp_path: Path):
        with (tmp_path / "sparse.txt").open("wb") as handle:
            handle.truncate(3 * 2**30 + 2**29)  # 3.5 GiB apparent size, no blocks on disk
        (tmp_path / "small.txt").write_text("x " * 600)
        tracemalloc.start()
        try:
            result = load_paths([tmp_path], LoadingConfig(max_file_bytes=1000))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        rejected = _rejected(result)
        assert "3584.0 MiB is larger than the" in rejected["sparse.txt"]
        assert "larger than" in rejected["small.txt"] and not result.documents
        assert peak < 16 * 2**20, f"peak {peak / 2**20:.0f} MiB: the file was read"


class TestDecoding:
    def _load(self, tmp_path: Path, name: str, raw: bytes):
        (tmp_path / name).write_bytes(raw)
        result = load_paths([tmp_path / name])
        assert not result.rejected, result.rejected
        return result.documents[0]

    def test_one_stray_byte_keeps_utf8(self, tmp_path: Path):
        raw = "Iraq’s prime minister said “the talks” went well – officials agreed.".encode() + b" \xff end."
        doc = self._load(tmp_path, "stray.txt", raw)
        assert doc.text.startswith("Iraq’s prime minister said “the talks” went well – officials agreed. \ufffd end.")
        assert doc.encoding == "utf-8 (1 invalid sequence replaced)"

    @pytest.mark.parametrize("codec", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"])
    def test_byte_order_marks_are_text(self, tmp_path: Path, codec: str):
        text = "Baghdad’s statement: “US troops will leave.” Café talks continue."
        raw = text.encode(codec)
        if not raw.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # the -le/-be codecs write no mark
            raw = "\ufeff".encode(codec) + raw
        assert self._load(tmp_path, "bom.txt", raw).text == text

    def test_utf16_without_mark_is_still_binary(self, tmp_path: Path):
        (tmp_path / "nomark.txt").write_bytes("Plain text".encode("utf-16-le"))
        assert "binary" in _rejected(load_paths([tmp_path]))["nomark.txt"]

    @pytest.mark.parametrize(
        "text",
        [
            "The café in Zürich served crème brûlée; señor Müller said it’s “très bien” – naïve, perhaps.",
            "Le ministre a déclaré que les négociations reprendraient à Genève après l’été, « très encourageant ».",
            "El ministro señaló que las negociaciones continuarán en España; «la situación es difícil» en el norte.",
            "It’s plain English with one Windows apostrophe.",
        ],
    )
    def test_western_windows_text_is_cp1252(self, tmp_path: Path, text: str):
        doc = self._load(tmp_path, "west.txt", text.encode("cp1252"))
        assert (doc.text, doc.encoding) == (text, "cp1252")

    def test_central_european_text_keeps_its_code_page(self, tmp_path: Path):
        text = "Příliš žluťoučký kůň úpěl ďábelské ódy. Vláda oznámila, že jednání budou pokračovat v Ženevě po létě."
        assert self._load(tmp_path, "cz.txt", text.encode("cp1250")).text == text


class TestFileNames:
    def test_non_utf8_name_is_kept_escaped(self, tmp_path: Path):
        (tmp_path / os.fsdecode(b"caf\xe9 brief.txt")).write_text("A briefing whose file name is Latin-1.")
        (tmp_path / "plain.txt").write_text("A briefing with a plain name.")
        result = load_paths([tmp_path])
        ids = sorted(d.doc_id for d in result.documents)
        assert ids == ["caf\\xe9 brief.txt", "plain.txt"] and not result.rejected
        for doc_id in ids:
            doc_id.encode("utf-8")  # storable in SQLite and printable as JSON


class TestSkippedAreReported:
    def test_links_special_files_and_unreadable_folders(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
        corpus = tmp_path / "corpus"
        (corpus / "closed").mkdir(parents=True)
        (corpus / "closed" / "secret.txt").write_text("Cannot be read.")
        (corpus / "ok.txt").write_text("A readable briefing.")
        (tmp_path / "elsewhere").mkdir()
        os.symlink(corpus / "missing.txt", corpus / "dangling.txt")
        os.symlink(corpus / "loop.txt", corpus / "loop.txt")
        os.symlink(tmp_path / "elsewhere", corpus / "linked")
        os.mkfifo(corpus / "pipe.txt")
        closed = corpus / "closed"
        if os.geteuid() == 0:  # root reads any folder; refuse this one the way the kernel would refuse a user
            real_scandir = os.scandir

            def scandir(path=".", *args):
                if Path(os.fsdecode(path)) == closed:
                    raise PermissionError(errno.EACCES, "Permission denied", os.fsdecode(path))
                return real_scandir(path, *args)

            monkeypatch.setattr(os, "scandir", scandir)
        closed.chmod(0)
        try:
            result = load_paths([corpus])
        finally:
            closed.chmod(0o755)
        assert [d.doc_id for d in result.documents] == ["ok.txt"]
        assert _rejected(result) == {
            "closed": "unreadable folder: Permission denied",
            "dangling.txt": "dangling symbolic link (its target is missing)",
            "loop.txt": "symbolic link loop",
            "linked": "symbolic link to a folder (not followed)",
            "pipe.txt": "not a regular file",
        }


def _load_one(raw: bytes, name: str):
    with tempfile.TemporaryDirectory(prefix="sitroom-prop-") as folder:
        path = Path(folder) / name
        path.write_bytes(raw)
        result = load_paths([path])
    assert len(result.documents) + len(result.rejected) == 1
    for doc in result.documents:
        doc.text.encode("utf-8")  # storable: no lone surrogates
        assert 0 <= doc.body_start <= len(doc.text) and doc.text[doc.body_start :].strip()
        assert doc.content_hash == content_hash(doc.text)
    return result


class TestLoadingProperties:
    """Any bytes, in any suffix: a document or a reason, never an exception; Unicode text survives exactly."""

    @settings(max_examples=80, deadline=None)
    @given(raw=st.binary(max_size=4000), suffix=st.sampled_from(sorted(SUPPORTED_SUFFIXES)))
    def test_random_bytes_load_or_are_rejected(self, raw: bytes, suffix: str):
        result = _load_one(raw, f"random{suffix}")
        assert all(r.reason and not r.reason.startswith("could not be parsed") for r in result.rejected), result.rejected

    @settings(max_examples=40, deadline=None)
    @given(text=briefing_text(), codec=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-be", "utf-32"]))
    def test_unicode_text_round_trips(self, text: str, codec: str):
        assume(text.strip() and "\x00" not in text and not text.startswith("\ufeff"))
        raw = text.encode(codec) if codec != "utf-16-be" else codecs.BOM_UTF16_BE + text.encode(codec)
        result = _load_one(raw, "text.txt")
        assert [d.text for d in result.documents] == [text]

    @settings(max_examples=60, deadline=None)
    @given(
        words=st.lists(
            st.sampled_from(["Iraq", "troops", "said", "talks", "café", "naïve", "’s", "“quoted”", "–", "Zürich"]), min_size=1, max_size=80
        )
    )
    def test_western_text_in_cp1252_round_trips(self, words: list[str]):
        text = " ".join(words) + "."
        raw = text.encode("cp1252")
        result = _load_one(raw, "west.txt")
        sparse = sum(b >= 0x80 for b in raw) <= 0.05 * len(raw)
        if sparse or (result.documents and result.documents[0].encoding == "cp1252"):
            assert [d.text for d in result.documents] == [text]

    @settings(max_examples=30, deadline=None)
    @given(levels=st.integers(1, 10), width=st.integers(1, 12), scalar=st.sampled_from(["lol", "x" * 200]))
    def test_alias_expansion_is_bounded(self, levels: int, width: int, scalar: str):
        lines = [f"l0: &l0 {scalar}"]
        lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]" for i in range(1, levels)]
        raw = ("---\n" + "\n".join(lines) + f"\ntitle: *l{levels - 1}\n---\nBody text about Iraq.\n").encode()
        tracemalloc.start()
        try:
            result = _load_one(raw, "aliases.md")
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < 64 * 2**20, f"peak {peak / 2**20:.0f} MiB"
        expanded = (len(scalar) + 1) * (sum(width**i for i in range(levels)) + width ** (levels - 1))
        if expanded < LoadingConfig().max_front_matter_expanded // 2:
            assert result.documents, result.rejected
        if result.rejected:
            assert "through aliases" in result.rejected[0].reason
