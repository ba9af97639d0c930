"""Data layer: registry of raw files, fetch, parsers, build and loaders of processed tables."""
