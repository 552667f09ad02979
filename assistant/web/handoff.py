"""Talk to a person: the intake form → a case, only with consent; the reviewed confirmation comes back."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Depends, Request

from ..storage import Intake
from .deps import OwnedConversation, ServicesDep, limit_ip
from .errors import ApiError, request_language
from .schemas import HandoffIn, HandoffOut

log = logging.getLogger(__name__)
router = APIRouter()

CONSENT_VERSION = "web-1"  # bump when the privacy notice or consent sentence changes


@router.post("/conversations/{conversation_id}/handoff", status_code=201, tags=["chat"],
             dependencies=[Depends(limit_ip)])
def handoff(conversation_id: OwnedConversation, body: HandoffIn, request: Request,
            services: ServicesDep) -> HandoffOut:
    """Ask for a person. Needs ``consent: true``; stores the intake and opens (or updates) the case."""
    if body.consent is not True:
        raise ApiError(422, "consent", fields=["consent"])
    view = services.conversations.view(conversation_id, after=2**62)  # the conversation's fields only
    ui_language = request_language(request)
    language = body.preferred_language or (view.language if view else None) or ui_language or "en"
    intake = Intake(name=body.name, email=body.email, country=body.country or None, child_age=body.child_age,
                    diagnosis=body.diagnosis or None, preferred_language=body.preferred_language)
    case_id = services.intakes.open_case(conversation_id, intake, f"{CONSENT_VERSION}/{ui_language or 'en'}")
    text = services.templates.get("escalation_confirmation", language, case_id=case_id)
    message_id = services.conversations.add_message(conversation_id, "assistant", text, language, "handoff")
    services.cases.handed_off(conversation_id, case_id, language)  # staff handoff hook: open/update the case
    log.info("case %s opened for conversation %s (language=%s)", case_id, conversation_id, language)
    return HandoffOut(case_id=case_id, message=text, message_id=message_id)
