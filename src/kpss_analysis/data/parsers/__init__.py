"""Parsers of the publishers' raw files, one module per topic; each validates what it reads."""
