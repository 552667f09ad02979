"""The chat widget in headless Chromium (Debian's, driven by Playwright): streaming answers with sources in
English and Arabic, right-to-left layout, the handoff by keyboard alone, inert hostile Markdown, a phone-sized
screen, staff replies, and the one-line embed on another site. Screenshots go to artifacts/screenshots/."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from assistant.storage import ConversationRepository
from assistant.storage.models import FeedbackRow, IntakeRow
from tests.e2e.conftest import FakeServerFactory, screenshot
from tests.e2e.servers import ServerProcess, free_port, static_page

pytestmark = pytest.mark.e2e


def open_chat(page: Any, base_url: str, query: str = "") -> None:
    page.goto(f"{base_url}/{query}")
    page.wait_for_selector("html.ready")


def ask(page: Any, text: str) -> Any:
    """Type and send a question; returns the reply's <article> once its stream has ended."""
    replies_before = page.locator("#log article.msg.assistant").count()
    page.fill("#message", text)
    page.press("#message", "Enter")
    reply = page.locator("#log article.msg.assistant").nth(replies_before)
    reply.wait_for()
    page.wait_for_function("() => !document.querySelector('#log [aria-busy=\"true\"]') && "
                           "document.querySelector('#log').getAttribute('aria-busy') === 'false'")
    return reply


def source_links(reply: Any) -> list[str]:
    return [str(a.get_attribute("href")) for a in reply.locator("nav.sources a").all()]


def test_an_english_question_streams_an_answer_with_sources(real_server: ServerProcess, new_page: Any) -> None:
    page = new_page(locale="en-GB")
    open_chat(page, real_server.base_url)
    assert page.locator("html").get_attribute("lang") == "en"
    reply = ask(page, "How do I apply for treatment at the Máxima?")
    assert len(reply.locator(".content").inner_text()) > 80
    links = source_links(reply)
    assert links and all(re.match(r"^https?://", href) for href in links)
    assert reply.locator("nav.sources a").first.get_attribute("rel") == "noopener noreferrer nofollow"
    assert reply.locator(".feedback button").count() == 2
    screenshot(page, "chat_english_answer")
    assert page.errors == []


def test_an_arabic_browser_gets_the_arabic_rtl_chat_and_an_arabic_answer(real_server: ServerProcess,
                                                                          new_page: Any) -> None:
    page = new_page(locale="ar-EG")
    open_chat(page, real_server.base_url)
    assert page.locator("html").get_attribute("lang") == "ar"
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("#send").inner_text() == "إرسال"
    reply = ask(page, "كيف أتقدم بطلب لعلاج طفلي في مركز الأميرة ماكسيما؟")
    assert re.search(r"[\u0600-\u06ff]", reply.locator(".content").inner_text())
    assert source_links(reply)
    question = page.locator("#log article.msg.user").last.bounding_box()
    answer = reply.bounding_box()
    assert question["x"] < answer["x"]  # right-to-left: the family's own message sits on the left
    assert page.evaluate("getComputedStyle(document.querySelector('#message')).direction") == "rtl"
    screenshot(page, "chat_arabic_rtl_answer")
    assert page.errors == []


def test_the_handoff_works_by_keyboard_alone(fake_server: FakeServerFactory, new_page: Any) -> None:
    with fake_server() as server:
        page = new_page()
        open_chat(page, server.base_url)
        page.locator("#message").focus()
        page.keyboard.type("Can I talk to someone?")
        page.keyboard.press("Enter")
        page.wait_for_selector("#log .feedback")
        focus_by_tab(page, "#talk")
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "handoff-title"
        page.keyboard.press("Tab")
        page.keyboard.type("Test Parent")
        page.keyboard.press("Tab")
        page.keyboard.type("not-an-email")
        focus_by_tab(page, "#f-consent")
        page.keyboard.press("Space")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")  # submit: the e-mail is refused and focused, nothing is sent
        assert page.evaluate("document.activeElement.id") == "f-email"
        assert page.locator("#f-email-error").inner_text() == "Please enter a valid e-mail address."
        page.keyboard.press("Control+A")
        page.keyboard.type("parent@example.org")
        page.keyboard.press("Tab")
        page.keyboard.type("Curaçao")
        page.keyboard.press("Tab")
        page.keyboard.type("7")
        focus_by_tab(page, "#handoff-form button[type=submit]")
        screenshot(page, "handoff_form_keyboard")
        page.keyboard.press("Enter")
        confirmation = page.locator("#log article.confirmation")
        confirmation.wait_for()
        assert re.search(r"IPO-[A-Z0-9]{8}", confirmation.inner_text())
        assert page.evaluate("document.activeElement.classList.contains('confirmation')")
        assert page.locator("#handoff").is_hidden()
        with server.database().read() as session:
            intake = session.scalars(select(IntakeRow)).one()
        assert (intake.name, intake.email, intake.country, intake.child_age) == (
            "Test Parent", "parent@example.org", "Curaçao", 7)
        screenshot(page, "handoff_confirmation")
        assert page.errors == []


