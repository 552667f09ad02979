"""Structured JSON logs: one object per line with ids, sizes and timings; identifiers that slip into a message,
its arguments, an ``extra`` field or a traceback are redacted; our own ids are kept."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from collections.abc import Iterator

import pytest

from assistant.logging_setup import JsonFormatter, RedactingFilter, dict_config
from tests.conftest import REPO_ROOT

CONVERSATION = "a3f9c2e1b7d84a6f9e0c1d2b3a4f5e6d"


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("assistant.tests.privacy_logging")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)


def entries(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_each_record_is_one_json_object_with_its_extra_fields(captured: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = captured
    logger.info("turn conversation=%s outcome=%s ms=%.0f", CONVERSATION, "done", 35.2,
                extra={"chars_in": 42, "route": "answer"})
    (entry,) = entries(stream)
    assert entry["level"] == "INFO" and entry["logger"] == "assistant.tests.privacy_logging"
    assert entry["message"] == f"turn conversation={CONVERSATION} outcome=done ms=35"
    assert entry["chars_in"] == 42 and entry["route"] == "answer" and "redacted" not in entry


def test_identifiers_in_messages_arguments_and_extras_are_redacted(captured: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = captured
    logger.warning("could not send to %s (%s)", "anna.kowalska@example.pl", "tel. 601 234 567",
                   extra={"note": "Mijn zoon Daan, BSN 111222333"})
    logger.info("case IPO-7K3M9Q2X closed by U0STAFF01 at ts 1712345678.123456 for conversation %s", CONVERSATION)
    first, second = entries(stream)
    text = json.dumps(first, ensure_ascii=False)
    assert "anna.kowalska" not in text and "234 567" not in text and "Daan" not in text and "111222333" not in text
    assert first["redacted"] is True and first["message"] == "could not send to [email] (tel. [phone])"
    assert second["message"] == ("case IPO-7K3M9Q2X closed by U0STAFF01 at ts 1712345678.123456 for conversation "
                                 f"{CONVERSATION}")


def test_a_traceback_is_redacted_too(captured: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = captured
    try:
        raise ValueError("bad value: passport C01X00T47 of Thomas Müller, born 15. März 2016")
    except ValueError:
        logger.exception("turn failed in conversation %s", CONVERSATION)
    (entry,) = entries(stream)
    assert entry["exc_type"] == "ValueError" and "Traceback" in str(entry["exc"])
    assert "C01X00T47" not in str(entry["exc"]) and "März 2016" not in str(entry["exc"])


def test_the_dict_config_routes_uvicorn_and_assistant_logs_through_the_redacting_json_handler(tmp_path) -> None:  # type: ignore[no-untyped-def]
    config = dict_config("INFO", tmp_path / "app.log")
    assert config["handlers"]["json"]["filters"] == ["redact"]
    assert config["loggers"]["uvicorn.access"]["handlers"] == ["json"]
    script = ("import logging; from assistant.logging_setup import configure_logging; configure_logging('INFO', "
              f"{str(tmp_path / 'app.log')!r}); logging.getLogger('uvicorn.access').info('%s - POST /api 200', "
              "'203.0.113.9:5555'); logging.getLogger('assistant.x').info('hello %s', 'me@example.org')")
    subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, check=True, timeout=60)
    lines = [json.loads(line) for line in (tmp_path / "app.log").read_text(encoding="utf-8").splitlines()]
    assert [entry["logger"] for entry in lines] == ["uvicorn.access", "assistant.x"]
    assert "me@example.org" not in lines[1]["message"] and "203.0.113.9" not in lines[0]["message"]
