"""``start_handoff(settings, services)``: builds the staff handoff once, in the server's lifespan.

The case desk always runs (cases are kept and shown on the staff page with Slack off too) and becomes the
chat's ``services.cases`` hook. With Slack configured it also builds the bolt app, the listeners and the outbox
worker, and starts them; without, it says at start why Slack is off.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from ..cases import CaseDesk, ChatModelTranslator, Translator
from ..privacy import Redactor
from ..settings import Settings
from ..storage.case_workflow import CaseWorkflow
from ..storage.cases import CaseRepository
from ..storage.models import utcnow
from ..storage.outbox import OutboxRepository
from ..storage.scratch import discard_conversation
from ..storage.slack_receipts import SlackReceipts
from .app import SlackRuntime, build_bolt_app, build_web_client, slack_off_reason
from .ask import KnowledgeBase
from .listeners import SlackListeners
from .outbox import Backoff, OutboxWorker

if TYPE_CHECKING:
    from ..web.services import Services

log = logging.getLogger(__name__)

KEEP_RECEIPTS = timedelta(days=7)


def staff_url_for(settings: Settings) -> Callable[[str], str]:
    base = settings.public_base_url.rstrip("/")
    return lambda case_id: f"{base}/staff/cases/{case_id}"


@dataclass
class Handoff:
    desk: CaseDesk
    slack: SlackRuntime | None

    def close(self) -> None:
        if self.slack is not None:
            self.slack.close()


def build_translator(settings: Settings) -> Translator | None:
    if settings.llm_provider == "none":
        return None
    from ..adapters.llm import build_chat_model

    model = build_chat_model(settings)
    return ChatModelTranslator(model) if model is not None else None


def start_handoff(settings: Settings, services: Services, backoff: Backoff | None = None) -> Handoff:
    db = services.db
    off = slack_off_reason(settings)
    cases = CaseRepository(db)
    desk = CaseDesk(cases, CaseWorkflow(db, notify=off is None), services.intakes, Redactor(),
                    build_translator(settings))
    services.cases = desk
    if off is not None:
        log.info("Slack is off: %s. Cases are kept for the staff page only.", off)
        return Handoff(desk, None)
    assert settings.slack_channel is not None
    staff_url = staff_url_for(settings)
    outbox, receipts = OutboxRepository(db), SlackReceipts(db)

    def housekeeping() -> None:
        cutoff = utcnow() - KEEP_RECEIPTS
        receipts.prune(cutoff)
        outbox.prune_delivered(cutoff)

    worker = OutboxWorker(outbox, cases, build_web_client(settings, retries=False), settings.slack_channel,
                          staff_url, backoff=backoff, housekeeping=housekeeping)
    knowledge = KnowledgeBase(services.assistant.get, lambda cid: discard_conversation(db, cid))
    listeners = SlackListeners(desk, knowledge, receipts, staff_url, settings.slack_channel)
    runtime = SlackRuntime(settings, build_bolt_app(settings, build_web_client(settings, retries=True)),
                           listeners, worker)
    desk.on_change(worker.wake)
    runtime.start()
    return Handoff(desk, runtime)
