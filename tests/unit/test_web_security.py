"""Security headers and the Content-Security-Policy built from settings."""

from __future__ import annotations

from assistant.settings import Settings
from assistant.web.security import content_security_policy, security_headers, valid_sources


def headers(settings: Settings, path: str = "/") -> dict[str, str]:
    return {k.decode(): v.decode() for k, v in security_headers(settings, path)}


def test_the_page_policy_allows_only_its_own_origin_and_the_configured_embedders() -> None:
    csp = content_security_policy(["https://www.prinsesmaximacentrum.nl", "https://*.example.org:8443"])
    directives = dict(d.split(" ", 1) for d in csp.split("; "))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == directives["style-src"] == directives["img-src"] == "'self'"
    assert directives["connect-src"] == "'self'" and directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'self' https://www.prinsesmaximacentrum.nl https://*.example.org:8443"


def test_a_frame_ancestor_that_could_inject_a_directive_is_dropped() -> None:
    assert valid_sources(["https://ok.example", "https://x.example; script-src *", "'unsafe-inline'", "*",
                          "javascript:alert(1)"]) == ["https://ok.example"]
    assert "script-src *" not in content_security_policy(["https://x.example; script-src *"])


def test_x_frame_options_only_when_no_embedder_is_configured() -> None:
    assert headers(Settings())["x-frame-options"] == "SAMEORIGIN"
    assert "x-frame-options" not in headers(Settings(frame_ancestors=["https://www.prinsesmaximacentrum.nl"]))


def test_hsts_only_behind_https() -> None:
    assert "strict-transport-security" not in headers(Settings())
    assert "max-age" in headers(Settings(public_base_url="https://ipo.example"))["strict-transport-security"]


def test_api_responses_are_never_cached_and_pages_send_no_referrer() -> None:
    assert headers(Settings(), "/api/conversations")["cache-control"] == "no-store"
    page = headers(Settings(), "/")
    assert "cache-control" not in page
    assert page["referrer-policy"] == "no-referrer" and page["x-content-type-options"] == "nosniff"


def test_only_the_openapi_pages_may_load_their_cdn_assets() -> None:
    assert "cdn.jsdelivr.net" in headers(Settings(), "/docs")["content-security-policy"]
    assert "cdn.jsdelivr.net" not in headers(Settings(), "/")["content-security-policy"]
