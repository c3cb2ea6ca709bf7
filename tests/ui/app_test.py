"""Each page's flow through `streamlit.testing.v1.AppTest`, over the real seeds index and model."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs

from streamlit.testing.v1 import AppTest

from index import layout
from index.store import Store
from retrieval.answer import NO_ANSWER
from retrieval.passages import Filters
from sitroom.config import Settings
from ui import library

App = Callable[[Path], AppTest]  # the `app` fixture: an index directory → a started AppTest
ROOT = Path(__file__).resolve().parents[2]
IRAQ = "What did Iraq say about US troops?"
ZANZIBAR = (
    "Posted by Harbor Watch on Mar 3rd 2025\n\n"
    "Admiral Amara Okonkwo said the Zanzibar naval base agreement secures the deep-water port for ten years. "
    "She told reporters that the Zanzibar deal keeps rival fleets out of the channel.\n"
)
SCRIPTED = (
    "Posted by Harbor Watch on Mar 4th 2025\n\n"
    "The Quetzal cable memo described the <script>alert('pwned')</script> attack on the undersea Quetzal cable near Guam. "
    "Officials said <b>bold</b> claims about the Quetzal cable were premature.\n"
)


def docs_matching(index_dir: Path, filters: Filters) -> set[str]:
    store = Store(layout.current(index_dir) / layout.STORE, readonly=True)
    where, params = filters.sql(store.has_article_columns())
    return {
        row[0]
        for row in store.db.execute(f"SELECT DISTINCT c.doc_id FROM chunks c JOIN documents d ON d.doc_id = c.doc_id WHERE {where}", params)
    }


def html_of(at: AppTest) -> str:
    return "\n".join(element.value for element in at.html)


def ask(at: AppTest, question: str) -> AppTest:
    at.text_input(key="question").input(question)
    return at.button[0].click().run()


def upload(at: AppTest, *files: tuple[str, bytes]) -> AppTest:
    at.switch_page("views/library.py").run()
    for name, data in files:
        at.file_uploader[0].upload(name, data, "text/plain")
    return at.get("form_submit_button")[0].click().run()


def link_params(at: AppTest) -> list[dict[str, list[str]]]:
    return [parse_qs(link.proto.query_string) for link in at.get("page_link") if link.proto.query_string]


def test_ask_shows_a_cited_answer_with_passages(app: App, seeds_index: Path) -> None:
    at = ask(app(seeds_index), IRAQ)
    assert not at.exception
    page = html_of(at)
    assert 'class="sr-answer"' in page
    assert 'href="#cite-1"' in page and 'id="cite-1"' in page, "citation [1] must jump to its passage"
    assert 'class="cited"' in page, "the cited sentence is highlighted in its passage"
    assert 'class="term">Iraq</span>' in page, "query terms are marked"
    assert re.search(r'<div class="sr-group">[^<]+ · (\d{4}-\d{2}-\d{2}|undated)</div><ul><li>', page), "bullets grouped by source and date"
    assert page.count('class="sr-pop"') >= 1, "each [n] carries its passage for the hover preview"
    assert "relevance</span>" in page and "score 0." not in page, "relevance labels, not raw scores"
    assert ".txt 4628" not in page
    links = link_params(at)
    assert links and all({"doc", "span", "orig"} <= set(p) for p in links)
    assert any("sent" in p for p in links), "a cited passage's link carries its cited sentences"


def test_off_topic_question_abstains(app: App, seeds_index: Path) -> None:
    at = ask(app(seeds_index), "What is the best recipe for banana bread?")
    assert not at.exception
    assert [w.value for w in at.warning] == [NO_ANSWER]
    assert 'class="sr-answer"' not in html_of(at)


def test_search_filters_by_source_date_document_and_mode(app: App, seeds_index: Path) -> None:
    at = app(seeds_index).switch_page("views/search.py").run()
    at.text_input(key="query").input("troops withdrawal").run()
    assert "10 passages in " in html_of(at) and 1 <= len(link_params(at)) <= 10, "overlapping passages share a card"

    at.selectbox(key="f_source").set_value("NatSec Daily").run()
    assert {p["doc"][0] for p in link_params(at)} <= docs_matching(seeds_index, Filters(source="NatSec Daily")), "the NatSec Daily seeds"

    at.selectbox(key="f_source").set_value(None)
    at.date_input(key="f_dates").set_value((date(2024, 1, 1), date(2024, 12, 31))).run()
    in_2024 = docs_matching(seeds_index, Filters(since="2024-01-01", until="2024-12-31"))
    assert {p["doc"][0] for p in link_params(at)} <= in_2024 and "003_bec8731c7900498a.txt" in in_2024, "only dated seeds are in 2024"

    at.date_input(key="f_dates").set_value(())
    at.selectbox(key="f_doc").set_value("004_d1df9960fe393cbd.txt")
    at.radio(key="f_mode").set_value("dense")
    at.slider(key="f_k").set_value(3).run()
    assert {p["doc"][0] for p in link_params(at)} == {"004_d1df9960fe393cbd.txt"} and "3 passages in " in html_of(at)

    at.radio(key="f_mode").set_value("bm25").run()
    assert "· bm25 ·" in html_of(at)
    assert 1 <= len(link_params(at)) < 3, "BM25 returns only the chunks that contain a query term"


def test_sidebar_options_are_shared_by_ask_and_search(app: App, seeds_index: Path) -> None:
    at = app(seeds_index).switch_page("views/search.py").run()
    at.radio(key="f_mode").set_value("dense").run()
    at.switch_page("views/ask.py").run()
    assert at.radio(key="f_mode").value == "dense"


def test_document_view_highlights_and_anchors_the_span(app: App, seeds_index: Path) -> None:
    at = ask(app(seeds_index), IRAQ)
    params = next(p for p in link_params(at) if "sent" in p)
    at.query_params.update({key: values if key == "sent" else values[0] for key, values in params.items()})
    at.switch_page("views/document.py").run()
    assert not at.exception
    page = html_of(at)
    assert page.count('id="sitroom-hl"') == 1
    assert 'class="span"' in page and 'class="span cited"' in page
    assert any("scrollIntoView" in h.value for h in at.html), "the page scrolls to the highlight"
    assert at.expander[0].label.startswith("Original text")


def test_document_view_names_a_removed_document(app: App, seeds_index: Path) -> None:
    at = app(seeds_index)
    at.query_params["doc"] = "gone.txt"
    at.switch_page("views/document.py").run()
    assert not at.exception
    assert "not in the index" in at.warning[0].value and at.code[0].value == "gone.txt"


def test_uploaded_briefing_answers_a_question(app: App, writable_index: Path) -> None:
    at = upload(app(writable_index), ("zanzibar.txt", ZANZIBAR.encode()))
    assert not at.exception
    assert "Indexed zanzibar.txt" in at.success[0].value and "6 documents" in at.success[0].value
    assert (library.library_dir(Settings(index_dir=writable_index)) / "zanzibar.txt").is_file()

    at.switch_page("views/ask.py").run()
    ask(at, "What did Admiral Okonkwo say about the Zanzibar base?")
    assert not at.warning, "the new briefing answers the question"
    assert "Zanzibar naval base agreement" in html_of(at)
    assert {p["doc"][0] for p in link_params(at) if "sent" in p} == {"zanzibar.txt"}


def test_bad_uploads_are_rejected_with_reasons(app: App, writable_index: Path) -> None:
    at = upload(
        app(writable_index),
        ("slides.pdf", b"%PDF-1.7 binary"),
        ("sheet.xlsx", b"PK\x03\x04"),
        ("empty.txt", b""),
        ("blank.md", b"  \n\n"),
        ("image.txt", b"GIF89a\x00\x01\x00"),
        ("huge.txt", b"a" * (library.MAX_UPLOAD_BYTES + 1)),
    )
    assert not at.exception and not at.success
    errors = "\n".join(e.value for e in at.error)
    for expected in (
        "slides.pdf**: not a readable PDF",
        "sheet.xlsx**: unsupported file type .xlsx",
        "empty.txt**: the file is empty",
        "blank.md**: empty",
        "image.txt**: binary",
        "huge.txt**: 5.0 MB is over the 5 MB limit",
    ):
        assert expected in errors
    assert not list(library.library_dir(Settings(index_dir=writable_index)).glob("*")), "nothing rejected is kept"
    assert at.get("metric")[0].value == "5", "the index is unchanged"


def test_rejected_upload_names_are_shown_as_text(app: App, writable_index: Path) -> None:
    """A name that is a Markdown image must not make the browser fetch its URL: it is escaped in the message."""
    image = "![x](http://127.0.0.1:9/leak.png)"
    at = upload(app(writable_index), (f"{image}.exe", b"MZ"), (f"{image} <b>x</b>.txt", b"\x00binary"))
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 2 and not any("![" in e or "<b>" in e for e in errors), errors
    escaped = "\\!\\[x\\]\\(http://127.0.0.1:9/leak.png\\)"
    assert errors[0].startswith(f"Not added: **{escaped}.exe**: unsupported file type .exe")
    assert errors[1].startswith(f"Not added: **{escaped} &lt;b&gt;x&lt;/b&gt;.txt**: binary file")


def test_remove_an_uploaded_document(app: App, writable_index: Path) -> None:
    at = upload(app(writable_index), ("zanzibar.txt", ZANZIBAR.encode()))
    at.selectbox(key="remove_doc").set_value("zanzibar.txt")
    at.checkbox[0].check()
    at.get("form_submit_button")[1].click().run()
    assert not at.exception
    assert "Removed zanzibar.txt" in at.success[0].value and "5 documents" in at.success[0].value
    assert not (library.library_dir(Settings(index_dir=writable_index)) / "zanzibar.txt").exists()


def test_document_text_is_escaped(app: App, writable_index: Path) -> None:
    at = upload(app(writable_index), ("scripted.txt", SCRIPTED.encode()))
    at.switch_page("views/search.py").run()
    at.text_input(key="query").input("Quetzal cable attack").run()
    at.query_params.update({key: values[0] for key, values in link_params(at)[0].items()})
    at.switch_page("views/document.py").run()
    rendered = html_of(at)
    assert "<script>alert" not in rendered and "<b>bold" not in rendered
    assert "&lt;script&gt;alert(&#x27;pwned&#x27;)&lt;/script&gt;" in rendered and "&lt;b&gt;bold&lt;/b&gt;" in rendered


def test_missing_index_explains_how_to_create_one(app: App, tmp_path: Path) -> None:
    at = app(tmp_path / "nothing-here")
    assert not at.exception
    assert "sitroom index --index-dir" in at.info[0].value
    at.switch_page("views/library.py").run()
    assert not at.exception
    assert "sitroom index" in at.info[0].value and at.file_uploader, "the library can create the first index"


def test_first_upload_creates_the_index(app: App, tmp_path: Path) -> None:
    at = upload(app(tmp_path / "fresh"), ("zanzibar.txt", ZANZIBAR.encode()))
    assert not at.exception
    assert "1 documents" in at.success[0].value
    assert at.get("metric")[0].value == "1"
    at.switch_page("views/ask.py").run()
    assert not at.info, "the Ask page now has an index"


def test_eval_page_runs_a_set_and_shows_metrics_plots_and_misses(app: App, seeds_index: Path) -> None:
    at = app(seeds_index).switch_page("views/evaluation.py").run()
    at.text_input(key="eval_path").input(str(ROOT / "eval" / "sets" / "offtopic.jsonl"))
    at.multiselect(key="eval_variants").set_value(["bm25", "hybrid"])
    at.get("form_submit_button")[0].click().run()
    assert not at.exception and not at.error
    metrics = at.dataframe[0].value
    assert list(metrics.columns) == ["metric", "bm25", "hybrid", "meaning"] and "abstention_accuracy" in set(metrics["metric"])
    assert len(at.image) == 2, "the Hit@k and latency plots from eval.report"
    assert any(e.label.startswith("Misses: hybrid") for e in at.expander)


def test_ask_page_summarizes_the_corpus_and_offers_questions_from_it(app: App, seeds_index: Path) -> None:
    at = app(seeds_index)
    store = Store(layout.current(seeds_index) / layout.STORE, readonly=True)
    assert f"5 documents, {store.count('chunks')} passages; dated 2024-02-08" in html_of(at)
    examples = [b for b in at.button if b.key and b.key.startswith("example_")]
    assert len(examples) == 4
    question = examples[0].label
    examples[0].click().run()
    assert not at.exception
    assert at.text_input(key="question").value == question and 'class="sr-answer"' in html_of(at), "clicking an example asks it"


def test_empty_result_names_the_filter_and_chips_clear_it(app: App, seeds_index: Path) -> None:
    at = app(seeds_index).switch_page("views/search.py").run()
    at.text_input(key="query").input("Kaspersky ban")
    at.selectbox(key="f_source").set_value("NatSec Daily")
    at.date_input(key="f_dates").set_value((date(2024, 1, 1), date(2024, 12, 31))).run()
    note = at.info[0].value
    assert "no passages with source" in note and "without since" in note, note
    chips = {b.key: b for b in at.button if b.key and b.key.startswith("chip_")}
    assert set(chips) == {"chip_since_until", "chip_source", "chip_all"}
    chips["chip_since_until"].click().run()
    assert at.date_input(key="f_dates").value == () and at.selectbox(key="f_source").value == "NatSec Daily"
    assert not at.info and {p["doc"][0] for p in link_params(at)} <= docs_matching(seeds_index, Filters(source="NatSec Daily"))
    next(b for b in at.button if b.key == "chip_source").click().run()
    assert at.selectbox(key="f_source").value is None and not [b for b in at.button if b.key and b.key.startswith("chip_")]


def test_search_sorts_by_date_and_groups_by_document(app: App, seeds_index: Path) -> None:
    at = app(seeds_index).switch_page("views/search.py").run()
    at.text_input(key="query").input("Hamas ceasefire proposal hostages").run()
    assert "by source: " in html_of(at)
    at.get("button_group")[0].set_value("newest first").run()
    dates = [
        re.findall(r'<div class="sr-meta">[^<]* · (\d{4}-\d{2}-\d{2}|undated)</div>', h.value)[0]
        for h in at.html
        if h.value.startswith('<div class="sr-card"')
    ]
    dated = [d for d in dates if d != "undated"]
    assert dated and dates == dated + ["undated"] * (len(dates) - len(dated)) and dated == sorted(dated, reverse=True), dates
    at.toggle(key="group_docs").set_value(True).run()
    headers = [h.value for h in at.html if h.value.startswith('<div class="sr-head">')]
    docs = [p["doc"][0] for p in link_params(at)]
    assert len(headers) == len(set(docs)) and docs == sorted(docs, key=docs.index), "one header per document, its cards together"


def test_document_page_lists_every_document_with_a_link(app: App, seeds_index: Path) -> None:
    at = app(seeds_index).switch_page("views/document.py").run()
    table = next(h.value for h in at.html if 'class="sr-docs"' in h.value)
    for seed in sorted((ROOT / "seeds").iterdir()):
        assert f'href="document?doc={seed.name}"' in table
    assert "undated" in table


def test_library_edits_title_source_and_date(app: App, writable_index: Path) -> None:
    at = app(writable_index).switch_page("views/library.py").run()
    at.selectbox(key="edit_doc").set_value("000_fa8900e209c8b72a.txt").run()
    at.text_input(key="edit_title_000_fa8900e209c8b72a.txt").input("US troops may leave Iraq and Syria")
    at.text_input(key="edit_date_000_fa8900e209c8b72a.txt").input("2024-01-25")
    next(b for b in at.get("form_submit_button") if b.label == "Save").click().run()
    assert not at.exception and "Saved title, date" in at.success[0].value
    assert "US troops may leave Iraq and Syria" in html_of(at) and at.get("metric")[2].value == "2"
    at.switch_page("views/search.py").run()
    at.text_input(key="query").input("troops withdrawal")
    at.date_input(key="f_dates").set_value((date(2024, 1, 20), date(2024, 1, 31))).run()
    assert {p["doc"][0] for p in link_params(at)} == {"000_fa8900e209c8b72a.txt"}, "filters use the edited date at once"

    at.switch_page("views/library.py").run()
    at.selectbox(key="edit_doc").set_value("000_fa8900e209c8b72a.txt").run()
    at.text_input(key="edit_date_000_fa8900e209c8b72a.txt").input("soon")
    next(b for b in at.get("form_submit_button") if b.label == "Save").click().run()
    assert "not a date" in at.error[0].value


def test_eval_page_warns_about_the_live_index_and_explains_metrics(app: App, seeds_index: Path) -> None:
    at = app(seeds_index).switch_page("views/evaluation.py").run()
    assert "live index" in at.warning[0].value
    at.text_input(key="eval_path").input(str(ROOT / "eval" / "sets" / "offtopic.jsonl"))
    at.get("form_submit_button")[0].click().run()
    metrics = at.dataframe[0].value
    assert "meaning" in metrics.columns and metrics["meaning"].str.len().gt(0).all()
