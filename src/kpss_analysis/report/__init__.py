"""Plots, saved outputs, documents, HTML and the Czech texts a plan reader sees."""
