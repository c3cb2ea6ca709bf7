"""Inputs that are not plain text (PDF, DOCX, RSS/Atom feeds), turned into text the cleaner can cite.

Each format lives in its own module; `index.loading` dispatches files by suffix through `extract`.
Extractors put one paragraph per line, because the cleaner treats lines as blocks.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

# File suffix → format name; the module `index.formats.<name>` has `extract(raw: bytes) -> Extracted`.
SUFFIXES = {".pdf": "pdf", ".docx": "docx"}


@dataclass(frozen=True)
class Extracted:
    text: str
    title: str | None = None
    source: str | None = None
    date: str | None = None


class FormatError(Exception):
    """Why a file of this format cannot be read (encrypted, corrupt, no text); one line, shown to the user."""


def extract(kind: str, raw: bytes) -> Extracted:
    return importlib.import_module(f"index.formats.{kind}").extract(raw)
