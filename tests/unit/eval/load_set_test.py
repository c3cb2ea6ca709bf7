from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from eval.sets import EvalQuestion, Evidence, load_set
from sitroom.errors import SitroomError

GOOD = {
    "id": "q1",
    "question": "What did Iraq say about US troops?",
    "evidence": [{"doc": "003_bec8731c7900498a.txt", "text": "American forces must be removed immediately from Iraq"}],
    "answer": ["removed immediately"],
    "unanswerable": False,
    "type": "attribution",
}


def write(tmp_path: Path, *rows: object) -> Path:
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def test_reads_the_documented_format_and_ignores_unknown_fields(tmp_path):
    unanswerable = {"id": "q2", "question": "Who won?", "evidence": [], "answer": [], "unanswerable": True}
    questions = load_set(write(tmp_path, GOOD, "", unanswerable))
    assert questions == [
        EvalQuestion(
            "q1", GOOD["question"], (Evidence(GOOD["evidence"][0]["doc"], GOOD["evidence"][0]["text"]),), ("removed immediately",), False
        ),
        EvalQuestion("q2", "Who won?", (), (), True),
    ]


def test_an_unanswerable_question_becomes_answerable_where_its_outside_evidence_is_indexed(tmp_path):
    outside = {"doc": "letter.txt", "text": "3,147 personnel are deployed to Jordan"}
    row = {"id": "q3", "question": "How many troops in Jordan?", "answer": ["3,147"], "unanswerable": True, "answered_by": [outside]}
    (question,) = load_set(write(tmp_path, row))
    assert question.on_index({"seed.txt"}) is question
    answerable = question.on_index({"seed.txt", "letter.txt"})
    assert not answerable.unanswerable and answerable.evidence == (Evidence("letter.txt", outside["text"]),)


def test_outside_evidence_adds_to_an_answerable_questions_own(tmp_path):
    outside = {"doc": "statement.txt", "text": "a second answer"}
    (question,) = load_set(write(tmp_path, {**GOOD, "answered_by": [outside]}))
    assert question.on_index({"statement.txt"}).evidence == (*question.evidence, Evidence("statement.txt", "a second answer"))


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("{not json", "not valid JSON"),
        ({**GOOD, "question": ""}, '"question"'),
        ({**GOOD, "evidence": [{"doc": "a.txt"}]}, "evidence item"),
        ({**GOOD, "answer": "removed"}, '"answer"'),
        ({**GOOD, "unanswerable": "no"}, '"unanswerable"'),
        ({**GOOD, "evidence": []}, "at least one evidence"),
        ({**GOOD, "answered_by": [{"doc": "a.txt"}]}, "evidence item"),
        (GOOD, "duplicate id"),
    ],
)
def test_a_bad_line_is_an_error_naming_its_line_number(tmp_path, bad, message):
    path = write(tmp_path, GOOD, bad)
    with pytest.raises(SitroomError, match=rf"set\.jsonl:2: .*{re.escape(message)}"):
        load_set(path)


def test_missing_or_empty_set_is_an_error(tmp_path):
    with pytest.raises(SitroomError, match="cannot read"):
        load_set(tmp_path / "nope.jsonl")
    with pytest.raises(SitroomError, match="no questions"):
        load_set(write(tmp_path, ""))
