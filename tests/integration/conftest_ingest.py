"""Builders and helpers for the ingestion tests: fixture sources, a local HTTP server, run/search helpers.

Plain functions and context managers (no pytest fixtures), imported explicitly by the test modules.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from assistant.adapters.chroma import ChromaDenseIndex, ChromaStore, build_chroma_client
from assistant.ports import Embedder
from ingest.loaders import discover, load_sources
from ingest.pipeline import IngestConfig, Ingestor, IngestReport
from tests.conftest import REPO_ROOT

# --- fixture sources -------------------------------------------------------------------------

TOPICS = {
    "housing": ("Housing during treatment", [
        "Families from abroad must arrange a place to stay outside the hospital for the whole treatment.",
        "While the child is admitted, one parent can sleep in the parent part of the child's room.",
        "Options are relatives, the Ronald McDonald House, a rented flat or a hotel near Utrecht.",
    ]),
    "costs": ("Costs and the guarantee of payment", [
        "Treatment of a child from abroad is paid in full by a paying party such as an insurer or a government.",
        "A bank guarantee or payment in advance is required before any treatment begins.",
        "The cost estimate given beforehand is provisional and the final invoice can be higher.",
    ]),
    "mibg": ("MIBG therapy for neuroblastoma", [
        "Radioactive iodine is linked to MIBG, which travels through the blood to the tumour.",
        "The child stays in isolation for about five to seven days because it gives off radiation.",
        "The total stay in the Netherlands is on average four to six weeks.",
    ]),
    "interpreter": ("Medical interpreters", [
        "The hospital works with a medical interpreter who speaks Arabic, Ukrainian, Russian and French.",
        "Interpreters help families talk with the care team directly from the moment they arrive.",
        "Medical records sent with an application must be written in Dutch or English.",
    ]),
}


def markdown_doc(doc_id: str, title: str, body: str, *, language: str = "en", expires: date | None = None,
                 topics: Sequence[str] = ("test",)) -> str:
    lines = ["---", f"id: {doc_id}", f"title: {title}", f"source: https://example.org/{doc_id}",
             "institution: Test Hospital", f"language: {language}", "reviewed: 2026-01-15",
             f"topics: [{', '.join(topics)}]"]
    if expires:
        lines.append(f"expires: {expires.isoformat()}")
    return "\n".join([*lines, "---", f"# {title}", "", body, ""])


def topic_doc(key: str, extra: str = "", **kwargs: Any) -> str:
    title, sentences = TOPICS[key]
    return markdown_doc(key, title, " ".join(sentences) + (f" {extra}" if extra else ""), **kwargs)


def write_corpus(directory: Path, keys: Sequence[str] = tuple(TOPICS)) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for key in keys:
        (directory / f"{key}.md").write_text(topic_doc(key), encoding="utf-8")
    return directory


def make_pdf(lines: Sequence[str], title: str | None = None) -> bytes:
    """A minimal, valid one-page PDF with real text (Helvetica), built by hand with a correct xref table."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    stream = "\n".join(["BT", "/F1 12 Tf", "14 TL", "72 720 Td", *(f"({escape(ln)}) Tj T*" for ln in lines),
                        "ET"]).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    if title:
        objects.append(b"<< /Title (" + escape(title).encode("latin-1") + b") >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    info = b" /Info %d 0 R" % len(objects) if title else b""
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, info, xref)
    return bytes(out)


