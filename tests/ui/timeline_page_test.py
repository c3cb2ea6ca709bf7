"""The Timeline page through `AppTest`, over the real seeds index and model."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs

from streamlit.testing.v1 import AppTest

App = Callable[[Path], AppTest]
NATSEC_DAILY = {"000_fa8900e209c8b72a.txt", "001_82356547dccc4d69.txt"}


def timeline(at: AppTest, query: str) -> AppTest:
    at.switch_page("views/timeline.py").run()
    at.text_input(key="timeline_query").input(query)
    return at.run()


def badges(at: AppTest) -> list[str]:
    return [m for element in at.html for m in re.findall(r'<span class="sr-badge">([^<]+)</span>', element.value)]


def links(at: AppTest) -> list[dict[str, list[str]]]:
    return [parse_qs(link.proto.query_string) for link in at.get("page_link") if link.proto.query_string]


def test_statements_in_date_order_with_links(app: App, seeds_index: Path) -> None:
    at = timeline(app(seeds_index), "Iraq US troops")
    assert not at.exception
    dates = badges(at)
    dated = [d for d in dates if d != "undated"]
    assert len(dates) >= 5 and "2024-02-08" in dated and "undated" in dates
    assert dates == [*sorted(dated), *["undated"] * (len(dates) - len(dated))], "oldest first, undated last"
    params = links(at)
    assert len(params) == len(dates) and all({"doc", "span", "orig", "sent"} <= set(p) for p in params)

    at.selectbox(key="f_source").set_value("NatSec Daily").run()
    assert not at.exception and links(at) and {p["doc"][0] for p in links(at)} <= NATSEC_DAILY


def test_empty_query_explains_the_page(app: App, seeds_index: Path) -> None:
    at = app(seeds_index).switch_page("views/timeline.py").run()
    assert not at.exception and "how a position moved" in at.caption[0].value


def test_filters_that_match_nothing_are_named(app: App, seeds_index: Path) -> None:
    at = timeline(app(seeds_index), "Iraq US troops")
    at.selectbox(key="f_source").set_value("NatSec Daily")
    at.selectbox(key="f_doc").set_value("003_bec8731c7900498a.txt").run()
    assert not at.exception and not links(at)
    note = at.info[0].value  # Markdown-escaped: "_" is "\\_"
    assert "no passages with source=NatSec Daily and doc=003\\_bec8731c7900498a.txt together" in note, note
