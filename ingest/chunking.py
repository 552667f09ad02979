"""Structure-aware chunking: heading path kept, sentences and list items never split, stable ids."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from assistant.sentences import split_sentences
from assistant.types import Chunk, Document

__all__ = ["Block", "chunk_document", "embed_text", "parse_blocks", "split_sentences"]

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")


@dataclass(frozen=True)
class Block:
    """A paragraph or a list item, with the heading path it sits under."""

    text: str
    headings: tuple[str, ...]
    is_list_item: bool = False


def parse_blocks(markdown: str) -> list[Block]:
    blocks: list[Block] = []
    headings: list[tuple[int, str]] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append(Block(" ".join(paragraph).strip(), tuple(h for _, h in headings)))
            paragraph.clear()

    for line in markdown.splitlines():
        heading = _HEADING.match(line)
        if heading:
            flush()
            level = len(heading.group(1))
            headings = [(lvl, h) for lvl, h in headings if lvl < level] + [(level, heading.group(2))]
        elif not line.strip():
            flush()
        elif _LIST_ITEM.match(line):
            flush()
            blocks.append(Block(line.strip(), tuple(h for _, h in headings), is_list_item=True))
        elif blocks and blocks[-1].is_list_item and line.startswith(("  ", "\t")) and not paragraph:
            last = blocks.pop()
            blocks.append(Block(f"{last.text} {line.strip()}", last.headings, True))
        else:
            paragraph.append(line.strip())
    flush()
    return blocks


def _pieces(block: Block, target: int) -> list[str]:
    """A block as units of whole sentences (a list item is never split)."""
    if block.is_list_item or len(block.text.split()) <= target:
        return [block.text]
    return split_sentences(block.text)


def _groups(blocks: list[Block], target: int, overlap: int) -> list[tuple[tuple[str, ...], list[str]]]:
    groups: list[tuple[tuple[str, ...], list[str]]] = []
    current: list[str] = []
    headings: tuple[str, ...] = ()
    for block in blocks:
        if current and block.headings != headings:
            groups.append((headings, current))
            current = []
        headings = block.headings
        for piece in _pieces(block, target):
            words = sum(len(p.split()) for p in current)
            if current and words + len(piece.split()) > target:
                groups.append((headings, current))
                current = _tail(current, overlap)
            current.append(piece)
    if current:
        groups.append((headings, current))
    return _merge_small(groups, target)


def _tail(units: list[str], overlap: int) -> list[str]:
    """The last whole units of a chunk that fit in ``overlap`` words (carried into the next chunk)."""
    tail: list[str] = []
    for unit in reversed(units):
        if sum(len(u.split()) for u in tail) + len(unit.split()) > overlap:
            break
        tail.insert(0, unit)
    return tail


def _merge_small(groups: list[tuple[tuple[str, ...], list[str]]], target: int) -> list[tuple[tuple[str, ...], list[str]]]:
    """Fold tiny sections into the previous chunk (keeping its heading) while under target."""
    merged: list[tuple[tuple[str, ...], list[str]]] = []
    for headings, units in groups:
        words = sum(len(u.split()) for u in units)
        if merged and words < 40:
            prev_h, prev_u = merged[-1]
            if sum(len(u.split()) for u in prev_u) + words <= target:
                label = headings[-1] if headings and headings != prev_h else None
                merged[-1] = (prev_h, [*prev_u, *([f"{label}:"] if label else []), *units])
                continue
        merged.append((headings, units))
    return merged


def chunk_document(doc: Document, target_words: int = 180, overlap_words: int = 30) -> list[Chunk]:
    blocks = parse_blocks(doc.body)
    chunks: list[Chunk] = []
    seen: dict[str, int] = {}
    for position, (headings, units) in enumerate(_groups(blocks, target_words, overlap_words)):
        text = "\n".join(units)
        path = tuple(h for h in headings if h)
        embedded = embed_text(doc.title, path, text, doc.topics)
        # The id covers exactly what is embedded: a vector is reused only while its input is unchanged.
        digest = hashlib.sha1(f"{doc.id}\n{embedded}".encode()).hexdigest()[:12]
        seen[digest] = seen.get(digest, 0) + 1
        suffix = f"-{seen[digest]}" if seen[digest] > 1 else ""
        chunks.append(Chunk(
            id=f"{doc.id}:{digest}{suffix}", doc_id=doc.id, text=text, heading_path=path, position=position,
            metadata={"embed_text": embedded},
        ))
    return chunks


def embed_text(title: str, headings: tuple[str, ...], text: str, topics: tuple[str, ...] = ()) -> str:
    """What is embedded: the title and heading path give the chunk its context, and the document's topics
    (the curated keywords of its front matter) give every chunk the document's subject to match on."""
    trail = " > ".join(h for h in headings if h and h != title)
    head = f"{title} — {trail}" if trail else title
    return f"{head}\n{text}" + (f"\n{', '.join(topics)}" if topics else "")
