"""Query → ranked passages → cited extractive answer."""
