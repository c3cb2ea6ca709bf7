"""The one exception type the CLI turns into a single clear line and a non-zero exit."""

from __future__ import annotations


class SitroomError(Exception):
    """A user-facing failure: the message says what is wrong and what to run."""
