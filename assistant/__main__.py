"""`python -m assistant`: a terminal chat that shows route, reply and citations.

Builds the index from knowledge/ first when none exists yet, so one command starts the assistant.
"""

from __future__ import annotations

import argparse
import logging
import sys

from .errors import AssistantError, IndexNotReadyError
from .settings import load_settings


def ensure_index() -> None:
    """Run ingestion once when no index exists (imports ingest lazily: only the CLI entry does this)."""
    from ingest.__main__ import main as ingest_main

    code = ingest_main(["--quiet"])
    if code not in (0, 1):
        raise SystemExit(code)


def render_turn(events: list) -> str:  # type: ignore[type-arg]
    lines = []
    for event in events:
        if event.kind == "route":
            lines.append(f"[route: {event.data['route']} · {event.data['reason']} · {event.data['language']}]")
    lines.append("".join(e.data["text"] for e in events if e.kind == "text"))
    for event in events:
        if event.kind == "citations" and event.data["items"]:
            lines.append("Sources:")
            lines += [f"  [{c['n']}] {c['title']} — {c['source']}" for c in event.data["items"]]
        if event.kind == "escalation":
            lines.append(f"[handoff offered to IPO staff: {event.data['reason']}, urgency {event.data['urgency']}]")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant", description=__doc__)
    parser.add_argument("--ask", help="answer one question and exit")
    parser.add_argument("--locale", help="locale hint such as 'nl' or 'ar'")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    from .wiring import build_assistant

    settings = load_settings()
    try:
        assistant = build_assistant(settings)
    except IndexNotReadyError:
        print("Building the index from knowledge/ (first run)…", file=sys.stderr)
        ensure_index()
        assistant = build_assistant(settings)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    conversation = assistant.new_conversation()
    if args.ask:
        print(render_turn(list(assistant.respond(conversation, args.ask, args.locale))))
        return 0
    print("IPO Assistant — ask in your language (empty line or Ctrl-D to quit).")
    while True:
        try:
            message = input("\nyou> ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if not message:
            return 0
        print(render_turn(list(assistant.respond(conversation, message, args.locale))))


if __name__ == "__main__":
    sys.exit(main())
