"""`sitroom serve`: search, ask and info as a long-running HTTP JSON API, and the CLI's client for it."""
