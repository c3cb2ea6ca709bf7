"""Files → documents → cleaned text → chunks → vectors and a lexical index on disk."""
