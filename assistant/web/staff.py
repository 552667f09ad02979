"""The staff case pages: ``/staff/cases`` (the queue) and ``/staff/cases/{id}`` (intake, full conversation,
history). The only place a family's identifiers are shown.

Authentication: ``IPO_STAFF_TOKEN`` as a bearer token, or as the password of HTTP basic auth (any user name;
browsers prompt for it). Without a token configured the pages do not exist (404). Failed sign-ins count
against the per-IP rate limit. Next step: the hospital's single sign-on (OIDC) in front of ``/staff/`` with
per-person accounts, which also puts a name on every page view in an access log.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import logging
from datetime import datetime
from html import escape
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Header, Request
from starlette.responses import HTMLResponse

from ..storage.cases import CaseRepository, CaseView
from .deps import MAX_ID_CHARS, ServicesDep, client_ip
from .ratelimit import retry_after_header

log = logging.getLogger(__name__)
router = APIRouter(prefix="/staff", include_in_schema=False)
NO_STORE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"}


class StaffAuthError(Exception):
    def __init__(self, status: int, headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.status, self.headers = status, headers or {}


def presented_secret(authorization: str | None) -> str | None:
    """The token from ``Bearer <token>`` or the password from ``Basic base64(user:password)``."""
    scheme, _, value = (authorization or "").partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer" and value:
        return value
    if scheme.lower() == "basic" and value:
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return decoded.partition(":")[2] or None
    return None


def require_staff(request: Request, services: ServicesDep,
                  authorization: Annotated[str | None, Header()] = None) -> None:
    expected = services.settings.staff_token
    if not expected:
        raise StaffAuthError(404)
    presented = presented_secret(authorization)
    if presented is not None and hmac.compare_digest(presented.encode(), expected.encode()):
        return
    wait = services.limits.per_ip.hit(f"staff:{client_ip(request)}")
    if wait is not None:
        raise StaffAuthError(429, retry_after_header(wait))
    log.warning("staff page: sign-in refused for %s", client_ip(request))
    raise StaffAuthError(401, {"WWW-Authenticate": 'Basic realm="IPO staff", charset="UTF-8"'})


StaffOnly = Depends(require_staff)


def _page(title: str, body: str, status: int = 200, headers: dict[str, str] | None = None) -> HTMLResponse:
    html = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<meta name="robots" content="noindex"></head><body><main>{body}</main></body></html>')
    return HTMLResponse(html, status_code=status, headers={**NO_STORE, **(headers or {})})


def _when(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC" if moment else "—"


def _rows(pairs: list[tuple[str, object]]) -> str:
    cells = "".join(f"<tr><th>{escape(k)}</th><td>{escape('—' if v is None else str(v))}</td></tr>" for k, v in pairs)
    return f"<table>{cells}</table>"


def _case_table(case: CaseView) -> str:
    return _rows([("Status", case.status), ("Urgency", case.urgency), ("Reason", case.reason),
                  ("Language", case.language), ("Assignee (Slack)", case.assignee), ("Summary", case.summary),
                  ("Escalations", case.escalations), ("Opened", _when(case.created_at)),
                  ("Claimed", _when(case.claimed_at)), ("Resolved", _when(case.resolved_at))])


def slack_status(request: Request) -> str:
    """How new cases reach staff right now (shown on the queue, so staff see when Slack is not connected)."""
    handoff = getattr(request.app.state, "handoff", None)
    slack = getattr(handoff, "slack", None)
    if slack is None:
        return "Slack: off (cases are listed on this page only)"
    connected = slack.socket_connected()
    if connected is None:
        return "Slack: on (HTTP events)"
    return ("Slack: on (Socket Mode connected)" if connected
            else "Slack: Socket Mode NOT connected — retrying; cards are still posted, buttons wait for the connection")


@router.get("/cases", dependencies=[StaffOnly])
def queue(request: Request, services: ServicesDep) -> HTMLResponse:
    cases = CaseRepository(services.db).queue(200)
    items = "".join(f'<li><a href="/staff/cases/{escape(c.id)}">{escape(c.id)}</a> — {escape(c.urgency)}, '
                    f"{escape(c.status)}, {escape(c.language)}, {escape(c.reason)}</li>" for c in cases)
    status = f'<p id="slack-status">{escape(slack_status(request))}</p>'
    return _page("IPO cases", f"<h1>Open cases</h1>{status}<ul>{items or '<li>None.</li>'}</ul>")


@router.get("/cases/{case_id}", dependencies=[StaffOnly])
def case_page(case_id: str, services: ServicesDep) -> HTMLResponse:
    repository = CaseRepository(services.db)
    case = repository.get(case_id) if len(case_id) <= MAX_ID_CHARS else None
    if case is None:
        return _page("Not found", "<h1>No such case</h1><p>It may have been erased at the family's request.</p>",
                     status=404)
    intake = services.intakes.get(case.conversation_id)
    view = services.conversations.view(case.conversation_id)
    log.info("staff page: case %s viewed", case.id)
    intake_html = _rows([("Name", intake.name), ("E-mail", intake.email), ("Country", intake.country),
                         ("Child's age", intake.child_age), ("Diagnosis", intake.diagnosis),
                         ("Preferred language", intake.preferred_language)]) if intake else "<p>No intake.</p>"
    messages = "".join(
        f"<li><strong>{escape(m.role)}</strong> <small>{escape(_when(m.created_at))}</small><p>{escape(m.text)}</p></li>"
        for m in (view.messages if view else []))
    history = "".join(
        f"<li>{escape(_when(h.at))} — {escape(h.kind)}{' by ' + escape(h.actor) if h.actor else ''}"
        f"{': ' + escape(h.note) if h.note else ''}</li>" for h in repository.history(case.id))
    body = (f"<h1>Case {escape(case.id)}</h1>{_case_table(case)}<h2>Intake</h2>{intake_html}"
            f"<h2>Conversation</h2><ol>{messages}</ol><h2>History</h2><ol>{history}</ol>")
    return _page(f"Case {case.id}", body)


def install_staff_pages(app: FastAPI) -> None:
    @app.exception_handler(StaffAuthError)
    async def _refused(request: Request, exc: StaffAuthError) -> HTMLResponse:
        titles = {401: "Staff sign-in required", 404: "Not found", 429: "Too many attempts"}
        title = titles.get(exc.status, "Refused")
        return _page(title, f"<h1>{escape(title)}</h1>", status=exc.status, headers=exc.headers)

    app.include_router(router)
