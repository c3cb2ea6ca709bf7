"""What a question asks for, and whether a sentence holds it."""

from __future__ import annotations

import pytest

from retrieval.slots import slots


def required(question: str):
    return next(slot for slot in slots(question) if slot.required)


class TestCount:
    @pytest.mark.parametrize(
        ("question", "sentence"),
        [
            ("How many U.S. troops are in Syria?", "Officials discussed removing the roughly 900 troops from Syria."),
            # A briefing's own word for the counted people.
            (
                "How many U.S. troops are stationed in Jordan?",
                "Approximately 3,147 United States military personnel are deployed to Jordan.",
            ),
            (
                "How many Russian military aircraft were in Syria?",
                "That raised the number of Russian military aircraft in the country to 32.",
            ),
            ("How many Ukrainian prisoners of war were freed?", "Among the casualties were 65 Ukrainian POWs."),
        ],
    )
    def test_a_number_beside_the_counted_thing(self, question: str, sentence: str) -> None:
        assert required(question).held(sentence)

    @pytest.mark.parametrize(
        ("question", "sentence"),
        [
            # Topical, but no count of votes.
            ("How many votes did Aliyev win?", "Aliyev easily won reelection; even his opponents probably voted for him."),
            # A count of votes, but another candidate's.
            (
                "How many votes did Aliyev win in Azerbaijan's presidential election?",
                "As for the presidential election, President Sandu received more than 42 percent of the vote.",
            ),
            # A number, but a year far from the troops.
            (
                "How many U.S. troops are in Jordan?",
                "In 2024 the base, in a remote corner of northeast Jordan near the Syrian border, hosted U.S. troops.",
            ),
        ],
    )
    def test_no_count_of_it(self, question: str, sentence: str) -> None:
        assert not required(question).held(sentence)


class TestName:
    def test_a_person_named_beside_the_role(self) -> None:
        slot = required("Which Iranian commander did the United States kill in 2020?")
        assert slot.held("The United States killed one of Iran's top commanders, Gen. Qassim Suleimani, in a drone attack.")

    @pytest.mark.parametrize(
        ("question", "sentence"),
        [
            (
                "Which Israeli hostages were freed under the cease-fire?",
                "Israel floated a cease-fire to allow all 130 hostages held in Gaza to return home.",
            ),
            (
                "What was the name of the Kataib Hezbollah commander killed in Baghdad?",
                "A U.S. drone strike in Baghdad killed the commander of the Iran-backed Kataib Hezbollah militia.",
            ),
        ],
    )
    def test_the_role_without_a_name_or_only_the_questions_names(self, question: str, sentence: str) -> None:
        assert not required(question).held(sentence)

    def test_a_name_for_someone_elses_role(self) -> None:
        """Suleimani is a commander, but not Kataib Hezbollah's."""
        slot = required("What was the name of the Kataib Hezbollah commander killed in Baghdad?")
        assert not slot.held("The United States killed one of Iran's top commanders, Gen. Qassim Suleimani, in a drone attack.")
        assert slot.held("The strike killed Kataib Hezbollah commander Abu Baqir al-Saadi in Baghdad.")

    def test_questions_answered_by_other_names_require_none(self) -> None:
        """A city, a company or a country answers these; only a person's name is checked."""
        for question in (
            "Which city is ISIS's Iraqi capital?",
            "Which company's antivirus software is being barred?",
            "Who compiled Project 2025?",
        ):
            assert not any(slot.required for slot in slots(question)), question


def test_dates_and_places_lead_but_do_not_decide() -> None:
    (date,) = slots("When did the summit take place?")
    assert date.kind == "date" and date.held("They met on Friday.") and not date.required
    (place,) = slots("Where will Trump and Putin meet?")
    assert place.kind == "place" and place.held("They will meet in Alaska.") and not place.required


def test_a_duration_of_the_event_asked_about() -> None:
    (duration,) = slots("How long did the Obama-Putin meeting at the UN last?")
    assert duration.required and duration.held("Putin and Obama remained far apart after their meeting, which lasted for 90 minutes.")
    assert not duration.held("Trump and Putin met in Hamburg; the meeting lasted more than two hours.")  # another meeting
    assert not duration.held("Obama and Putin met at the UN on Monday.")  # no duration
