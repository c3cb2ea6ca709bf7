"""sitroom: semantic search and cited answers over national-security briefings."""

__version__ = "0.1.0"
