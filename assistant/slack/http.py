"""``POST /slack/events``: Slack's events, interactions and slash commands in HTTP mode.

The request goes to bolt unchanged (bolt verifies the signature and answers 401 when it is bad or stale). Bolt
is synchronous, so it runs in a worker thread; the listeners acknowledge at once and work lazily. Without
Slack (or in Socket Mode) the endpoint answers 404.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from starlette.concurrency import run_in_threadpool
from starlette.responses import PlainTextResponse, Response

MAX_BODY_BYTES = 512 * 1024

router = APIRouter(include_in_schema=False)


@router.post("/slack/events")
async def slack_events(request: Request) -> Response:
    handoff = getattr(request.app.state, "handoff", None)
    slack = handoff.slack if handoff is not None else None
    if slack is None or not slack.accepts_http():
        return PlainTextResponse("Slack is not configured on this server.", status_code=404)
    declared = request.headers.get("content-length", "0")
    if not declared.isdigit() or int(declared) > MAX_BODY_BYTES:
        return PlainTextResponse("Request too large.", status_code=413)
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        return PlainTextResponse("Request too large.", status_code=413)
    response = await run_in_threadpool(slack.dispatch, to_bolt_request(request, body))
    return to_starlette_response(response)


def install_slack(app: FastAPI) -> None:
    """Mount ``/slack/events``; the handoff itself is started in the lifespan (``runtime.start_handoff``)."""
    app.include_router(router)
