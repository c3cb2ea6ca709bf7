"""Files and folders → Documents. One bad file is reported and skipped; the rest still load.

Nothing is read before it is known to be bounded: sizes are checked with stat, front matter is capped
before and after YAML alias expansion, and every file that is skipped is reported with its reason.
"""

from __future__ import annotations

import codecs
import email
import email.policy
import errno
import logging
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

import yaml

from index import formats
from index.documents import Document, Rejected, content_hash
from index.metadata import parse_date
from sitroom.config import LoadingConfig

logger = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = {".txt": "txt", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".eml": "eml", **formats.SUFFIXES}
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<yaml>.*?)\n---[ \t]*\n", re.S)
# UTF-32 before UTF-16: the UTF-32-LE mark starts with the UTF-16-LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_UNICODE = {"utf-8", *(encoding for _, encoding in _BOMS)}
_SURROGATE = re.compile("[\ud800-\udfff]")
_WESTERN = "cp1252"
_HIGH_BYTES = bytes(range(0x80, 0x100))
_SPARSE_SHARE = 0.05  # at most this share of non-ASCII bytes: English-like text
_SNIFF_BYTES = 8192


@dataclass
class LoadResult:
    documents: list[Document] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


class LoadError(Exception):
    """Why one file cannot be indexed; caught per file."""


def display_path(path: Path | str) -> str:
    """The path as text that SQLite, JSON and a terminal all accept: undecodable name bytes become `\\xNN`."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _storable(text: str) -> str:
    """Lone surrogates (from undecodable e-mail bytes) cannot be stored as UTF-8; replace them, keeping offsets."""
    return _SURROGATE.sub("\ufffd", text)


def iter_files(paths: Iterable[Path], skipped: list[Rejected] | None = None) -> Iterator[tuple[Path, Path]]:
    """(file, corpus root) pairs; a folder is its own root, a single file's root is its folder.

    Hidden entries are left out; folders that cannot be listed and symbolic links to folders (not
    followed) are added to `skipped` with the reason. Dangling links are yielded: loading says why.
    """
    skipped = [] if skipped is None else skipped

    def unreadable(exc: OSError) -> None:
        skipped.append(Rejected(display_path(exc.filename or "?"), f"unreadable folder: {exc.strerror or exc}"))

    for path in paths:
        path = path.resolve()
        if not path.is_dir():
            yield path, path.parent
            continue
        for folder, dirs, files in os.walk(path, onerror=unreadable):
            here = Path(folder)
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in [d for d in dirs if (here / d).is_symlink()]:
                skipped.append(Rejected(display_path(here / name), "symbolic link to a folder (not followed)"))
                dirs.remove(name)
            for name in sorted(files):
                if not name.startswith("."):
                    yield here / name, path


def _decode_utf8(raw: bytes) -> tuple[str, str] | None:
    """UTF-8, with isolated bad bytes replaced; None when the bytes are clearly another encoding.

    Text whose valid multi-byte characters at least match its invalid sequences in number is UTF-8
    with a few stray bytes; with no valid multi-byte character at all it is a legacy code page.
    """
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    text = raw.decode("utf-8", "replace")
    literal = raw.count("\ufffd".encode())
    bad = text.count("\ufffd") - literal
    valid = len(text) - len(text.encode("ascii", "ignore")) - bad
    if valid == 0 or bad > valid:
        return None
    return text, f"utf-8 ({bad} invalid sequence{'s' if bad > 1 else ''} replaced)"


def _decode_legacy(raw: bytes) -> tuple[str, str]:
    """A legacy code page: Windows-1252 for mostly-ASCII text it decodes; else charset-normalizer's confident guess.

    English with a few smart quotes or accented names gives the detector too little to go on (it
    picks Big5 or Windows-1250 as readily), so such text is read as Western; in denser text the
    detector decides, and Windows-1252 wins its ties.
    """
    from charset_normalizer import from_bytes

    try:
        western = raw.decode(_WESTERN)
    except UnicodeDecodeError:
        western = None
    high = len(raw) - len(raw.translate(None, _HIGH_BYTES))
    if western is not None and high <= _SPARSE_SHARE * len(raw):
        return western, _WESTERN
    matches = from_bytes(raw)
    best = matches.best()
    if best is None or best.chaos > 0.2:
        raise LoadError("not UTF-8 and no confident fallback decoding")
    text = str(best)
    tied = any(m.encoding == _WESTERN and m.chaos <= best.chaos + 0.01 and m.coherence >= best.coherence - 0.01 for m in matches)
    if western is not None and (tied or western == text):
        return western, _WESTERN
    return text, best.encoding


def decode(raw: bytes) -> tuple[str, str]:
    """Text and the encoding used: a byte-order mark decides; else UTF-8 (stray bytes replaced); else a detected code page."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            text = raw[len(bom) :].decode(encoding, "replace")
            if "\x00" in text[:_SNIFF_BYTES]:
                raise LoadError("binary file (contains NUL characters)")
            return text, encoding
    if b"\x00" in raw[:_SNIFF_BYTES]:
        raise LoadError("binary file (contains NUL bytes)")
    return _decode_utf8(raw) or _decode_legacy(raw)


