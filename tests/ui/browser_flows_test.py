"""The analyst flows only a real browser can check: hover previews, the :target flash, filter chips, editing metadata, the timeline.

One `sitroom ui` server over a private copy of the seeds index serves the module; every check waits
for its element (Playwright locators and `expect`) instead of reading the page once.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator

import pytest

from sitroom.config import Settings
from ui.served import CHROMIUM, CHROMIUM_ARGS, pick, running_ui

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed (Debian packages chromium, chromium-driver)")
WAIT = 120_000  # ms; the first page of a fresh server waits for the model, on a busy machine


@pytest.fixture(scope="module")
def served(seeds_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    index_dir = tmp_path_factory.mktemp("browser") / "index"
    shutil.copytree(seeds_settings.index_dir, index_dir, symlinks=True)
    with running_ui(index_dir) as url:
        yield url


@pytest.fixture(scope="module")
def browser(served: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(WAIT)
    try:
        yield context.new_page()
    finally:
        context.close()


def test_hovering_a_citation_previews_its_passage_and_its_card_flashes(page, served: str) -> None:
    from playwright.sync_api import expect

    page.goto(served)
    box = page.get_by_label("Question")
    box.fill("What did Iraq say about US troops?")
    box.press("Enter")
    cite = page.locator(".sr-answer .sr-cite").first
    preview = cite.locator(".sr-pop")
    expect(cite).to_be_visible(timeout=WAIT)
    expect(preview).to_be_hidden()
    sentence = page.locator(".sr-answer li").first.inner_text()  # the preview is hidden, so this is the sentence and "[1]"
    cite.locator("a.cite").hover()
    expect(preview).to_be_visible()
    # Every answer sentence taken from the cited passage is marked in its preview, so there may be several.
    expect(preview.locator(".cited").first).to_contain_text(sentence[:60])
    card = page.locator(".sr-card:has(#cite-1)")
    # The passages render after the answer; on a busy machine a click before its card exists jumps nowhere.
    expect(card).to_be_attached(timeout=WAIT)
    cite.locator("a.cite").click()
    expect(page).to_have_url(re.compile(r"#cite-1$"))
    expect(card).to_be_in_viewport(timeout=WAIT)
    page.wait_for_function("getComputedStyle(document.querySelector('.sr-card:has(#cite-1)')).animationName === 'sr-flash'")


def test_filter_chips_name_the_emptying_filter_and_clear_in_one_click(page, served: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{served}/search")
    page.get_by_label("Query").fill("Kaspersky ban")
    page.get_by_label("Query").press("Enter")
    expect(page.locator(".sr-card").first).to_be_visible(timeout=WAIT)
    pick(page, "f_source", re.compile(r"^NatSec Daily \("))
    chip = page.get_by_role("button", name="source: NatSec Daily")
    expect(chip).to_be_visible()
    pick(page, "f_doc", re.compile(r"\(003_bec8731c7900498a\.txt\)$"))
    expect(page.get_by_text("no passages with source=NatSec Daily and doc=003_bec8731c7900498a.txt together")).to_be_visible()
    expect(page.locator(".sr-card")).to_have_count(0)
    page.get_by_role("button", name="Clear all").click()
    expect(chip).to_be_hidden()
    expect(page.locator(".sr-card").first).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"^(source|doc): "))).to_have_count(0)


def test_library_edits_metadata_and_opens_the_document_from_its_row(page, served: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{served}/library")
    pick(page, "edit_doc", re.compile(r"^U\.S\. to Putin"))
    title = page.get_by_role("textbox", name="Title")
    expect(title).to_have_value(re.compile(r"^U\.S\. to Putin"))
    title.fill("Russia bombs Syria: the ISIS quagmire")
    page.get_by_role("textbox", name="Date").fill("2015-09-30")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved title, date of 004_d1df9960fe393cbd.txt")).to_be_visible(timeout=WAIT)
    row = page.locator(".sr-docs tr", has_text="004_d1df9960fe393cbd.txt")
    expect(row).to_contain_text("2015-09-30")
    row.get_by_role("link", name="Russia bombs Syria: the ISIS quagmire").click()
    expect(page.get_by_test_id("stMainBlockContainer").locator("h3", has_text="Russia bombs Syria: the ISIS quagmire")).to_be_visible()
    expect(page.get_by_text("The Daily Beast · 2015-09-30").first).to_be_visible()


TIMELINE_LINE = re.compile(r"^(?P<date>\d{4}-\d{2}-\d{2}|undated) (?P<speaker>[^:]+): (?P<text>.+)$", re.S)
CITATION = re.compile(r" · (?P<doc>\S+\.txt) (?P<start>\d+)-(?P<end>\d+)(?: · p\. \d+)?$")


def test_timeline_lists_statements_oldest_first_with_speaker_and_citation(page, served: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{served}/timeline")
    box = page.get_by_label("Topic")
    box.fill("Iraq US troops")
    box.press("Enter")
    caption = page.get_by_text(re.compile(r"^\d+ statements, \d+ dated \(undated ones last\)"))
    expect(caption).to_be_visible(timeout=WAIT)
    total = int(caption.inner_text().split()[0])
    lines = page.locator(".sr-timeline")
    expect(lines).to_have_count(total)  # waits until every line has rendered
    expect(page.get_by_role("link", name="Open in document")).to_have_count(total)
    parsed = []
    for line in lines.all():
        full, meta = line.inner_text(), line.locator(".sr-meta").inner_text()
        said, cited = TIMELINE_LINE.match(full[: full.rindex(meta)].strip()), CITATION.search(meta)
        assert said and cited, line.inner_text()
        parsed.append((said["date"], said["speaker"], said["text"], cited["doc"]))
    dates = [date for date, *_ in parsed]
    dated = [d for d in dates if d != "undated"]
    assert "2024-02-08" in dated and dates == [*sorted(dated), *["undated"] * (len(dates) - len(dated))], dates
    assert any(speaker != "unattributed" for _, speaker, _, _ in parsed)

    page.get_by_role("link", name="Open in document").first.click()
    expect(page).to_have_url(re.compile(rf"/document\?doc={re.escape(parsed[0][3])}&"))
    expect(page.locator("#sitroom-hl")).to_be_attached()
    expect(page.locator(".sr-text .cited").first).to_contain_text(parsed[0][2][:60])
