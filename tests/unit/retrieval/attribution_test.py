"""Speaker detection for statements (used by the timeline)."""

from __future__ import annotations

import pytest

from retrieval.attribution import speaker


class TestSpeaker:
    @pytest.mark.parametrize(
        ("sentence", "expected"),
        [
            ("Iraqi officials said the coalition should leave.", "Iraqi officials"),
            ("The Iraqi prime minister's office called the talks constructive.", "Iraqi prime minister's office"),
            ("“We will not leave,” said Sen. Lindsey Graham (R-S.C.).", "Sen. Lindsey Graham"),
            ("“American forces must go,” said one Iraqi official, Hadi al-Ameri.", "one Iraqi official"),
            ("Colin P. Clarke, the head of research for the Soufan Group, a consulting firm, said he was concerned.", "Colin P. Clarke"),
            ("Officials will discuss the transition, according to the Pentagon.", "Pentagon"),
            ("Russia bombed targets in Syria, according to U.S. and Russian officials.", "U.S. and Russian officials"),
            ("Israeli PM Netanyahu rejected Hamas's ceasefire proposal.", "Israeli PM Netanyahu"),
            ("Still, the analyst told NatSec Daily that talks continue.", "analyst"),  # "told X": X is spoken to
        ],
    )
    def test_names_the_speaker(self, sentence: str, expected: str) -> None:
        assert speaker(sentence) == expected

    @pytest.mark.parametrize(
        "sentence",
        [
            "He said the talks resumed.",  # a pronoun names nobody
            "The administration is careful to not say the U.S. is leaving Iraq.",  # "say X": X is what is spoken about
            "“Graham said nothing,” the memo read.",  # words inside quotes are not the frame
        ],
    )
    def test_no_speaker(self, sentence: str) -> None:
        assert speaker(sentence) is None
