from __future__ import annotations

import pytest

from index import speakers
from index.cleaning import clean
from index.loading import load_paths
from tests.conftest import SEEDS


class TestIsLabel:
    @pytest.mark.parametrize(
        "head",
        [
            "QUESTION",
            "MR SMITH",
            "MS. DOE-JONES",
            "THE PRESIDENT",
            "THE VICE PRESIDENT",
            "SENIOR ADMINISTRATION OFFICIAL",
            "SENIOR STATE DEPARTMENT OFFICIAL TWO",
            "SECRETARY GENERAL EXAMPLE",
            "PRIME MINISTER AL-SAMPLE",
            "FOREIGN MINISTER TESTER",
            "MODERATOR",
            "AMBASSADOR NOBODY",
        ],
    )
    def test_speaker_labels(self, head: str) -> None:
        assert speakers.is_label(head)

    @pytest.mark.parametrize(
        "head",
        ["PUTIN OPEN TO TALKS?", "SANCTIONS BITE", "FACT SHEET", "SUBJECT", "THE BUDGET FIGHT", "A ROYAL SNUB", "EDITOR, OUTLET"],
    )
    def test_news_lead_ins_are_not_labels(self, head: str) -> None:
        assert not speakers.is_label(head)

    def test_no_seed_lead_in_is_a_label(self) -> None:
        heads = [item.headline for doc in load_paths([SEEDS]).documents for item in clean(doc).items if item.headline]
        assert heads and not [head for head in heads if speakers.is_label(head)]


class TestTurns:
    def test_last_label_before_the_text_speaks(self) -> None:
        before = "Briefing\n\nMS DOE: Good afternoon.\n\nQUESTION: What about the port?\n\nMS DOE: We are watching it.\n\n"
        assert speakers.turn_speaker(before) == "MS DOE"
        assert speakers.turn_speaker(before + "Q    And the ships?") == "Q"

    def test_no_turns_outside_transcripts(self) -> None:
        assert speakers.turn_speaker("PUTIN OPEN TO TALKS?: The Kremlin said on Monday.") is None
        assert speakers.turn_speaker("A plain paragraph.\nAnother one: with a colon.") is None

    def test_reporters(self) -> None:
        assert speakers.is_reporter("QUESTION") and speakers.is_reporter("Q") and speakers.is_reporter("MODERATOR")
        assert not speakers.is_reporter("MR SMITH") and not speakers.is_reporter("THE PRESIDENT")
