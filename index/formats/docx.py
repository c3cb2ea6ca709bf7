"""DOCX → text: one line per paragraph, table rows as " | "-separated cells, in document order."""

from __future__ import annotations

import io
import zipfile

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table

from index.formats import Extracted, FormatError


def extract(raw: bytes) -> Extracted:
    try:
        document = docx.Document(io.BytesIO(raw))
        lines: list[str] = []
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                lines.extend(" | ".join(cell.text.strip() for cell in row.cells) for row in block.rows)
            else:
                lines.append(block.text.strip())
        title = document.core_properties.title
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise FormatError(f"not a readable DOCX file ({exc or type(exc).__name__})") from exc
    # The creation date in the file's properties is the template's or the editor's, not the briefing's: left to text detection.
    return Extracted(text="\n".join(line for line in lines if line), title=title.strip() or None)
