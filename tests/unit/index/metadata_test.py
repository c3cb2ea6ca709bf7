from __future__ import annotations

import pytest

from index import metadata


class TestInstitutionSource:
    @pytest.mark.parametrize(
        ("title", "body", "expected"),
        [
            (
                "Department Press Briefing – March 3, 2030",
                "Date: 2030-03-03\n\nJane Roe, Department Spokesperson\n\n1:05 p.m. EDT\n\nMS ROE: Hello.",
                "U.S. Department of State",
            ),
            (
                "Call with the Foreign Minister of Ruritania",
                "Office of the Spokesperson\n\nThe Secretary spoke with the minister.",
                "U.S. Department of State",
            ),
            (
                "Meeting with the Vice President of Ruritania",
                "John Doe, Secretary of State\n\nThe Secretary met the vice president.",
                "U.S. Department of State",
            ),
            (
                "Remarks by the President on the Summit",
                "U.S. Department of State\nWashington, D.C.\n\nTHE PRESIDENT: Thank you.",
                "The White House",
            ),
            ("Press Gaggle on the Trip", "Aboard Air Force One\n\nQ    Any news?", "The White House"),
            (
                "A Proclamation on a Day of Remembrance",
                "Long prose about the day that fills a paragraph of words.\n\nJOHN DOE\nTHE WHITE HOUSE,\nMay 1, 2030.",
                "The White House",
            ),
        ],
    )
    def test_issuer_from_byline_place_or_title(self, title: str, body: str, expected: str) -> None:
        assert metadata.institution_source(title, f"{title}\n{body}") == expected

    def test_a_sentence_naming_an_office_is_not_a_byline(self) -> None:
        body = "Allies met today and said the State Department and the White House will both review the plan in detail soon."
        assert metadata.institution_source("Allies meet on the plan", body) is None

    def test_posted_by_wins(self) -> None:
        assert metadata.detect_source("Posted by Some Blog on Feb 8th 2024\n\nOffice of the Spokesperson") == "Some Blog"


class TestHeadingLike:
    def test_time_of_day_is_not_a_heading(self) -> None:
        assert not metadata.is_heading_like("2:02 p.m. EDT")
        assert metadata.is_heading_like("What to Read")
