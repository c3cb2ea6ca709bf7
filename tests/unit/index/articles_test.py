"""Articles inside documents, their metadata, and the guarantee that no content is lost silently."""

from __future__ import annotations

import itertools
import re

import pytest

from index.cleaning import RepeatedBlocks, clean
from index.documents import Document, content_hash
from index.loading import load_paths
from index.metadata import display_date
from index.segmenting import split_blocks, split_items, split_sentences
from tests.conftest import SEEDS

# Reasons under which a sentence of a long paragraph may leave the text: page chrome recognised by pattern.
# Nothing of a long paragraph may go as "related", "repeated", "caption", "teaser" or unreported.
CHROME = {"ad", "promo", "signoff", "signup", "app", "link"}
TRIMMED = {"subscribe", "credit"}
LONG_PARAGRAPH_WORDS = 40
LEAD_METADATA = {  # (title, source, date) checked by hand against each seed; None where the text states nothing
    "000": (None, "NatSec Daily", None),
    "001": (None, "NatSec Daily", None),
    "002": ("Moscow and Washington lean on allies for support", "NatSec Daily", None),
    "003": (None, "BW Actual", "2024-02-08"),
    "004": ("U.S. to Putin: Welcome to the ISIS ‘Quagmire’", "The Daily Beast", None),
}


@pytest.fixture(scope="module")
def seeds() -> dict[str, tuple[Document, object]]:
    docs = load_paths([SEEDS]).documents
    repeated = RepeatedBlocks(docs)
    return {doc.doc_id[:3]: (doc, clean(doc, repeated)) for doc in docs}


def _doc(text: str) -> Document:
    return Document("page.txt", "/c", text, 0, "", None, None, content_hash(text), "txt")


def _words(text: str) -> int:
    return len(re.findall(r"\w+", text))


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


class TestArticleSplitting:
    def test_related_articles_with_bodies_become_articles(self, seeds):
        _, cleaned = seeds["002"]
        got = [(a.title, a.source, a.date) for a in cleaned.articles]
        assert got == [
            ("Moscow and Washington lean on allies for support", "NatSec Daily", None),
            ("Meeting Putin in Alaska, Trump risks a catastrophic defeat", "The Hill", None),
            ("Israeli spy chief visits Doha for Gaza talks", "Axios", None),
            ("What to know about the Trump-Putin summit and their previous encounters", "Axios", None),
        ]
        summit = cleaned.text[cleaned.articles[3].start : cleaned.articles[3].end]
        assert "The Trump-Putin summit is scheduled for Friday, Aug. 15." in summit
        assert "The presidents are expected to meet in Anchorage, Alaska." in summit
        assert "David Barnea visited Qatar on Thursday" in cleaned.text

    def test_pasted_newspaper_piece_is_an_article_with_its_headline(self, seeds):
        _, cleaned = seeds["003"]
        blog, nyt = cleaned.articles
        assert (blog.title, blog.source, blog.date) == (None, "BW Actual", "2024-02-08")
        assert (nyt.title, nyt.source, nyt.date) == (
            "Iraq Hosts Both U.S. and Iranian-Backed Forces. It’s Getting Tense.",
            "The New York Times",
            None,
        )
        assert cleaned.text[nyt.start :].startswith("Iraq Hosts Both U.S. and Iranian-Backed Forces.")
        assert "Israeli PM Netanyahu rejected" in cleaned.text[blog.start : blog.end]

    def test_single_article_documents_stay_whole(self, seeds):
        for key in ("000", "001", "004"):
            _, cleaned = seeds[key]
            assert len(cleaned.articles) == 1
            assert (cleaned.articles[0].start, cleaned.articles[0].end) == (0, len(cleaned.text))

    def test_articles_are_ordered_disjoint_and_hold_every_item(self, seeds):
        for _, cleaned in seeds.values():
            spans = [(a.start, a.end) for a in cleaned.articles]
            assert spans == sorted(spans) and all(a[1] <= b[0] for a, b in itertools.pairwise(spans))
            for item in cleaned.items:
                assert any(a.start <= item.span[0] and item.span[1] <= a.end for a in cleaned.articles)

    def test_teasers_in_a_related_section_are_dropped_and_reported(self):
        body = " ".join(["The minister said the talks would resume next week in Geneva."] * 6)
        page = (
            f"Main story headline about the talks\n\n{body}\n\nRelated Articles\n\n"
            "Short teaser headline about something else\nAxios\nRead more\n\n"
            f"Full related article headline here\nThe Hill\n{body}\n"
        )
        cleaned = clean(_doc(page))
        assert [a.title for a in cleaned.articles] == ["Main story headline about the talks", "Full related article headline here"]
        assert cleaned.articles[1].source == "The Hill"
        assert {d.text for d in cleaned.dropped if d.reason == "teaser"} == {"Short teaser headline about something else", "Read more"}

    def test_signature_over_a_date_line_stays_in_its_article(self):
        body = " ".join(["The two presidents agreed to deepen cooperation on energy and security."] * 5)
        cleaned = clean(
            _doc(
                f"Joint Statement on Energy Cooperation\nDate: 2021-10-29\n\n{body}\n\nJoseph R. Biden, Jr. Emmanuel Macron\nOctober 29, 2021\n"
            )
        )
        assert len(cleaned.articles) == 1 and not cleaned.dropped
        assert cleaned.articles[0].title == "Joint Statement on Energy Cooperation" and cleaned.articles[0].date == "2021-10-29"

    def test_table_cells_are_not_article_starts(self):
        body = " ".join(["The president spoke to reporters about the situation in the region."] * 5)
        cleaned = clean(_doc(f"Press Gaggle by the President | Ramstein Air Base, Germany\nDate: 2023-10-18\n\n{body}\n"))
        assert len(cleaned.articles) == 1
        assert cleaned.articles[0].title == "Press Gaggle by the President"


