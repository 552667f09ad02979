"""The staff-handoff stack for end-to-end tests: FakeSlack on loopback, the real app (``create_app``) in uvicorn
on a free loopback port with Slack pointed at the fake, and helpers that act as a family (web API) and as
staff (signed Slack requests). Everything is polled with timeouts; nothing sleeps for a fixed time."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from assistant.settings import Settings
from assistant.storage import Database
from assistant.storage.cases import CaseRepository, CaseView
from server import create_app
from tests.e2e.fake_assistant import fake_factory
from tests.e2e.servers import threaded_app
from tests.e2e.slack_requests import SlackSender
from tests.e2e.sse_client import auth, post_message
from tests.fake_slack import BOT_TOKEN, FakeSlack, Message

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
CHANNEL = "C0CASES01"
STAFF_TOKEN = "staff-token-for-tests"
STAFF, OTHER_STAFF = "U0STAFF01", "U0STAFF02"


def wait_until(condition: Callable[[], Any], timeout_s: float = 15.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")


@dataclass
class Family:
    conversation_id: str
    token: str
    case_id: str | None = None


@dataclass
class Stack:
    base_url: str
    slack: FakeSlack
    sender: SlackSender
    http: httpx.Client
    settings: Settings
    db: Database

    @property
    def cases(self) -> CaseRepository:
        return CaseRepository(self.db)

    # --- the family (web API) -------------------------------------------------------------------------
    def new_family(self, locale: str = "en") -> Family:
        response = self.http.post(f"{self.base_url}/api/conversations", json={"locale": locale})
        assert response.status_code == 201, response.text
        return Family(response.json()["id"], response.json()["token"])

    def say(self, family: Family, text: str) -> None:
        turn = post_message(self.http, self.base_url, family.conversation_id, family.token, text)
        assert turn.status == 200 and turn.kinds()[-1] == "done", turn.body

    def hand_off(self, family: Family, name: str = "Jan Jansen", email: str = "jan.jansen@example.org",
                 **fields: Any) -> str:
        body = {"name": name, "email": email, "consent": True, **fields}
        response = self.http.post(f"{self.base_url}/api/conversations/{family.conversation_id}/handoff",
                                  json=body, headers=auth(family.token))
        assert response.status_code == 201, response.text
        family.case_id = str(response.json()["case_id"])
        return family.case_id

    def open_case(self, locale: str = "en", before: tuple[str, ...] = (), **intake: Any) -> Family:
        family = self.new_family(locale)
        for text in (*before, "I want to talk to someone, please escalate"):
            self.say(family, text)
        self.hand_off(family, **intake)
        return family

    def family_messages(self, family: Family, after: int = 0) -> list[dict[str, Any]]:
        response = self.http.get(f"{self.base_url}/api/conversations/{family.conversation_id}/messages",
                                 params={"after": after}, headers=auth(family.token))
        assert response.status_code == 200, response.text
        return list(response.json()["messages"])

    # --- Slack ----------------------------------------------------------------------------------------
    def case(self, case_id: str) -> CaseView:
        case = self.cases.get(case_id)
        assert case is not None
        return case

    def card(self, case_id: str, timeout_s: float = 15.0) -> Message:
        """The case's card in the fake channel, once the outbox has posted it."""
        def posted() -> Message | None:
            case = self.cases.get(case_id)
            return self.slack.messages.get((CHANNEL, case.slack_ts)) if case and case.slack_ts else None

        return wait_until(posted, timeout_s, f"the card of {case_id}")  # type: ignore[no-any-return]

    def thread(self, case_id: str) -> list[Message]:
        card = self.card(case_id)
        return self.slack.replies(CHANNEL, card.ts)

    def staff_queue(self) -> str:
        return self.http.get(f"{self.base_url}/staff/cases", headers={"Authorization": f"Bearer {STAFF_TOKEN}"}).text

    def staff_page(self, case_id: str) -> httpx.Response:
        return self.http.get(f"{self.base_url}/staff/cases/{case_id}",
                             headers={"Authorization": f"Bearer {STAFF_TOKEN}"})


def slack_settings(data_dir: Path, slack: FakeSlack, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": data_dir, "slack_bot_token": BOT_TOKEN, "slack_signing_secret": SECRET,
        "slack_channel": CHANNEL, "slack_api_url": slack.base_url, "staff_token": STAFF_TOKEN,
        "public_base_url": "https://ipo.example.org", "rate_limit_per_minute_ip": 5000,
        "rate_limit_per_minute_conversation": 500, **overrides,
    }
    return Settings(**values)


@contextmanager
def slack_stack(tmp_path: Path, real_assistant: bool = False, slack: FakeSlack | None = None,
                assistant_delay_s: float = 0.0, **overrides: Any) -> Iterator[Stack]:
    """With ``real_assistant`` the shipped assistant answers (pass ``data_dir`` of a built index and a
    ``database_url``); otherwise the scripted FakeAssistant of the web tests. Pass ``slack`` to keep one
    FakeSlack across server restarts (the same ``tmp_path`` keeps the database)."""
    with ExitStack() as resources:
        fake = slack or resources.enter_context(FakeSlack())
        http = resources.enter_context(httpx.Client(timeout=httpx.Timeout(30.0, connect=5.0)))
        settings = slack_settings(overrides.pop("data_dir", tmp_path / "data"), fake, **overrides)
        app = create_app(settings, assistant_factory=None if real_assistant else fake_factory(assistant_delay_s))
        base_url = resources.enter_context(threaded_app(app))
        db = Database.from_url(settings.resolved_database_url)
        resources.callback(db.dispose)
        yield Stack(base_url, fake, SlackSender(http, base_url, SECRET, fake.root), http, settings, db)
