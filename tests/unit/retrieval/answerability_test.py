from __future__ import annotations

import re

import pytest

from retrieval import answerability, attribution, countries
from retrieval.answer import AnswerComposer, _quote_depth
from retrieval.passages import Passage
from retrieval.searcher import Searcher


def _passage(text: str) -> Passage:
    return Passage(0, 0.0, 0, "d.txt", "A title", None, None, None, text, 0, len(text), 0, len(text), ((0, len(text)),), 0.0)


class TestCountries:
    """Country names, demonyms and capitals come from the countryinfo package, not from the briefings."""

    @pytest.mark.parametrize(
        ("words", "country"),
        [
            ("Iraqi", "Iraq"),
            ("Baghdad", "Iraq"),
            ("U.S.", "United States"),
            ("American", "United States"),
            ("Americans", "United States"),
            ("the United Kingdom", "United Kingdom"),
        ],
    )
    def test_lookup_by_any_name(self, words, country):
        assert countries.lookup(words).name == country

    def test_codes_match_dotted_and_case_sensitively(self):
        assert re.search(countries.pattern("US"), "the U.S. military")
        assert not re.search(countries.pattern("US"), "tell us more")

    def test_named_in_finds_countries_by_any_name(self):
        assert countries.named_in("Baghdad and Washington talked; North Korean troops") == {"Iraq", "United States", "North Korea"}


class TestEntities:
    def test_country_entity_has_its_other_names(self):
        found = answerability.entities("What did Iraq say about US troops?")
        assert found[0][:3] == ("Iraq", "Iraqi", "Baghdad")
        assert found[1][0] == "United States"

    def test_frame_words_dropped_and_pairs_split(self):
        assert answerability.entities("When and where is the Trump-Putin summit taking place?") == [("Trump",), ("Putin",)]

    def test_uncovered_names_the_missing_entity(self):
        passages = [_passage("Prime Minister Netanyahu criticized Qatar over the hostage talks.")]
        assert answerability.uncovered("What did Erdogan say about Qatar?", passages) == [("Erdogan",)]
        assert answerability.uncovered("What did Doha say about Netanyahu?", passages) == []

    def test_a_passage_that_mentions_a_missing_entity_covers_it_whatever_else_it_lacks(self):
        missing = answerability.uncovered("What did Erdogan say about Qatar?", [_passage("Qatar hosted the talks.")])
        assert answerability.covers_any(missing, _passage("Erdogan spoke in Ankara."))  # no Qatar, but the missing Erdogan
        assert not answerability.covers_any(missing, _passage("Qatar hosted more talks."))


class TestAttributionTerms:
    def test_country_speaks_through_its_capital_and_titled_officials(self):
        asked = attribution.parse("What did Iraq say about US troops?")
        assert attribution.speaks("Baghdad warned that the strikes violated its sovereignty.", asked.who_terms)
        sentences = [
            [
                "A U.S. strike killed 16 Iraqis, and Iraq is saying it has had enough.",
                "“Enough.” the office of Prime Minister Mohammed Shia al-Sudani said.",
            ]
        ]
        assert attribution.officials(sentences, asked.country) == ("sudani",)

    def test_officials_of_another_country_are_not_taken(self):
        sentences = [["Iraq is under pressure.", "Mr. al-Sudani, like President Biden and Iran’s leader, Ayatollah Khamenei, said little."]]
        assert attribution.officials(sentences, countries.lookup("Iraq")) == ()


@pytest.fixture(scope="module")
def composer(seeds_settings, embedder):
    return AnswerComposer(Searcher(seeds_settings, embedder=embedder))


class TestAnswersOnSeeds:
    def test_iraq_answer_leads_with_iraqi_statements_and_includes_sudani(self, composer):
        answer = composer.run("What did Iraq say about US troops?")
        asked = attribution.parse("What did Iraq say about US troops?")
        assert attribution.speaks(answer.sentences[0].text, (*asked.who_terms, "sudani"))
        assert any("sovereign authority" in s.text for s in answer.sentences)

    def test_no_caption_and_no_half_quote_in_answers(self, composer):
        for question in ("What did Iraq say about US troops?", "What did Netanyahu say about Qatar's role as a mediator?"):
            for sentence in composer.run(question).sentences:
                assert "Credit" not in sentence.text
                assert _quote_depth(sentence.text) == 0, sentence.text

    @pytest.mark.parametrize(
        "question",
        ["What did Japan's defense minister say about Taiwan?", "What did Xi Jinping say about the Trump-Putin summit in Alaska?"],
    )
    def test_in_domain_unanswerable_abstains_with_a_reason(self, composer, question):
        answer = composer.run(question)
        assert answer.abstained and answer.abstention
        assert answer.to_json()["abstention"] == answer.abstention

    def test_number_question_leads_with_the_number(self, composer):
        answer = composer.run("How many U.S. troops are in Syria?")
        assert "900" in answer.sentences[0].text