def focus_by_tab(page: Any, selector: str, limit: int = 40) -> None:
    """Press Tab until ``selector`` has the focus (keyboard only)."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement === document.querySelector(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def test_hostile_markup_in_a_reply_renders_inert(fake_server: FakeServerFactory, new_page: Any) -> None:
    with fake_server() as server:
        page = new_page()
        open_chat(page, server.base_url)
        reply = ask(page, "xss please")
        content = reply.locator(".content")
        assert content.locator("img, script, iframe").count() == 0
        assert page.locator("img").count() == 0
        assert page.evaluate("window.__pwned") is None
        hrefs = [a.get_attribute("href") for a in reply.locator("a").all()]
        assert hrefs == ["https://www.prinsesmaximacentrum.nl/", "https://www.prinsesmaximacentrum.nl/en"]
        assert "<img src=x onerror=" in content.inner_text()  # shown as text, not run
        assert content.locator("strong").inner_text() == "bold" and content.locator("em").inner_text() == "italic"
        assert content.locator("ul li").count() == 2
        assert "Evil source" in reply.locator("nav.sources").inner_text()
        for anchor in reply.locator("a").all():
            anchor.click()  # even clicking everything runs nothing
        assert page.evaluate("window.__pwned") is None
        screenshot(page, "hostile_markdown_inert")


def test_the_markdown_renderer_allows_only_safe_nodes(fake_server: FakeServerFactory, new_page: Any) -> None:
    with fake_server() as server:
        page = new_page()
        open_chat(page, server.base_url)
        cases = {
            "[x](javascript:alert(1))": "x",
            "[x](JaVaScRiPt:alert(1))": "x",
            "[x](data:text/html;base64,PHNjcmlwdD4=)": "x",
            "[x](/relative/path)": "x",
            "<b onclick=alert(1)>hi</b>": "<b onclick=alert(1)>hi</b>",
            "![a](https://evil.example/p.png)": "a",
            "see https://example.org/page.": "see https://example.org/page.",
        }
        for source, text in cases.items():
            html = page.evaluate("""async (s) => {
                const { render } = await import('/static/markdown.js');
                const div = document.createElement('div'); div.append(render(s));
                return { text: div.textContent, tags: [...div.querySelectorAll('*')].map(e => e.tagName),
                         hrefs: [...div.querySelectorAll('a')].map(a => a.href) };
            }""", source)
            assert html["text"] == text, source
            assert set(html["tags"]) <= {"P", "A", "STRONG", "EM", "UL", "OL", "LI", "BR"}, source
            assert all(h.startswith(("http://", "https://")) for h in html["hrefs"]), source


def test_the_chat_fits_a_phone_screen(fake_server: FakeServerFactory, new_page: Any) -> None:
    with fake_server() as server:
        page = new_page(viewport=(360, 640))
        open_chat(page, server.base_url)
        ask(page, "How do I apply?")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        box = page.locator("#send").bounding_box()
        assert box["x"] + box["width"] <= 360 and box["y"] + box["height"] <= 640
        screenshot(page, "chat_phone")


def test_the_language_switcher_changes_the_interface(fake_server: FakeServerFactory, new_page: Any) -> None:
    with fake_server() as server:
        page = new_page(locale="en-US")
        open_chat(page, server.base_url)
        page.select_option("#language", "de")
        assert page.locator("#send").inner_text() == "Senden"
        assert page.locator("#talk").inner_text() == "Mit einem Menschen sprechen"
        page.select_option("#language", "ar")
        assert page.locator("html").get_attribute("dir") == "rtl"
        page.reload()
        page.wait_for_selector("html.ready")
        assert page.locator("html").get_attribute("lang") == "ar"  # the choice is remembered


def test_thumbs_up_is_stored_and_shown_as_pressed(fake_server: FakeServerFactory, new_page: Any) -> None:
    with fake_server() as server:
        page = new_page()
        open_chat(page, server.base_url)
        reply = ask(page, "How do I apply?")
        up = reply.locator(".feedback button.up")
        up.click()
        page.wait_for_function("() => document.querySelector('.feedback button.up').ariaPressed === 'true'")
        with server.database().read() as session:
            assert session.scalars(select(FeedbackRow.rating)).all() == ["up"]


def test_a_staff_reply_appears_in_the_chat(fake_server: FakeServerFactory, new_page: Any) -> None:
    with fake_server() as server:
        page = new_page()
        open_chat(page, server.base_url)
        ask(page, "escalate please")
        page.locator("#log button.offer").click()
        page.fill("#f-name", "P")
        page.fill("#f-email", "p@example.org")
        page.check("#f-consent")
        page.click("#handoff-form button[type=submit]")
        page.locator("#log article.confirmation").wait_for()
        conversation_id = page.evaluate("JSON.parse(sessionStorage.getItem('ipo.conversation')).id")
        ConversationRepository(server.database()).add_message(conversation_id, "staff",
                                                              "Hello, this is **Anna** from the office.", "en")
        staff = page.locator("#log article.msg.staff")
        staff.wait_for(timeout=15_000)
        assert staff.locator("strong").inner_text() == "Anna"
        screenshot(page, "staff_reply")


def test_the_one_line_embed_works_on_an_allowed_site_only(fake_server: FakeServerFactory, new_page: Any) -> None:
    host_port = free_port()
    with fake_server(frame_ancestors=[f"http://127.0.0.1:{host_port}"]) as server:
        html = (f'<!doctype html><html lang="nl"><body><h1>Hospital page</h1>'
                f'<script src="{server.base_url}/widget.js" defer></script></body></html>')
        with static_page(html, port=host_port) as site:
            page = new_page()
            page.goto(site)
            launcher = page.locator("#ipo-chat-widget button.launcher")  # Playwright pierces shadow roots
            assert launcher.inner_text() == "Chat met ons"
            launcher.click()
            frame = page.frame_locator("#ipo-chat-widget iframe")
            frame.locator("html.ready").wait_for()
            assert frame.locator("#send").inner_text() == "Versturen"
            frame.locator("#message").fill("Hoe meld ik mijn kind aan?")
            frame.locator("#message").press("Enter")
            frame.locator("#log .feedback").wait_for()
            screenshot(page, "embed_allowed_site")
            frame.locator("#close").click()
            expect(launcher).to_have_attribute("aria-expanded", "false")
            expect(page.locator("#ipo-chat-widget .panel")).to_be_hidden()
        with static_page(html) as other_site:  # same page on a port that is not allowed
            page = new_page()
            page.goto(other_site)
            page.locator("#ipo-chat-widget button.launcher").click()
            page.wait_for_timeout(1500)
            blocked = page.locator("#ipo-chat-widget iframe").element_handle().content_frame()
            assert blocked is not None and blocked.locator("#message").count() == 0  # frame-ancestors refused it


def test_deleting_the_conversation_from_the_widget_erases_it(fake_server: FakeServerFactory, new_page: Any) -> None:
    with fake_server() as server:
        page = new_page()
        open_chat(page, server.base_url)
        ask(page, "How do I apply?")
        conversation_id = page.evaluate("JSON.parse(sessionStorage.getItem('ipo.conversation')).id")
        focus_by_tab(page, "#delete")
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "delete-no"
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Enter")
        page.wait_for_function("() => !sessionStorage.getItem('ipo.conversation')")
        assert page.locator("#log article").count() == 1  # only the welcome is left
        assert page.locator("#status").inner_text() == "Your conversation and data have been deleted."
        assert ConversationRepository(server.database()).view(conversation_id) is None


def test_asking_the_chat_to_forget_me_clears_the_page(fake_server: FakeServerFactory, new_page: Any) -> None:
    with fake_server() as server:
        page = new_page()
        open_chat(page, server.base_url)
        ask(page, "How do I apply?")
        page.fill("#message", "please forget me")
        page.press("#message", "Enter")
        page.wait_for_function("() => !sessionStorage.getItem('ipo.conversation') && "
                               "document.querySelectorAll('#log article').length === 1")
        assert "deleted" in page.locator("#log article").inner_text()
        assert page.evaluate("sessionStorage.getItem('ipo.conversation')") is None