class TestMetadata:
    def test_lead_article_metadata_per_seed(self, seeds):
        for key, expected in LEAD_METADATA.items():
            lead = seeds[key][1].articles[0]
            assert (lead.title, lead.source, lead.date) == expected, key

    def test_titles_are_never_captions_taglines_bylines_or_bullets(self, seeds):
        for doc, cleaned in seeds.values():
            captions = {d.text for d in cleaned.dropped if d.reason in {"caption", "credit"}}
            for article in cleaned.articles:
                if article.title:
                    assert article.title not in captions and not article.title.startswith(("By ", "Posted by", "From the"))
                    assert not re.search(rf"•\s*{re.escape(article.title)}", doc.text)

    def test_captions_are_dropped_with_their_reason(self, seeds):
        for key in ("000", "001", "003"):
            assert any(d.reason == "caption" for d in seeds[key][1].dropped), key

    def test_undated_is_shown_where_no_date_is_known(self):
        assert display_date(None) == "undated" and display_date("2024-02-08") == "2024-02-08"

    def test_signoff_names_the_newsletter_even_though_cleaning_drops_it(self, seeds):
        _, cleaned = seeds["002"]
        assert "Thanks for tuning in" not in cleaned.text
        assert cleaned.articles[0].source == "NatSec Daily"


class TestNothingLostSilently:
    def test_every_word_is_kept_or_reported(self, seeds):
        for key, (doc, cleaned) in seeds.items():
            original = _words(doc.text[doc.body_start :])
            reported = sum(_words(d.text) for d in cleaned.dropped)
            assert _words(cleaned.text) + reported == original, key

    def test_no_long_paragraph_is_lost(self, seeds):
        for key, (doc, cleaned) in seeds.items():
            kept = _norm(cleaned.text)
            dropped = [(d.reason, _norm(d.text)) for d in cleaned.dropped]
            for block in split_blocks(doc.text, doc.body_start):
                for item in split_items(doc.text, block):
                    paragraph = _norm(doc.text[(item.headline or item.body).start : item.body.end])
                    if len(paragraph.split()) < LONG_PARAGRAPH_WORDS or paragraph in kept:
                        continue
                    for sentence in split_sentences(doc.text, item.body):
                        text = _norm(sentence.of(doc.text))
                        for reason, piece in dropped:  # chrome cut off the sentence ("Email Matt", a sign-off tail)
                            if reason in TRIMMED | CHROME and piece != text:
                                text = text.removeprefix(piece).removesuffix(piece).strip()
                        reasons = {reason for reason, piece in dropped if text in piece}
                        assert not text or text in kept or reasons & CHROME, (key, text[:80], reasons)
