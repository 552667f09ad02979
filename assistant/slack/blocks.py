"""Block Kit formatting, pure: case cards, thread notes, the App Home queue, answers, the reply modal.

Everything shown in Slack passes ``escape`` (no <!channel> or link injection from a family's or a
document's text). Nothing here sees an identifier: callers hand over English summaries written by the
assistant and text already redacted.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from ..cases.translation import LANGUAGE_NAMES
from ..storage.cases import CaseView

Block = dict[str, Any]
StaffUrl = Callable[[str], str]

CLAIM, REPLY, RESOLVE, OPEN_PAGE = "ipo_claim", "ipo_reply", "ipo_resolve", "ipo_open_page"
REPLY_MODAL, REPLY_BLOCK, REPLY_INPUT = "ipo_reply_modal", "reply", "text"
CARD_EVENT, NOTE_EVENT = "ipo_case_card", "ipo_case_note"
MAX_REPLY_CHARS = 2000

URGENCY_ICON = {"high": ":red_circle:", "normal": ":large_orange_circle:", "low": ":large_green_circle:"}
STATUS_LABEL = {"open": "Open", "claimed": "Claimed", "resolved": "Resolved"}
REASONS = {
    "emergency": "possible emergency (family told to call local emergency services)",
    "medical_advice": "asks for an individual medical judgement",
    "human_requested": "asks for a person",
    "no_answer": "question not answered by the hospital documents",
    "unsupported_language": "writes in a language the assistant does not support",
}
_SLACK_ID = re.compile(r"^[UWB][A-Z0-9]{2,20}$")
_SAFE_URL = re.compile(r"^https?://[^\s|<>]+$")


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def mention(user: str | None) -> str:
    return f"<@{user}>" if user and _SLACK_ID.match(user) else "someone"


def link(url: str, label: str) -> str:
    return f"<{url}|{escape(label)}>" if _SAFE_URL.match(url) else escape(label)


def language_label(code: str) -> str:
    return f"{LANGUAGE_NAMES.get(code, code)} ({code})"


def reason_label(reason: str) -> str:
    return REASONS.get(reason, reason.replace("_", " "))


def _when(moment: datetime) -> str:
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|{moment:%Y-%m-%d %H:%M} UTC>"


def _mrkdwn(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": text}


def _button(text: str, action_id: str, value: str, style: str | None = None, **extra: Any) -> Block:
    button: Block = {"type": "button", "text": {"type": "plain_text", "text": text}, "action_id": action_id,
                     "value": value, **extra}
    if style:
        button["style"] = style
    return button


def status_line(case: CaseView) -> str:
    if case.status == "claimed":
        return f"Claimed by {mention(case.assignee)}"
    if case.status == "resolved":
        return f"Resolved ({mention(case.assignee)})" if case.assignee else "Resolved"
    return "Open, not claimed yet"


def card_text(case: CaseView) -> str:
    """The notification fallback text: no identifiers, nothing from the family."""
    return f"Case {case.id}: {case.urgency} urgency, {STATUS_LABEL.get(case.status, case.status).lower()}"


def case_card(case: CaseView, staff_url: StaffUrl) -> list[Block]:
    url = staff_url(case.id)
    fields = [_mrkdwn(f"*Urgency*\n{URGENCY_ICON.get(case.urgency, '')} {case.urgency}"),
              _mrkdwn(f"*Language*\n{language_label(case.language)}"),
              _mrkdwn(f"*Reason*\n{escape(reason_label(case.reason))}"),
              _mrkdwn(f"*Status*\n{status_line(case)}")]
    context = f"Opened {_when(case.created_at)} · escalations: {case.escalations} · {link(url, 'Staff case page')}"
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": f"Case {case.id} · {STATUS_LABEL[case.status]}"}},
        {"type": "section", "fields": fields},
        {"type": "section", "text": _mrkdwn(escape(_cut(case.summary, 2500)))},
        {"type": "context", "elements": [_mrkdwn(context)]},
    ]
    buttons = [_button("Open case page", OPEN_PAGE, case.id, url=url)]
    if case.status != "resolved":
        resolve_confirm = {"title": {"type": "plain_text", "text": "Resolve this case?"},
                           "text": _mrkdwn(f"Case {case.id} leaves the queue."),
                           "confirm": {"type": "plain_text", "text": "Resolve"},
                           "deny": {"type": "plain_text", "text": "Cancel"}}
        buttons = [_button("Reply to family", REPLY, case.id, "primary"),
                   _button("Resolve", RESOLVE, case.id, "danger", confirm=resolve_confirm), *buttons]
        if case.status == "open":
            buttons.insert(0, _button("Claim", CLAIM, case.id))
    blocks.append({"type": "actions", "block_id": "case_actions", "elements": buttons})
    return blocks


def card_metadata(case_id: str) -> dict[str, Any]:
    return {"event_type": CARD_EVENT, "event_payload": {"case_id": case_id}}


def note_metadata(item_id: int) -> dict[str, Any]:
    return {"event_type": NOTE_EVENT, "event_payload": {"outbox_id": str(item_id)}}


def erased_stub(case_id: str, part: str) -> tuple[str, list[Block]]:
    text = (f"Case {case_id}: content removed at the family's request." if part == "card"
            else "Message removed at the family's request.")
    return text, [{"type": "section", "text": _mrkdwn(f":wastebasket: {escape(text)}")}]


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line.strip() else ">" for line in escape(_cut(text, 2800)).split("\n"))


def thread_note(payload: Mapping[str, Any]) -> str:
    event, actor = str(payload.get("event", "")), payload.get("actor")
    if event == "family_message":
        return f"*Family wrote* (redacted; full text on the staff case page):\n{_quote(str(payload.get('text', '')))}"
    if event == "staff_reply":
        target = payload.get("translated_to")
        how = f" (translated into {LANGUAGE_NAMES.get(str(target), str(target))})" if target else ""
        return f"{mention(actor)} *replied to the family*{how}:\n{_quote(str(payload.get('text', '')))}"
    if event == "claimed":
        previous = payload.get("previous")
        return f"Claimed by {mention(actor)}" + (f" (taken over from {mention(previous)})." if previous else ".")
    if event == "resolved":
        return f"Resolved by {mention(actor)}."
    reason = escape(reason_label(str(payload.get("reason", ""))))
    urgency = escape(str(payload.get("urgency", "")))
    if event == "reopened":
        return f"Case reopened: the family asked for a person again ({reason}; urgency {urgency})."
    return f"New escalation: {reason} (urgency {urgency})."


def case_rows(cases: Sequence[CaseView], staff_url: StaffUrl, limit: int = 40) -> list[Block]:
    """One section per case, most urgent first, with a Claim button while unclaimed."""
    rows: list[Block] = []
    for case in cases[:limit]:
        text = (f"{URGENCY_ICON.get(case.urgency, '')} *{link(staff_url(case.id), case.id)}* · {case.urgency} · "
                f"{status_line(case)} · {language_label(case.language)}\n{escape(reason_label(case.reason))}")
        row: Block = {"type": "section", "text": _mrkdwn(text)}
        if case.status == "open":
            row["accessory"] = _button("Claim", CLAIM, case.id)
        rows.append(row)
    if len(cases) > limit:
        rows.append({"type": "context", "elements": [_mrkdwn(f"…and {len(cases) - limit} more.")]})
    return rows or [{"type": "section", "text": _mrkdwn("No open cases. :tada:")}]


def home_view(cases: Sequence[CaseView], staff_url: StaffUrl) -> dict[str, Any]:
    header = {"type": "header", "text": {"type": "plain_text", "text": "IPO case queue"}}
    context = {"type": "context", "elements": [_mrkdwn(f"{len(cases)} open or claimed case(s), most urgent "
                                                       "first. Identifiers are only on the staff case page.")]}
    return {"type": "home", "blocks": [header, context, {"type": "divider"}, *case_rows(cases, staff_url)]}


def answer_blocks(question: str, text: str, citations: Sequence[Mapping[str, Any]]) -> list[Block]:
    blocks: list[Block] = [{"type": "context", "elements": [_mrkdwn(f"*Question:* {escape(_cut(question, 300))}")]},
                           {"type": "section", "text": _mrkdwn(escape(_cut(text, 2900)) or "_No answer._")}]
    sources = [f"[{c.get('n', i)}] {link(str(c.get('source', '')), str(c.get('title') or 'source'))}"
               for i, c in enumerate(citations, start=1)]
    if sources:
        blocks.append({"type": "context", "elements": [_mrkdwn("*Sources:* " + " · ".join(sources))]})
    return blocks


def plain_blocks(text: str) -> list[Block]:
    return [{"type": "section", "text": _mrkdwn(escape(text))}]


def reply_modal(case: CaseView, translates: bool) -> dict[str, Any]:
    language = LANGUAGE_NAMES.get(case.language, case.language)
    hint = ("Only this text reaches the family's chat; thread talk stays internal. "
            + (f"It will be translated into {language}." if translates and case.language != "en"
               else f"Write in {language} or English."))
    return {
        "type": "modal", "callback_id": REPLY_MODAL, "private_metadata": case.id,
        "title": {"type": "plain_text", "text": "Reply to family"},
        "submit": {"type": "plain_text", "text": "Send"}, "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {"type": "section", "text": _mrkdwn(f"Case *{case.id}* · family language: *{language_label(case.language)}*")},
            {"type": "input", "block_id": REPLY_BLOCK, "label": {"type": "plain_text", "text": "Message to the family"},
             "element": {"type": "plain_text_input", "action_id": REPLY_INPUT, "multiline": True,
                         "max_length": MAX_REPLY_CHARS},
             "hint": {"type": "plain_text", "text": hint}},
        ],
    }
