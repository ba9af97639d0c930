"""Parsers of the publishers' raw formats; each validates what it reads and names the file it rejects."""
