"""The exception types the CLI turns into a single clear line and a non-zero exit."""

from __future__ import annotations

REBUILD_HINT = "rebuild it with `sitroom index --rebuild PATH`"


class SitroomError(Exception):
    """A user-facing failure: the message says what is wrong and what to run."""


class IndexDamaged(SitroomError):
    """Files of the index on disk are damaged or missing; `damage` says which and how, the message adds the repair."""

    def __init__(self, damage: str) -> None:
        self.damage = damage
        super().__init__(f"damaged index: {damage}; {REBUILD_HINT}")
