"""The index manifest: what built the index, so loading can say precisely what does not match."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sitroom.errors import SitroomError

FORMAT_VERSION = 1
FILENAME = "manifest.json"


@dataclass
class Manifest:
    model: str
    backend: str
    dimension: int
    chunking: dict[str, object]
    cleaning: dict[str, object]
    documents: int
    chunks: int
    created: str
    updated: str
    format_version: int = FORMAT_VERSION
    roots: list[str] = field(default_factory=list)

    def write(self, directory: Path) -> None:
        (directory / FILENAME).write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")

    @classmethod
    def read(cls, directory: Path) -> Manifest:
        path = directory / FILENAME
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise SitroomError(f"index at {directory} has no {FILENAME}; rebuild it with `sitroom index --rebuild PATH`") from exc
        except json.JSONDecodeError as exc:
            raise SitroomError(f"index manifest {path} is corrupt ({exc.msg}); rebuild it with `sitroom index --rebuild PATH`") from exc
        version = data.get("format_version")
        if version != FORMAT_VERSION:
            raise SitroomError(
                f"index at {directory} has format version {version}, this sitroom reads version {FORMAT_VERSION}; "
                "rebuild it with `sitroom index --rebuild PATH`"
            )
        known = set(cls.__dataclass_fields__)
        return cls(**{key: value for key, value in data.items() if key in known})

    def check_model(self, model: str, backend: str) -> None:
        if (self.model, self.backend) != (model, backend):
            raise SitroomError(
                f"index was built with model {self.model!r} ({self.backend}) but {model!r} ({backend}) is configured; "
                f"set SITROOM_MODEL={self.model} SITROOM_BACKEND={self.backend}, or rebuild with `sitroom index --rebuild PATH`"
            )
