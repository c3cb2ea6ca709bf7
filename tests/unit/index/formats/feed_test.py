"""RSS and Atom feeds read from files written here (there is no network on this machine), indexed with the real model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.builder import IndexBuilder
from index.embedding import Embedder
from index.formats import feed
from retrieval.searcher import Searcher
from sitroom.cli import main
from sitroom.config import Settings

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>Harbor Watch</title><link>https://harbor.example/</link><description>Naval news</description>
<item><title>Zanzibar base deal signed</title><link>https://harbor.example/zanzibar</link>
<pubDate>Mon, 03 Mar 2025 09:00:00 +0000</pubDate>
<description>&lt;p&gt;Admiral Amara Okonkwo said the Zanzibar naval base agreement secures the deep-water port for ten years.&lt;/p&gt;&lt;p&gt;She told reporters that the deal keeps rival fleets out of the channel.&lt;/p&gt;</description></item>
<item><title>Quetzal cable cut</title><link>https://harbor.example/quetzal</link>
<pubDate>Tue, 04 Mar 2025 09:00:00 +0000</pubDate>
<content:encoded><![CDATA[<p>The undersea Quetzal cable near Guam was cut on Monday, the ministry said.</p><ul><li>Repairs will take six weeks.</li></ul>]]></content:encoded></item>
<item><title>Empty item</title><link>https://harbor.example/empty</link></item>
</channel></rss>
"""
ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Strait Times Digest</title><id>urn:strait</id><updated>2025-03-05T08:00:00Z</updated>
<entry><title>Patrols expand in the strait</title><id>urn:strait:1</id><updated>2025-03-05T08:00:00Z</updated>
<content type="html">&lt;p&gt;Navy commanders announced that patrols across the Malacca strait will double next month.&lt;/p&gt;</content></entry>
</feed>
"""


@pytest.fixture
def feeds(tmp_path: Path) -> tuple[Path, Path]:
    rss, atom = tmp_path / "harbor.rss", tmp_path / "strait.atom"
    rss.write_text(RSS, encoding="utf-8")
    atom.write_text(ATOM, encoding="utf-8")
    return rss, atom


class TestFeedParsing:
    def test_entries_become_documents(self, feeds: tuple[Path, Path]) -> None:
        rss, atom = feeds
        documents, rejected = feed.load_feed(str(rss))
        assert [d.doc_id for d in documents] == ["https://harbor.example/zanzibar", "https://harbor.example/quetzal"]
        zanzibar, quetzal = documents
        assert (zanzibar.title, zanzibar.source, zanzibar.date, zanzibar.format) == (
            "Zanzibar base deal signed",
            "Harbor Watch",
            "2025-03-03",
            "feed",
        )
        assert zanzibar.text.splitlines() == [
            "Zanzibar base deal signed",
            "",
            "Admiral Amara Okonkwo said the Zanzibar naval base agreement secures the deep-water port for ten years.",
            "She told reporters that the deal keeps rival fleets out of the channel.",
        ]
        assert "Repairs will take six weeks." in quetzal.text.splitlines(), "content:encoded wins over the summary, list items are lines"
        assert [(r.path, r.reason) for r in rejected] == [("https://harbor.example/empty", "feed entry has no text")]
        (entry,), _ = feed.load_feed(str(atom))
        assert (entry.doc_id, entry.source, entry.date) == ("urn:strait:1", "Strait Times Digest", "2025-03-05")

    def test_unreadable_feeds_are_one_rejection_each(self, tmp_path: Path, feeds: tuple[Path, Path]) -> None:
        (tmp_path / "broken.rss").write_text("<rss><channel><title>oops", encoding="utf-8")
        result = feed.load_feeds([str(tmp_path / "broken.rss"), str(tmp_path / "missing.rss"), str(feeds[1])])
        assert [d.doc_id for d in result.documents] == ["urn:strait:1"]
        reasons = {Path(r.path).name: r.reason for r in result.rejected}
        assert "not a readable RSS/Atom feed" in reasons["broken.rss"] and "cannot read feed file" in reasons["missing.rss"]


class TestFeedIndexing:
    def test_cli_indexes_feed_files(self, tmp_path: Path, feeds: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
        index_dir = str(tmp_path / "index")
        rss, atom = feeds
        assert main(["index", "--feed", str(rss), "--feed", str(atom), "--json", "--index-dir", index_dir]) == 0
        summary = json.loads(capsys.readouterr().out)
        assert sorted(summary["added"]) == ["https://harbor.example/quetzal", "https://harbor.example/zanzibar", "urn:strait:1"]
        assert [r["path"] for r in summary["rejected"]] == ["https://harbor.example/empty"]
        assert main(["search", "Malacca strait patrols", "-k", "1", "--json", "--index-dir", index_dir]) == 0
        top = json.loads(capsys.readouterr().out)["results"][0]
        assert (top["doc"], top["source"], top["date"]) == ("urn:strait:1", "Strait Times Digest", "2025-03-05")

    def test_reread_feed_updates_entries_and_keeps_old_ones(self, tmp_path: Path, feeds: tuple[Path, Path], embedder: Embedder) -> None:
        rss, _ = feeds
        settings = Settings(index_dir=tmp_path / "index")
        builder = IndexBuilder(settings, embedder=embedder)
        builder.run([], feeds=[str(rss)], progress=False)
        newer = RSS.replace("will take six weeks", "will take two months").replace(
            RSS[RSS.index("<item><title>Zanzibar") : RSS.index("<item><title>Quetzal")], ""
        )
        rss.write_text(newer, encoding="utf-8")
        summary = builder.run([], feeds=[str(rss)], progress=False)
        assert summary.changed == ["https://harbor.example/quetzal"] and not summary.added and not summary.removed
        assert summary.documents == 2, "an entry that left the feed stays indexed"
        passages = Searcher(settings, embedder=embedder).search("cable repairs", k=1).passages
        assert "two months" in passages[0].text
