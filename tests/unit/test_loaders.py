"""Loaders: every format loads, and every bad source becomes one clear Failure while the rest loads."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from ingest.frontmatter import SourceError
from ingest.loaders import Failure, discover, load_bytes, load_sources
from tests.conftest import REPO_ROOT
from tests.integration.conftest_ingest import (
    CONSENT_WALL,
    banner_only_page,
    html_page,
    make_pdf,
    markdown_doc,
    sitemap,
    topic_doc,
    write_corpus,
)

SEEDS = REPO_ROOT.parent / "shared" / "seeds"
PDF_LINES = [
    "Travel guide for families.",
    "Schiphol is the closest airport to Utrecht and families can travel on by train.",
    "The International Patient Office helps families find a hotel near the hospital.",
    "Bring passports, insurance papers and the medical file in English or Dutch.",
]
ARTICLE = [
    "Families who come from abroad need a place to stay outside the hospital for the whole treatment period.",
    "Options include staying with relatives, renting a flat for a few months, or booking a hotel nearby.",
]

# (file name, content, expected reason): each must fail alone, naming itself.
BAD_SOURCES = [
    ("corrupt.pdf", b"%PDF-1.4\nthis is not really a PDF at all", "corrupt or unreadable PDF"),
    ("truncated.pdf", make_pdf(PDF_LINES)[:180], "corrupt or unreadable PDF"),
    ("binary.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary data"),
    ("latin1.md", "---\nid: caf\xe9\n---\nCaf\xe9".encode("latin-1"), "not valid UTF-8"),
    ("empty.md", b"", "empty file"),
    ("blank.txt", b"  \n\n \n", "empty file"),
    ("no-front-matter.md", b"# Costs\n\nA paying party must guarantee the costs.\n", "missing front matter"),
    ("invalid-yaml.md", b"---\nid: costs\ntitle: [unclosed\n---\nBody text.\n", "invalid front matter YAML"),
    ("missing-fields.md", b"---\nid: costs\ntitle: Costs\n---\nBody text.\n", "lacks required field"),
    ("cookie-banner.html", banner_only_page().encode(), "no main content"),
    ("consent-wall.html", banner_only_page(CONSENT_WALL).encode(), "no main content"),
]


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "docs", ["housing", "costs"])


def test_markdown_with_front_matter_loads_with_its_origin(docs: Path) -> None:
    result = load_sources(discover(docs))
    assert result.failures == []
    assert [d.id for d in result.documents] == ["costs", "housing"]
    assert result.documents[0].origin == str(docs / "costs.md")
    assert result.documents[0].title == "Costs and the guarantee of payment"


@pytest.mark.parametrize(("name", "content", "reason"), BAD_SOURCES, ids=[b[0] for b in BAD_SOURCES])
def test_a_bad_source_is_one_failure_naming_it_and_the_rest_loads(
    docs: Path, name: str, content: bytes, reason: str,
) -> None:
    (docs / name).write_bytes(content)
    result = load_sources(discover(docs))
    assert [d.id for d in result.documents] == ["costs", "housing"]
    assert len(result.failures) == 1
    failure = result.failures[0]
    assert failure.source == str(docs / name)
    assert reason in failure.reason
    assert "\n" not in failure.reason and len(failure.reason) < 200


def test_several_bad_sources_each_get_their_own_line(docs: Path) -> None:
    for name, content, _ in BAD_SOURCES:
        (docs / name).write_bytes(content)
    result = load_sources(discover(docs))
    assert [d.id for d in result.documents] == ["costs", "housing"]
    assert sorted(f.source for f in result.failures) == sorted(str(docs / n) for n, _, _ in BAD_SOURCES)


def test_an_unreadable_file_is_a_failure_not_a_crash(docs: Path) -> None:
    result = load_sources([docs / "costs.md", docs / "gone.md"])
    assert [d.id for d in result.documents] == ["costs"]
    assert result.failures[0].source == str(docs / "gone.md")


def test_discover_is_sorted_skips_readmes_and_unknown_suffixes(tmp_path: Path) -> None:
    for name in ["b.md", "a.txt", "README.md", "notes.docx", "sub/c.pdf", "sub/d.html", "e.htm", "f.markdown"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    found = [p.relative_to(tmp_path).as_posix() for p in discover(tmp_path)]
    assert found == ["a.txt", "b.md", "e.htm", "f.markdown", "sub/c.pdf", "sub/d.html"]


# --- plain text: the seed pages --------------------------------------------------------------------


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"seed pages not found at {SEEDS} (../shared/seeds)")
def test_seed_pages_load_as_plain_text_without_their_cookie_banner() -> None:
    paths = sorted(SEEDS.glob("*.txt"))
    assert paths, f"no .txt files in {SEEDS}"
    result = load_sources(paths)
    assert result.failures == []
    assert len(result.documents) == len(paths)
    for path, doc in zip(paths, result.documents, strict=True):
        assert doc.id == f"seed-{path.stem.replace('_', '-')}"
        assert doc.source == f"seed:{path.name}"
        assert doc.language == "en"
        assert "cookie" not in doc.body.lower()
        assert doc.title and doc.title == doc.body.splitlines()[0].strip()
        assert len(doc.body.split()) > 100
    titles = [d.title for d in result.documents]
    assert "Why we treat international patients" in titles
    assert "Center for Rare Tumors" in titles


def test_plain_text_that_is_only_a_cookie_banner_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "banner.txt"
    path.write_text("Our website uses cookies. Read more about cookies\n\nAccept all\n", encoding="utf-8")
    result = load_sources([path])
    assert result.documents == []
    assert result.failures == [Failure(str(path), result.failures[0].reason)]
    assert "no main content" in result.failures[0].reason


# --- HTML and PDF -------------------------------------------------------------------------------


def test_html_keeps_the_article_and_drops_banner_menu_and_footer() -> None:
    doc = load_bytes(html_page("Housing near the hospital", ARTICLE).encode(), "pages/housing.html")
    assert doc.title == "Housing near the hospital"
    assert doc.id == "housing-near-the-hospital"
    assert all(p in doc.body for p in ARTICLE)
    for boilerplate in ("cookie", "Home", "Copyright"):
        assert boilerplate.lower() not in doc.body.lower()


def test_html_is_recognised_by_its_content_without_a_suffix() -> None:
    doc = load_bytes(html_page("Housing", ARTICLE).encode(), "https://example.org/housing", "https://x/h")
    assert doc.source == "https://x/h"
    assert ARTICLE[0] in doc.body


def test_a_long_consent_paragraph_beside_real_content_is_dropped_sentence_by_sentence() -> None:
    doc = load_bytes(html_page("Housing", ARTICLE, banner=CONSENT_WALL).encode(), "housing.html")
    assert ARTICLE[1] in doc.body
    assert "cookie" not in doc.body.lower()


def test_a_dutch_html_page_gets_its_language_detected() -> None:
    paragraphs = ["Gezinnen uit het buitenland regelen zelf een verblijfplaats buiten het ziekenhuis voor de hele "
                  "behandeling.", "Tijdens de opname kan één ouder bij het kind op de kamer slapen."]
    assert load_bytes(html_page("Verblijf", paragraphs).encode(), "verblijf.html").language == "nl"


def test_a_valid_pdf_yields_its_text_and_title() -> None:
    doc = load_bytes(make_pdf(PDF_LINES, title="Travel guide"), "fixtures/travel-guide.pdf")
    assert (doc.id, doc.title, doc.language) == ("travel-guide", "Travel guide", "en")
    assert doc.body.splitlines() == PDF_LINES


def test_a_pdf_without_a_title_is_named_after_its_file() -> None:
    doc = load_bytes(make_pdf(PDF_LINES), "fixtures/Reisgids 2026.pdf")
    assert (doc.id, doc.title) == ("reisgids-2026", "Reisgids 2026")


def test_a_pdf_without_text_is_refused() -> None:
    with pytest.raises(SourceError, match="no main content"):
        load_bytes(make_pdf([]), "scan.pdf")


# --- URLs, sitemaps and URL lists over a fake transport (the real server is in integration) --------


def _fake_site() -> httpx.Client:
    pages = {
        "/housing": html_page("Housing near the hospital", ARTICLE),
        "/costs": html_page("Costs", [topic_doc("costs").split("---")[-1]]),
        "/cookies": banner_only_page(),
    }

    def handle(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.url.host == "down.example":
            raise httpx.ConnectError("connection refused", request=request)
        if path == "/sitemap.xml":
            locs = [f"https://site.example{p}" for p in ("/housing", "/costs", "/cookies", "/missing")]
            return httpx.Response(200, content=sitemap(locs), headers={"content-type": "application/xml"})
        if path == "/urls.txt":
            return httpx.Response(200, text="# list\nhttps://site.example/housing\nnot-a-url\n")
        if path == "/guide.pdf":
            return httpx.Response(200, content=make_pdf(PDF_LINES), headers={"content-type": "application/pdf"})
        if path in pages:
            return httpx.Response(200, text=pages[path], headers={"content-type": "text/html; charset=utf-8"})
        return httpx.Response(404, text="not found")

    return httpx.Client(transport=httpx.MockTransport(handle))


def test_a_sitemap_loads_its_pages_and_reports_the_bad_ones() -> None:
    result = load_sources([], ["https://site.example/sitemap.xml"], client_factory=_fake_site)
    assert sorted(d.id for d in result.documents) == ["costs", "housing-near-the-hospital"]
    assert {d.source for d in result.documents} == {"https://site.example/housing", "https://site.example/costs"}
    reasons = {f.source: f.reason for f in result.failures}
    assert reasons["https://site.example/missing"] == "HTTP 404"
    assert "no main content" in reasons["https://site.example/cookies"]


def test_a_url_list_and_a_pdf_url_load() -> None:
    result = load_sources([], ["https://site.example/urls.txt", "https://site.example/guide.pdf"],
                          client_factory=_fake_site)
    assert [d.id for d in result.documents] == ["housing-near-the-hospital", "guide"]
    assert result.failures == []


def test_unreachable_hosts_and_a_missing_sitemap_are_reported_and_the_rest_loads() -> None:
    urls = ["https://down.example/page", "https://down.example/sitemap.xml", "https://site.example/gone.xml",
            "https://site.example/housing"]
    result = load_sources([], urls, client_factory=_fake_site)
    assert [d.id for d in result.documents] == ["housing-near-the-hospital"]
    assert result.failures == [
        Failure("https://down.example/page", "unreachable (ConnectError)"),
        Failure("https://down.example/sitemap.xml", "unreachable (ConnectError)"),
        Failure("https://site.example/gone.xml", "HTTP 404"),
    ]


def test_markdown_served_over_http_keeps_its_front_matter() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        body = markdown_doc("remote-doc", "Remote", "A document fetched over HTTP with front matter.")
        return httpx.Response(200, text=body, headers={"content-type": "text/markdown"})

    result = load_sources([], ["https://site.example/remote.md"],
                          client_factory=lambda: httpx.Client(transport=httpx.MockTransport(handle)))
    assert [d.id for d in result.documents] == ["remote-doc"]
