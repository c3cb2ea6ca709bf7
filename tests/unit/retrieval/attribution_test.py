"""Speaker detection for statements (used by the timeline and answers), and transcript turns."""

from __future__ import annotations

import pytest

from retrieval import attribution
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


class TestTranscriptTurns:
    """In a transcript the turn's label speaks: a reporter's question naming a country is no statement by it."""

    TEXT = "QUESTION: Ruritanian officials said the troops must leave. Is that right?\nMS ROE: We have seen the reports."

    def test_turn_of_each_sentence(self) -> None:
        question_end = self.TEXT.index("Is that right?") + len("Is that right?")
        assert attribution.turn(None, self.TEXT, question_end) == "QUESTION"
        assert attribution.turn(None, self.TEXT, len(self.TEXT)) == "MS ROE"

    def test_the_passage_opens_inside_a_turn(self) -> None:
        assert attribution.turn("PRIME MINISTER EXAMPLE", "We will decide ourselves.", 10) == "PRIME MINISTER EXAMPLE"
        assert attribution.turn(None, "A plain news sentence said so.", 10) is None

    def test_reporters_state_nothing(self) -> None:
        assert attribution.by_reporter("QUESTION") and attribution.by_reporter("Q")
        assert not attribution.by_reporter("MS ROE") and not attribution.by_reporter(None)

    def test_the_label_names_the_speaker(self) -> None:
        terms = ("example", "ruritan")
        assert attribution.label_speaks("PRIME MINISTER EXAMPLE", terms)
        assert not attribution.label_speaks("QUESTION", terms) and not attribution.label_speaks("MS ROE", terms)


class TestOffices:
    """ "Iran's foreign minister" is spoken for by that office (or its holder), not by any Iranian or any foreign minister."""

    def test_parse_splits_the_country_from_its_office(self) -> None:
        asked = attribution.parse("What did Iran's foreign minister say about the Kerman bombing?")
        assert (asked.country.name, asked.office, asked.topic) == ("Iran", "foreign minister", "the Kerman bombing")
        assert "iranian foreign minister" in asked.who_terms and "iran" not in asked.who_terms
        assert attribution.parse("What did Iraq say about US troops?").office is None
        assert attribution.parse("What did the Israeli military spokesman say about Hamas?").office is None  # no country office

    @pytest.mark.parametrize(
        ("sentence", "speaks"),
        [
            ("Iranian Foreign Minister Hossein Amir-Abdollahian said the attack was a terrorist act.", True),
            ("Iran’s top diplomat warned that the region was on edge.", True),
            ("Iranian officials said the attack was a terrorist act.", False),  # Iran, but not its foreign minister
            ("Turkish Foreign Minister Hakan Fidan said the talks would continue.", False),  # a foreign minister, not Iran's
        ],
    )
    def test_only_the_office_speaks(self, sentence: str, speaks: bool) -> None:
        asked = attribution.parse("What did Iran's foreign minister say about the Kerman bombing?")
        assert attribution.speaks(sentence, asked.who_terms) is speaks

    def test_officials_of_an_office_are_its_holders_only(self) -> None:
        sentences = [
            [
                "The war dragged on, Ukraine Foreign Affairs Minister DMYTRO KULEBA told Foreign Affairs.",
                "Ukrainian President VOLODYMYR ZELENSKYY said the talks had failed.",
            ]
        ]
        ukraine = attribution.parse("What did Ukraine say about the war?").country
        assert attribution.officials(sentences, ukraine, "foreign minister") == ("kuleba",)
        assert attribution.officials(sentences, ukraine) == ("kuleba", "zelenskyy")


class TestSpeaks:
    @pytest.mark.parametrize(
        ("sentence", "speaks"),
        [
            ("German Chancellor FRIEDRICH MERZ, who convened the call, told reporters that Trump largely agrees.", True),
            ("Iraqi officials said the coalition should leave.", True),
            # Refers to statements without making one.
            ("There was a gap between what Iraqi officials said in public and what they said in private.", False),
        ],
    )
    def test_statement_by_the_named_speaker(self, sentence: str, speaks: bool) -> None:
        terms = attribution.speaker_terms("Germany") + attribution.speaker_terms("Iraq") + ("merz",)
        assert attribution.speaks(sentence, terms) is speaks

    @pytest.mark.parametrize(
        ("sentence", "speaks"),
        [
            ("Prime Minister Kishida said the alliance was strong.", False),  # the surname Kishi is not Kishida
            ("Defense Minister Kishi said the alliance was strong.", True),
            # Rutte is talked about; the "he" who adds is Sondland.
            ('SONDLAND told NatSec Daily that Rutte "has pushed back on Trump." "I think that is refreshing," he added.', False),
            ("“We will hold,” said Rutte.", True),
        ],
    )
    def test_a_name_is_the_speaker_only_as_a_whole_word_and_as_the_subject(self, sentence: str, speaks: bool) -> None:
        assert attribution.speaks(sentence, ("kishi", "rutte")) is speaks

    def test_stems_still_match_their_demonyms_and_names(self) -> None:
        assert attribution.mentions("Iraqis and Ukrainians said so.", ("iraq", "ukrain"))
        assert attribution.mentions("Foreign Minister Kuleba's remarks", ("kuleb",))


class TestParse:
    def test_other_ways_to_ask_what_someone_said(self) -> None:
        asked = attribution.parse("What did Kaspersky say in response to the U.S. ban on its software?")
        assert (asked.who, asked.topic) == ("Kaspersky", "the U.S. ban on its software")

    def test_a_question_about_a_state_of_affairs_asks_no_speaker(self) -> None:
        assert attribution.parse("What is the state of U.S.-Iraqi talks on the future of American troops in Iraq?") is None
