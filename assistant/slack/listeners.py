"""Slack listeners, thin: acknowledge at once, do the work lazily (bolt runs it after the ack), format in
``blocks.py``. Every request with a natural id (event id, action time stamp, view submission, command trigger)
is handled once: Slack's retries and duplicate deliveries are acknowledged and dropped.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltRequest, BoltResponse, Respond
from slack_sdk import WebClient

from ..cases import CaseDesk
from ..storage.slack_receipts import SlackReceipts
from . import blocks
from .ask import KnowledgeBase

log = logging.getLogger(__name__)

SORRY = "Sorry, that did not work. Please try again in a moment."
HELP = "Use `/ipo ask <question>` for an answer from the knowledge base, or `/ipo cases` for the open cases."


def request_key(body: dict[str, Any]) -> tuple[str, str] | None:
    """(key, kind) identifying one Slack request across retries; None for requests without one."""
    kind = body.get("type")
    if kind == "event_callback" and body.get("event_id"):
        return f"event:{body['event_id']}", "event"
    if kind == "block_actions" and body.get("actions"):
        return f"action:{body['actions'][0].get('action_ts')}:{(body.get('user') or {}).get('id')}", "action"
    if kind == "view_submission":
        view = body.get("view") or {}
        state = hashlib.sha256(json.dumps(view.get("state"), sort_keys=True).encode()).hexdigest()[:32]
        return f"view:{view.get('id')}:{state}", "view"
    if body.get("command") and body.get("trigger_id"):
        return f"command:{body['trigger_id']}", "command"
    return None


class SlackListeners:
    def __init__(self, desk: CaseDesk, knowledge: KnowledgeBase, receipts: SlackReceipts,
                 staff_url: blocks.StaffUrl, channel: str) -> None:
        self._desk, self._knowledge, self._receipts = desk, knowledge, receipts
        self._staff_url, self._channel = staff_url, channel

    def register(self, app: App) -> None:
        app.use(self.deduplicate)
        app.command("/ipo")(ack=self.ack_command, lazy=[self.answer_command])
        app.action(blocks.CLAIM)(ack=self.ack, lazy=[self.claim])
        app.action(blocks.RESOLVE)(ack=self.ack, lazy=[self.resolve])
        app.action(blocks.REPLY)(ack=self.ack, lazy=[self.open_reply])
        app.action(blocks.OPEN_PAGE)(self.ack)
        app.view(blocks.REPLY_MODAL)(ack=self.ack_reply, lazy=[self.send_reply])
        app.event("app_home_opened")(ack=self.ack, lazy=[self.publish_home])
        app.event("message")(ack=self.ack, lazy=[self.thread_note])

    # --- middleware --------------------------------------------------------------------------------
    def deduplicate(self, req: BoltRequest, next_: Callable[[], BoltResponse]) -> BoltResponse:
        key = request_key(req.body)
        if key is not None and not self._receipts.first_time(*key):
            log.info("slack %s delivered again (retry %s, %s): acknowledged, not handled", key[1],
                     req.headers.get("x-slack-retry-num", ["-"])[0],
                     req.headers.get("x-slack-retry-reason", ["-"])[0])
            return BoltResponse(status=200, body="")
        return next_()

    # --- acknowledgements (fast) -------------------------------------------------------------------
    @staticmethod
    def ack(ack: Ack) -> None:
        ack()

    def ack_command(self, ack: Ack, command: dict[str, Any]) -> None:
        verb, _, rest = str(command.get("text", "")).strip().partition(" ")
        verb = verb.lower()
        if verb == "cases":
            ack(text="Open cases", blocks=blocks.case_rows(self._desk.queue(), self._staff_url),
                response_type="ephemeral")
        elif verb == "ask" and rest.strip():
            ack(text="Looking that up in the knowledge base…", response_type="ephemeral")
        else:
            ack(text=HELP, response_type="ephemeral")

    @staticmethod
    def ack_reply(ack: Ack, view: dict[str, Any]) -> None:
        if not _reply_text(view):
            ack(response_action="errors", errors={blocks.REPLY_BLOCK: "Write a message for the family first."})
        else:
            ack()

    # --- lazy work ---------------------------------------------------------------------------------
    def answer_command(self, command: dict[str, Any], respond: Respond) -> None:
        verb, _, question = str(command.get("text", "")).strip().partition(" ")
        if verb.lower() != "ask" or not question.strip():
            return
        try:
            answer = self._knowledge.ask(question.strip()[:1000])
        except Exception as exc:
            log.error("/ipo ask failed: %s", type(exc).__name__)
            respond(text=SORRY, response_type="ephemeral", replace_original=False)
            return
        if answer is None:
            respond(text="The knowledge base is still loading; please try again in a minute.",
                    response_type="ephemeral", replace_original=False)
            return
        respond(text=answer.text[:3000] or "No answer.", response_type="ephemeral", replace_original=False,
                blocks=blocks.answer_blocks(question, answer.text, answer.citations))

    def claim(self, body: dict[str, Any], client: WebClient, respond: Respond | None) -> None:
        self._staff_action(body, client, respond, self._desk.claim, "claimed")

    def resolve(self, body: dict[str, Any], client: WebClient, respond: Respond | None) -> None:
        self._staff_action(body, client, respond, self._desk.resolve, "resolved")

    def _staff_action(self, body: dict[str, Any], client: WebClient, respond: Respond | None,
                      act: Callable[[str, str], Any], done: str) -> None:
        case_id, user = str(body["actions"][0].get("value", "")), str(body["user"]["id"])
        outcome = act(case_id, user)
        log.info("slack: case %s %s by %s: %s", case_id, done, user, outcome.detail)
        if not outcome.changed and respond is not None:
            respond(text=_refusal(case_id, outcome.detail), response_type="ephemeral", replace_original=False)
        if (body.get("container") or {}).get("type") == "view":  # clicked in the App Home: refresh it
            client.views_publish(user_id=user, view=blocks.home_view(self._desk.queue(), self._staff_url))

    def open_reply(self, body: dict[str, Any], client: WebClient, respond: Respond | None) -> None:
        case = self._desk.get(str(body["actions"][0].get("value", "")))
        if case is None:
            if respond is not None:
                respond(text=_refusal("this case", "not_found"), response_type="ephemeral",
                        replace_original=False)
            return
        client.views_open(trigger_id=body["trigger_id"], view=blocks.reply_modal(case, self._desk.translates))

    def send_reply(self, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        text, user = _reply_text(view), str(body["user"]["id"])
        case_id = str(view.get("private_metadata", ""))
        if not text:
            return
        outcome = self._desk.reply(case_id, user, text[: blocks.MAX_REPLY_CHARS])
        if not outcome.changed:
            client.chat_postMessage(channel=user, text=_refusal(case_id, outcome.detail))

    def publish_home(self, event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") == "home":
            client.views_publish(user_id=event["user"], view=blocks.home_view(self._desk.queue(), self._staff_url))

    def thread_note(self, event: dict[str, Any]) -> None:
        """Staff talk in a case thread: kept as an internal note for the staff page (never sent on)."""
        thread, user = event.get("thread_ts"), event.get("user")
        if (event.get("subtype") or event.get("bot_id") or not thread or thread == event.get("ts") or not user
                or event.get("channel") != self._channel):
            return
        case_id = self._desk.case_for_thread(self._channel, str(thread))
        if case_id is not None and self._desk.note(case_id, str(user), str(event.get("text", ""))):
            log.info("slack: internal note on case %s by %s", case_id, user)


def _reply_text(view: dict[str, Any]) -> str:
    values = ((view.get("state") or {}).get("values") or {}).get(blocks.REPLY_BLOCK) or {}
    return str((values.get(blocks.REPLY_INPUT) or {}).get("value") or "").strip()


def _refusal(case_id: str, detail: str) -> str:
    return {"not_found": f"Case {case_id} no longer exists (it may have been erased at the family's request).",
            "resolved": f"Case {case_id} is already resolved.",
            "unchanged": f"Nothing to change on case {case_id}."}.get(detail, SORRY)
