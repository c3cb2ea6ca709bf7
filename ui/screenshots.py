"""Screenshots of every page for the README, taken from a real `sitroom ui` in Debian's Chromium.

`python -m ui.screenshots --index-dir .sitroom --out docs/screenshots` (or `make screenshots`, which
indexes the seeds first). Each shot waits for the element it shows, so a slow machine only takes
longer. The Library shot opens the edit form without saving, so the index is left as it was.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from ui.served import CHROMIUM, CHROMIUM_ARGS, UiStartError, pick, running_ui

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
WAIT_MS = 300_000  # the first page waits for the model; generous for a loaded laptop
SETTLE_MS = 1_000  # Streamlit fades new elements in; shoot after the fade
VIEWPORT = {"width": 1400, "height": 1000}
SOURCE_OPTION = re.compile(r"^(.*) \((\d+) documents?\)$")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ui.screenshots", description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", type=Path, required=True, help="the index the UI serves")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots", help="folder for the PNG files")
    parser.add_argument("--question", default="What did Iraq say about US troops?")
    parser.add_argument("--query", default="troops withdrawal", help="Search page query")
    parser.add_argument("--topic", default="Iraq US troops", help="Timeline page topic")
    parser.add_argument("--eval-set", type=Path, default=ROOT / "eval" / "sets" / "offtopic.jsonl", help="a small set for the Eval page")
    return parser.parse_args(argv)


def shoot(page, out: Path, name: str, *, full_page: bool = False) -> None:
    page.wait_for_timeout(SETTLE_MS)
    page.screenshot(path=str(out / f"{name}.png"), full_page=full_page)
    logger.info("wrote %s", out / f"{name}.png")


def largest_source(page) -> str:
    """The source with the most documents in the sidebar (its options read "Name (N documents)")."""
    page.locator(".st-key-f_source").get_by_role("combobox").click()
    options = page.get_by_role("option")
    options.first.wait_for()
    counted = [(int(m[2]), m[1]) for text in options.all_inner_texts() if (m := SOURCE_OPTION.match(text))]
    page.keyboard.press("Escape")
    return max(counted)[1]


def ask_pages(page, url: str, out: Path, question: str) -> None:
    page.goto(url)
    box = page.get_by_label("Question")
    box.wait_for()
    shoot(page, out, "ask-start")
    box.fill(question)
    box.press("Enter")
    page.locator(".sr-answer a.cite").first.wait_for()
    page.locator(".sr-card").first.wait_for()
    shoot(page, out, "ask")
    page.locator(".sr-answer a.cite").first.hover()
    page.locator(".sr-answer .sr-pop").first.wait_for()
    shoot(page, out, "ask-hover")
    page.get_by_role("link", name="Open in document").first.click()
    page.locator("#sitroom-hl").wait_for(state="attached")
    shoot(page, out, "document")


def search_page(page, url: str, out: Path, query: str) -> None:
    page.goto(f"{url}/search")
    page.get_by_label("Query").fill(query)
    page.get_by_label("Query").press("Enter")
    page.locator(".sr-card").first.wait_for()
    source = largest_source(page)
    pick(page, "f_source", re.compile(rf"^{re.escape(source)} \("))
    page.get_by_role("button", name=f"source: {source}").wait_for()
    page.locator(".sr-card").first.wait_for()
    shoot(page, out, "search")


def library_pages(page, url: str, out: Path) -> None:
    page.goto(f"{url}/document")
    page.locator(".sr-docs").wait_for()
    shoot(page, out, "documents")
    page.goto(f"{url}/library")
    page.locator(".sr-docs").wait_for()
    pick(page, "edit_doc", re.compile("."))
    page.get_by_role("textbox", name="Title").wait_for()
    shoot(page, out, "library", full_page=True)


def eval_page(page, url: str, out: Path, eval_set: Path) -> None:
    page.goto(f"{url}/evaluation")
    page.get_by_role("textbox", name=re.compile("path of another eval set")).fill(str(eval_set.resolve()))
    page.get_by_role("button", name="Run").click()
    page.locator("[data-testid='stImage']").first.wait_for()
    shoot(page, out, "eval")


def timeline_page(page, url: str, out: Path, topic: str) -> None:
    page.goto(f"{url}/timeline")
    box = page.get_by_label("Topic")
    box.fill(topic)
    box.press("Enter")
    page.locator(".sr-timeline").first.wait_for()
    shoot(page, out, "timeline")


def take(url: str, args: argparse.Namespace) -> None:
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport=VIEWPORT)
            context.set_default_timeout(WAIT_MS)
            page = context.new_page()
            ask_pages(page, url, args.out, args.question)
            search_page(page, url, args.out, args.query)
            library_pages(page, url, args.out)
            eval_page(page, url, args.out, args.eval_set)
            timeline_page(page, url, args.out, args.topic)
        finally:
            browser.close()


def main(argv: Sequence[str] | None = None) -> int:
    from playwright.sync_api import Error as PlaywrightError

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    args = parse_args(argv)
    if not CHROMIUM.exists():
        print(f"screenshots: error: {CHROMIUM} is missing (Debian packages chromium, chromium-driver)", file=sys.stderr)
        return 2
    if not (args.index_dir / "current").exists():
        print(f"screenshots: error: no index in {args.index_dir}; run `sitroom index seeds --index-dir {args.index_dir}`", file=sys.stderr)
        return 2
    try:
        with running_ui(args.index_dir) as url:
            take(url, args)
    except (UiStartError, PlaywrightError) as exc:
        print(f"screenshots: error: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
