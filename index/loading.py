"""Files and folders → Documents. One bad file is reported and skipped; the rest still load."""

from __future__ import annotations

import email
import email.policy
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

import yaml

from index import formats
from index.documents import Document, Rejected, content_hash
from index.metadata import parse_date

logger = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = {".txt": "txt", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".eml": "eml", **formats.SUFFIXES}
MAX_FILE_BYTES = 20 * 1024 * 1024
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<yaml>.*?)\n---[ \t]*\n", re.S)


@dataclass
class LoadResult:
    documents: list[Document] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


class LoadError(Exception):
    """Why one file cannot be indexed; caught per file."""


def iter_files(paths: Iterable[Path]) -> Iterator[tuple[Path, Path]]:
    """(file, corpus root) pairs; a folder is its own root, a single file's root is its folder."""
    for path in paths:
        path = path.resolve()
        if path.is_dir():
            for file in sorted(p for p in path.rglob("*") if p.is_file()):
                if not any(part.startswith(".") for part in file.relative_to(path).parts):
                    yield file, path
        else:
            yield path, path.parent


def decode(raw: bytes) -> tuple[str, str]:
    """UTF-8 first; otherwise the best guess of charset-normalizer, if it is a confident one."""
    if b"\x00" in raw[:8192]:
        raise LoadError("binary file (contains NUL bytes)")
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    guess = from_bytes(raw).best()
    if guess is None or guess.chaos > 0.2:
        raise LoadError("not UTF-8 and no confident fallback decoding")
    logger.warning("decoded as %s instead of UTF-8", guess.encoding)
    return str(guess), guess.encoding


def _html_text(html: str) -> tuple[str, dict[str, str | None]]:
    import trafilatura

    text = trafilatura.extract(html, output_format="txt", include_comments=False, include_tables=True, favor_recall=True)
    meta = trafilatura.extract_metadata(html)
    info = {"title": None, "date": None, "source": None}
    if meta is not None:
        info = {"title": meta.title, "date": meta.date, "source": meta.sitename}
    return text or "", info


def _email_text(raw: bytes) -> tuple[str, dict[str, str | None]]:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    if not isinstance(message, EmailMessage):
        raise LoadError("not an e-mail message")
    info: dict[str, str | None] = {
        "title": str(message["subject"] or "") or None,
        "date": parse_date(str(message["date"] or "")),
        "source": message["from"].addresses[0].display_name if message["from"] and message["from"].addresses else None,
    }
    plain = message.get_body(preferencelist=("plain",))
    if plain is not None:
        return plain.get_content(), info
    html = message.get_body(preferencelist=("html",))
    if html is not None:
        text, html_info = _html_text(html.get_content())
        return text, {key: info[key] or html_info[key] for key in info}
    raise LoadError("e-mail has no text/plain or text/html part")


def load_file(file: Path, root: Path) -> Document:
    kind = SUPPORTED_SUFFIXES.get(file.suffix.lower())
    if kind is None:
        raise LoadError(f"unsupported file type {file.suffix or '(none)'}")
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise LoadError(f"unreadable: {exc.strerror}") from exc
    if len(raw) > MAX_FILE_BYTES:
        raise LoadError(f"larger than {MAX_FILE_BYTES // 2**20} MiB")
    info: dict[str, str | None] = {"title": None, "date": None, "source": None}
    encoding = "utf-8"
    if kind in formats.SUFFIXES.values():
        try:
            extracted = formats.extract(kind, raw)
        except formats.FormatError as exc:
            raise LoadError(str(exc)) from exc
        text, info = extracted.text, {"title": extracted.title, "date": extracted.date, "source": extracted.source}
    elif kind == "eml":
        text, info = _email_text(raw)
    else:
        text, encoding = decode(raw)
        if kind == "html":
            text, info = _html_text(text)
    body_start = 0
    if kind == "md":
        match = _FRONT_MATTER.match(text)
        if match:
            body_start = match.end()
            try:
                front = yaml.safe_load(match.group("yaml")) or {}
            except yaml.YAMLError:
                front = {}
            if isinstance(front, dict):
                info = {
                    "title": front.get("title") and str(front["title"]),
                    "date": parse_date(front.get("date")),
                    "source": (front.get("source") or front.get("publication")) and str(front.get("source") or front.get("publication")),
                }
    body = text[body_start:]
    if not body.strip():
        raise LoadError("empty (no text)")
    doc_id = file.relative_to(root).as_posix()
    return Document(
        doc_id=doc_id,
        root=str(root),
        text=text,
        body_start=body_start,
        title=info["title"] or "",
        source=info["source"],
        date=parse_date(info["date"]),
        content_hash=content_hash(text),
        format=kind,
        encoding=encoding,
    )


def load_paths(paths: Iterable[Path]) -> LoadResult:
    result = LoadResult()
    for file, root in iter_files(paths):
        try:
            result.documents.append(load_file(file, root))
        except LoadError as exc:
            result.rejected.append(Rejected(path=str(file), reason=str(exc)))
        except Exception as exc:  # one malformed file must never stop the rest
            logger.debug("failed to load %s", file, exc_info=True)
            result.rejected.append(Rejected(path=str(file), reason=f"could not be parsed: {exc}"))
    return result