COOKIE_BANNER = (
    '<div id="cookie-banner" class="cookie-consent"><p>Our website uses cookies. We use cookies to remember '
    "settings and to help provide you with the best experience we can. Read more about cookies</p>"
    "<button>Accept all cookies</button></div>"
)
CONSENT_WALL = (
    '<div class="consent-wall"><h2>We value your privacy</h2><p>We and our partners use cookies and similar '
    "technologies to store and access information on your device, to measure the use of our website, to "
    "personalise content and to show you relevant advertising on other websites. You can accept all cookies, "
    "reject non-essential cookies or choose your own preferences per category. You can change your choice at "
    "any time via the cookie settings at the bottom of every page. For more information, please read our cookie "
    "statement and our privacy statement, where we also explain which partners receive data.</p>"
    "<p>Functional cookies are always on because the website cannot work without them. Analytical cookies help "
    "us understand how visitors use the website.</p><button>Accept all</button><button>Reject</button></div>"
)
NAV = '<nav><ul><li><a href="/">Home</a></li><li><a href="/care">Care</a></li></ul></nav>'


def html_page(title: str, paragraphs: Sequence[str], *, banner: str = COOKIE_BANNER) -> str:
    article = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<!DOCTYPE html><html><head><title>{title} | Example Hospital</title></head><body>{banner}{NAV}"
            f"<main><article><h1>{title}</h1>{article}</article></main>"
            "<footer>Copyright 2026 Example Hospital. Cookie settings.</footer></body></html>")


def banner_only_page(banner: str = COOKIE_BANNER) -> str:
    return f"<!DOCTYPE html><html><head><title>Welcome</title></head><body>{banner}{NAV}</body></html>"


# --- a real local HTTP server ------------------------------------------------------------------

Route = tuple[int, str, bytes]  # status, content type, body


@contextmanager
def http_server(routes: Mapping[str, Route]) -> Iterator[str]:
    """Serve ``routes`` (path → status, content type, body) on 127.0.0.1:<free port>; yields the base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, kind, body = routes.get(self.path, (404, "text/plain", b"not found"))
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:  # keep test output quiet
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def sitemap(urls: Sequence[str]) -> bytes:
    locs = "".join(f"<url><loc>{u}</loc></url>" for u in urls)
    return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>'.encode()


# --- running and reading the index -----------------------------------------------------------


def embedded_store(data_dir: Path, prefix: str = "ipo") -> ChromaStore:
    return ChromaStore(build_chroma_client(data_dir, None), prefix)


def ingest_dir(store: ChromaStore, embedder: Embedder, docs: Path | None, urls: Sequence[str] = (),
               **config: Any) -> IngestReport:
    """What `python -m ingest` does, minus the lock and the CLI: load, then run the pipeline."""
    loaded = load_sources(discover(docs) if docs else [], urls)
    return Ingestor(store, embedder, IngestConfig(**config)).run(loaded.documents, loaded.failures, [])


def top_docs(store: ChromaStore, embedder: Embedder, query: str, k: int = 5,
             today: date | None = None) -> list[str]:
    """Distinct document ids of the best ``k`` documents for ``query`` in the active generation."""
    index = ChromaDenseIndex(store, embedder.name, embedder.dim, today=today)
    ranked: list[str] = []
    for passage in index.search(embedder.embed_queries([query])[0], k * 6):
        if passage.doc_id not in ranked:
            ranked.append(passage.doc_id)
    return ranked[:k]


def snapshot(store: ChromaStore, embedder: Embedder, queries: Sequence[str]) -> list[list[tuple[str, float]]]:
    """Chunk ids and rounded scores of the active generation's answers to ``queries``."""
    index = ChromaDenseIndex(store, embedder.name, embedder.dim)
    vectors = embedder.embed_queries(list(queries))
    return [[(p.chunk_id, round(p.dense, 5)) for p in index.search(v, 5)] for v in vectors]


def cli_env(data_dir: Path, knowledge: Path, **extra: str) -> dict[str, str]:
    """Environment for a `python -m ingest` subprocess: offline, unbuffered, only our IPO_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPO_")}
    env.update({"IPO_DATA_DIR": str(data_dir), "IPO_KNOWLEDGE_DIR": str(knowledge), "PYTHONUNBUFFERED": "1",
                "PYTHONPATH": str(REPO_ROOT), "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"})
    env.update(extra)
    return env


INGEST_CMD = [sys.executable, "-m", "ingest"]
