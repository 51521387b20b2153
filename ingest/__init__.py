"""Ingest stage: poll feeds, parse, normalise, produce articles to ``articles.raw``."""
