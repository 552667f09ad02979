"""Ingestion: load sources, chunk them, embed them and publish a new index generation atomically."""
