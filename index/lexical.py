"""BM25 over chunk text (bm25s: English stop words, Snowball stemming), saved without pickle."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_EN_PLUS

_DOTTED_ACRONYM = re.compile(r"\b(?:[A-Za-z]\.){2,}")
# "US" is a stop word once lower-cased; keep the country.
_US = re.compile(r"\bU\.?S\.?A?\b(?!\w)|\bUnited States\b")


def normalize(text: str) -> str:
    """Make "U.S."/"US"/"United States" one token and "U.N." → "UN", so acronyms survive tokenizing."""
    text = _US.sub(" usa ", text)
    return _DOTTED_ACRONYM.sub(lambda m: m.group(0).replace(".", ""), text)


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def tokenize(texts: Sequence[str], show_progress: bool = False) -> list[list[str]]:
    tokenized = bm25s.tokenize(
        [normalize(t) for t in texts], stopwords=list(STOPWORDS_EN_PLUS), stemmer=_stemmer(), return_ids=False, show_progress=show_progress
    )
    return tokenized  # type: ignore[return-value]


def build(texts: Sequence[str], show_progress: bool = False) -> bm25s.BM25:
    retriever = bm25s.BM25()
    retriever.index(tokenize(texts, show_progress), show_progress=show_progress)
    return retriever


def save(retriever: bm25s.BM25, directory: Path) -> None:
    retriever.save(str(directory), allow_pickle=False, show_progress=False)


def load(directory: Path, mmap: bool = False) -> bm25s.BM25:
    return bm25s.BM25.load(str(directory), mmap=mmap, allow_pickle=False, show_progress=False)


def scores(retriever: bm25s.BM25, query: str) -> np.ndarray:
    """BM25 score of every chunk for `query` (zeros when no query term is in the vocabulary)."""
    tokens = [t for t in tokenize([query])[0] if t in retriever.vocab_dict]
    if not tokens:
        return np.zeros(retriever.scores["num_docs"], dtype=np.float32)
    return retriever.get_scores(tokens)
