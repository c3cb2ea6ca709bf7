"""Eval sets: JSONL files of questions with evidence quotes, expected answer strings and an unanswerable flag.

Other tools write these files, so the reader keeps to the documented format exactly and ignores any
field it does not know; a malformed line is an error naming its line number.

    {"id": "q1", "question": "...", "evidence": [{"doc": "003_x.txt", "text": "a quote"}],
     "answer": ["removed immediately"], "unanswerable": false}

Relevance depends on what is indexed: a distractor corpus indexed beside the seeds may answer a question the seeds
cannot, or answer one a second way. "answered_by" lists such evidence outside the seeds (same form as "evidence"); on
an index holding its documents it counts as evidence, and makes an unanswerable question answerable.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Collection
from dataclasses import dataclass, replace
from pathlib import Path

from sitroom.errors import SitroomError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Evidence:
    doc: str  # document id: the path relative to the corpus root
    text: str  # a verbatim quote from that document


@dataclass(frozen=True)
class EvalQuestion:
    id: str
    question: str
    evidence: tuple[Evidence, ...]
    answer: tuple[str, ...]  # strings a good answer contains
    unanswerable: bool
    answered_by: tuple[Evidence, ...] = ()  # evidence outside the seeds, counted where its document is indexed

    def on_index(self, indexed: Collection[str]) -> EvalQuestion:
        """The question as posed to an index holding the documents `indexed`."""
        present = tuple(e for e in self.answered_by if e.doc in indexed)
        return replace(self, evidence=self.evidence + present, unanswerable=False) if present else self


def _strings(value: object, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"{what} must be a list of strings")
    return tuple(value)


def _evidence(value: object) -> tuple[Evidence, ...]:
    if not isinstance(value, list):
        raise ValueError("evidence must be a list")
    items = []
    for item in value:
        if not (isinstance(item, dict) and isinstance(item.get("doc"), str) and isinstance(item.get("text"), str) and item["text"].strip()):
            raise ValueError('each evidence item needs a "doc" and a non-empty "text" string')
        items.append(Evidence(item["doc"], item["text"]))
    return tuple(items)


def _question(data: object) -> EvalQuestion:
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    if not isinstance(data.get("id"), str) or not data["id"]:
        raise ValueError('"id" must be a non-empty string')
    if not isinstance(data.get("question"), str) or not data["question"].strip():
        raise ValueError('"question" must be a non-empty string')
    unanswerable = data.get("unanswerable", False)
    if not isinstance(unanswerable, bool):
        raise ValueError('"unanswerable" must be true or false')
    evidence = _evidence(data.get("evidence", []))
    if not unanswerable and not evidence:
        raise ValueError("an answerable question needs at least one evidence item")
    answered_by = _evidence(data.get("answered_by", []))
    answer = _strings(data.get("answer", []), '"answer"')
    return EvalQuestion(data["id"], data["question"], evidence, answer, unanswerable, answered_by)


def load_set(path: Path) -> list[EvalQuestion]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise SitroomError(f"cannot read eval set {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise SitroomError(f"eval set {path} is not UTF-8") from exc
    questions: list[EvalQuestion] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            question = _question(json.loads(line))
        except json.JSONDecodeError as exc:
            raise SitroomError(f"{path}:{number}: not valid JSON ({exc.msg})") from exc
        except ValueError as exc:
            raise SitroomError(f"{path}:{number}: {exc}") from exc
        if question.id in seen:
            raise SitroomError(f"{path}:{number}: duplicate id {question.id!r}")
        seen.add(question.id)
        questions.append(question)
    if not questions:
        raise SitroomError(f"eval set {path} has no questions")
    logger.info("loaded %d questions from %s", len(questions), path)
    return questions
