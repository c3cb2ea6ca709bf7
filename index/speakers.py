"""Speaker labels of transcripts ("QUESTION:", "MR PRICE:", "MS. PSAKI:", "THE PRESIDENT:", "Q  Thank you").

A press-briefing transcript opens each turn with an all-caps label naming who speaks. Such a label is not
a news item's lead-in ("PUTIN OPEN TO TALKS?:"): it never titles the text after it, and it attributes the
turn that follows. Reporters' turns (a question naming Iraq) are statements by nobody in them.
"""

from __future__ import annotations

import re

# Honorifics and titles that open a named speaker's label; a label is one of these forms, nothing else.
_HONORIFIC = r"(?:MR|MS|MRS|MISS|DR|MX)\.?"
_TITLE = (
    r"(?:(?:THE\s+)?(?:VICE\s+|DEPUTY\s+|ACTING\s+|FORMER\s+|FIRST\s+|CROWN\s+|UNDER\s+|ASSISTANT\s+|PRINCIPAL\s+DEPUTY\s+|SPECIAL\s+)*"
    r"(?:PRESIDENT|PRIME\s+MINISTER|(?:FOREIGN\s+|DEFEN[CS]E\s+)?MINISTER|SECRETARY(?:\s+GENERAL|\s+OF\s+STATE)?|AMBASSADOR|"
    r"CHANCELLOR|KING|QUEEN|EMIR|PRINCE|GENERAL|ADMIRAL|ADMINISTRATOR|ENVOY|SPOKESPERSON|SPEAKER|SENATOR|SEN\.|"
    r"GOVERNOR|COMMISSIONER|DIRECTOR|COORDINATOR|CHAIRMAN|CHAIR|LADY|GENTLEMAN))"
)
_NAME = r"[A-Z][A-Z'’.-]*"
# Reporters and the people who run the call: their turns are nobody's statement.
_REPORTER = r"(?:QUESTION|Q|REPORTER|PARTICIPANT|AUDIENCE\s+MEMBER|PRESS|MODERATOR|OPERATOR)"
_GENERIC = r"(?:(?:SENIOR\s+|A\s+)?(?:[A-Z]+\s+){0,3}OFFICIALS?(?:\s+(?:ONE|TWO|THREE|FOUR|#?\d))?|AIDE|STAFF|INTERPRETER|TRANSLATOR)"
_LABEL = re.compile(
    rf"(?:{_REPORTER}|{_HONORIFIC}\s+{_NAME}(?:\s+{_NAME}){{0,2}}|THE\s+(?:VICE\s+)?PRESIDENT|THE\s+FIRST\s+LADY|"
    rf"{_TITLE}(?:\s+{_NAME}){{0,2}}|{_GENERIC})"
)
_REPORTER_LABEL = re.compile(rf"{_REPORTER}")
# A turn starts at a line start: a label and its colon, or the bare "Q" some transcripts put before a question.
_TURN = re.compile(r"(?m)^[ \t]*(?:(?P<label>[A-Z][A-Z0-9 .'’#-]{0,60}?)\s*:|(?P<q>Q)(?=[ \t]))")


def is_label(head: str) -> bool:
    """An all-caps lead-in that names a speaker ("MR PRICE", "QUESTION", "SENIOR ADMINISTRATION OFFICIAL ONE")."""
    return bool(_LABEL.fullmatch(re.sub(r"\s+", " ", head.strip().rstrip(":").strip())))


def is_reporter(label: str) -> bool:
    """A turn by a reporter, moderator or operator: it states nothing on anyone's behalf."""
    return bool(_REPORTER_LABEL.fullmatch(re.sub(r"\s+", " ", label.strip())))


def turn_speaker(before: str) -> str | None:
    """The label of the turn a text belongs to, from the text that precedes it; None outside transcripts."""
    found = None
    for match in _TURN.finditer(before):
        label = match.group("label") or match.group("q")
        if is_label(label):
            found = re.sub(r"\s+", " ", label.strip())
    return found