def _expanded_size(node: yaml.Node, limit: int, memo: dict[int, int], active: set[int]) -> int:
    """Characters the node stands for once aliases are expanded, counted without expanding (limit + 1 = too many)."""
    key = id(node)
    if key in memo:
        return memo[key]
    if key in active:  # an alias to an enclosing node: infinite
        return limit + 1
    active.add(key)
    if isinstance(node, yaml.MappingNode):
        children = [part for pair in node.value for part in pair]
    elif isinstance(node, yaml.SequenceNode):
        children = list(node.value)
    else:
        children = []
    total = 1 + (len(node.value) if isinstance(node, yaml.ScalarNode) else 0)
    for child in children:
        total += _expanded_size(child, limit, memo, active)
        if total > limit:
            break
    active.discard(key)
    memo[key] = min(total, limit + 1)
    return memo[key]


def _front_matter(source: str, config: LoadingConfig) -> dict[str, object]:
    """YAML front matter as a mapping ({} when it is not YAML); refused when too big before or after alias expansion."""
    if len(source.encode("utf-8", "replace")) > config.max_front_matter_bytes:
        raise LoadError(f"YAML front matter is larger than {config.max_front_matter_bytes // 1024} KiB")
    try:
        node = yaml.compose(source, Loader=yaml.SafeLoader)
        if node is None:
            return {}
        if _expanded_size(node, config.max_front_matter_expanded, {}, set()) > config.max_front_matter_expanded:
            raise LoadError(
                f"YAML front matter expands to more than {config.max_front_matter_expanded // 1024} KiB through aliases (an alias bomb?)"
            )
        front = yaml.safe_load(source)
    except (yaml.YAMLError, RecursionError):
        return {}
    return front if isinstance(front, dict) else {}


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


def _read(file: Path, limit: int) -> bytes:
    """The file's bytes, refused by its size before any is read (a sparse 3 GB file is never touched)."""
    try:
        info = file.stat()
    except OSError as exc:
        if file.is_symlink():
            reason = "symbolic link loop" if exc.errno == errno.ELOOP else "dangling symbolic link (its target is missing)"
            raise LoadError(reason) from exc
        raise LoadError(f"unreadable: {exc.strerror}") from exc
    if not stat.S_ISREG(info.st_mode):
        raise LoadError("not a regular file")
    if info.st_size > limit:
        raise LoadError(f"{info.st_size / 2**20:.1f} MiB is larger than the {limit / 2**20:g} MiB limit")
    try:
        with file.open("rb") as handle:
            raw = handle.read(limit + 1)  # the file may have grown since stat
    except OSError as exc:
        raise LoadError(f"unreadable: {exc.strerror}") from exc
    if len(raw) > limit:
        raise LoadError(f"larger than the {limit / 2**20:g} MiB limit")
    return raw


def load_file(file: Path, root: Path, config: LoadingConfig | None = None) -> Document:
    config = config or LoadingConfig()
    kind = SUPPORTED_SUFFIXES.get(file.suffix.lower())
    if kind is None:
        raise LoadError(f"unsupported file type {file.suffix or '(none)'}")
    raw = _read(file, config.max_file_bytes)
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
        if encoding not in _UNICODE:
            logger.warning("%s: decoded as %s", display_path(file), encoding)
        if kind == "html":
            text, info = _html_text(text)
    text = _storable(text)
    body_start = 0
    if kind == "md":
        match = _FRONT_MATTER.match(text)
        if match:
            body_start = match.end()
            front = _front_matter(match.group("yaml"), config)
            if front:
                info = {
                    "title": _scalar(front.get("title")),
                    "date": parse_date(front.get("date")),
                    "source": _scalar(front.get("source") or front.get("publication")),
                }
    body = text[body_start:]
    if not body.strip():
        raise LoadError("empty (no text)")
    return Document(
        doc_id=display_path(file.relative_to(root).as_posix()),
        root=display_path(root),
        text=text,
        body_start=body_start,
        title=_storable(info["title"] or ""),
        source=info["source"] and _storable(info["source"]),
        date=parse_date(info["date"]),
        content_hash=content_hash(text),
        format=kind,
        encoding=encoding,
    )


def _scalar(value: object) -> str | None:
    """A front-matter value as one line of text; lists and mappings are not titles or sources."""
    return str(value) if value is not None and not isinstance(value, (list, dict)) and str(value).strip() else None


def load_paths(paths: Iterable[Path], config: LoadingConfig | None = None) -> LoadResult:
    result = LoadResult()
    for file, root in iter_files(paths, result.rejected):
        try:
            result.documents.append(load_file(file, root, config))
        except LoadError as exc:
            result.rejected.append(Rejected(path=display_path(file), reason=str(exc)))
        except Exception as exc:  # one malformed file must never stop the rest
            logger.debug("failed to load %s", display_path(file), exc_info=True)
            result.rejected.append(Rejected(path=display_path(file), reason=f"could not be parsed: {exc}"))
    return result
