"""Loaders: Markdown with front matter, plain text (seed pages), HTML, PDF and http(s) URLs/sitemaps."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

import httpx

from assistant.language import detect_language
from assistant.types import Document

from .chunking import split_sentences
from .frontmatter import SourceError, document_from, split_front_matter

SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm", ".pdf")
_BOILERPLATE = re.compile(
    r"(cookie|cookies|we use cookies|this website uses|accept all|privacy settings|read more about cookies)",
    re.I,
)
_MIN_WORDS = 25


@dataclass(frozen=True)
class Failure:
    source: str
    reason: str


@dataclass
class LoadResult:
    documents: list[Document] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:90] or "document"


def _decode(data: bytes) -> str:
    if b"\x00" in data:
        raise SourceError("binary data, not a text file (NUL bytes found)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(f"not valid UTF-8 text (binary data?) at byte {exc.start}") from exc
    if not text.strip():
        raise SourceError("empty file")
    return text


def _strip_boilerplate(text: str) -> str:
    """Drop cookie-banner lines; from a long line, drop only its cookie/consent sentences."""
    kept = []
    for line in text.splitlines():
        if not _BOILERPLATE.search(line):
            kept.append(line)
        elif len(line.split()) >= 60:
            sentences = [s for s in split_sentences(line) if not _BOILERPLATE.search(s)]
            if sentences:
                kept.append(" ".join(sentences))
    return "\n".join(kept).strip()


def _plain_document(text: str, title: str, doc_id: str, source: str, origin: str) -> Document:
    body = _strip_boilerplate(text)
    if len(body.split()) < _MIN_WORDS:
        raise SourceError("no main content after removing boilerplate (only a cookie banner or menu?)")
    return Document(
        id=doc_id, title=title, source=source, institution="unknown", language=detect_language(body) or "en",
        reviewed=date.today().isoformat(), body=body, origin=origin,
    )


def load_markdown(data: bytes, origin: str) -> Document:
    meta, body = split_front_matter(_decode(data))
    return document_from(meta, body, origin)


def load_text(data: bytes, origin: str) -> Document:
    """The seed format: a page's text, a cookie banner first, the title on the first real line."""
    body = _strip_boilerplate(_decode(data))
    title = next((ln.strip() for ln in body.splitlines() if ln.strip()), "")
    name = Path(origin).name
    return _plain_document(body, title, f"seed-{slugify(Path(name).stem)}", f"seed:{name}", origin)


def load_html(data: bytes, origin: str, source: str | None = None) -> Document:
    import trafilatura

    html = data.decode("utf-8", errors="replace")
    text = trafilatura.extract(html, include_comments=False, include_tables=True, favor_precision=True)
    meta = trafilatura.extract_metadata(html)
    title = (meta.title if meta and meta.title else "") or Path(urlparse(origin).path).stem or origin
    if not text:
        raise SourceError("no main content found in the HTML (only a cookie banner or navigation?)")
    return _plain_document(text, title, slugify(title), source or origin, origin)


def load_pdf(data: bytes, origin: str) -> Document:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise SourceError(f"corrupt or unreadable PDF ({type(exc).__name__})") from exc
    title = str((reader.metadata.get("/Title") if reader.metadata else None) or Path(origin).stem)
    return _plain_document("\n\n".join(pages), title, slugify(Path(origin).stem), origin, origin)


def load_bytes(data: bytes, origin: str, source: str | None = None) -> Document:
    suffix = Path(urlparse(origin).path).suffix.lower()
    if suffix in (".md", ".markdown"):
        return load_markdown(data, origin)
    if suffix == ".pdf" or data[:5] == b"%PDF-":
        return load_pdf(data, origin)
    if suffix in (".html", ".htm") or data.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")):
        return load_html(data, origin, source)
    return load_text(data, origin)


def discover(root: Path) -> list[Path]:
    """Every loadable file under ``root`` (sorted, so runs are deterministic); README files excluded."""
    return sorted(
        p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES and p.stem.lower() != "readme"
    )


def is_listing(url: str) -> bool:
    """A sitemap (.xml) or a plain URL list (.txt) given as an http(s) URL."""
    return site_of(url) is not None and Path(urlparse(url).path).suffix.lower() in (".xml", ".txt")


def site_of(origin: str) -> str | None:
    """scheme://host[:port] of an http(s) URL; None for a file path."""
    parsed = urlparse(origin)
    return f"{parsed.scheme}://{parsed.netloc}" if parsed.scheme in ("http", "https") and parsed.netloc else None


def fetch_urls(client: httpx.Client, url: str) -> list[str]:
    """A sitemap (<loc> entries), a plain URL list, or the URL itself."""
    if not is_listing(url):
        return [url]
    response = client.get(url)
    response.raise_for_status()
    if Path(urlparse(url).path).suffix.lower() == ".xml":
        return re.findall(r"<loc>\s*([^<\s]+)\s*</loc>", response.text)
    return [ln.strip() for ln in response.text.splitlines() if ln.strip().startswith(("http://", "https://"))]


def load_url(client: httpx.Client, url: str) -> Document:
    try:
        response = client.get(url, follow_redirects=True)
    except httpx.HTTPError as exc:
        raise SourceError(f"unreachable ({type(exc).__name__})") from exc
    if response.status_code >= 400:
        raise SourceError(f"HTTP {response.status_code}")
    kind = response.headers.get("content-type", "")
    data = response.content
    if "pdf" in kind:
        return load_pdf(data, url)
    if "html" in kind:
        return load_html(data, url, url)
    return load_bytes(data, url, url)


def load_sources(
    paths: Iterable[Path], urls: Iterable[str] = (), client_factory: Callable[[], httpx.Client] | None = None,
) -> LoadResult:
    """Load every source; a bad one becomes a Failure and never stops the others."""
    result = LoadResult()
    for path in paths:
        try:
            result.documents.append(load_bytes(path.read_bytes(), str(path)))
        except (SourceError, OSError) as exc:
            result.failures.append(Failure(str(path), str(exc)))
    url_list = list(urls)
    if url_list:
        with (client_factory or _default_client)() as client:
            for entry in url_list:
                try:
                    targets = fetch_urls(client, entry)
                except httpx.HTTPStatusError as exc:
                    result.failures.append(Failure(entry, f"HTTP {exc.response.status_code}"))
                    continue
                except httpx.HTTPError as exc:
                    result.failures.append(Failure(entry, f"unreachable ({type(exc).__name__})"))
                    continue
                for url in targets:
                    try:
                        result.documents.append(load_url(client, url))
                    except SourceError as exc:
                        result.failures.append(Failure(url, str(exc)))
    return result


def _default_client() -> httpx.Client:
    return httpx.Client(timeout=10.0, headers={"User-Agent": "ipo-assistant-ingest/0.1"})
