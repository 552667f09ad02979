"""Structured JSON logs that carry ids, sizes and timings, never a family's words or identifiers.

``configure_logging(level, path=None)`` is for entry points only (the server, the retention job, CLIs). It
puts one handler on the root logger and on uvicorn's loggers: JSON lines (``JsonFormatter``) behind a
``RedactingFilter`` that scrubs any identifier that slipped into a message, its arguments, an ``extra``
field or a traceback (e-mail, phone, dates, passport and national ids, IBAN, names after cue phrases).
Our own ids (conversation ids, case ids, Slack ids and timestamps) are kept so logs stay useful.

``dict_config(level, path)`` returns the same set-up as a ``logging.config.dictConfig`` mapping, for
``uvicorn --log-config FILE.json``.
"""

from __future__ import annotations

import json
import logging
import logging.config
import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .privacy.redaction import LABELS, Redactor, merge

# Ids we log on purpose: hex conversation ids, case ids, Slack user/channel ids after their key, Slack message
# timestamps and ISO timestamps. (A bare 'C01X00T47' may be a passport number: it is redacted.)
SAFE_TOKENS = re.compile(
    r"\b[0-9a-f]{16,64}\b|\bIPO-[A-Z0-9]{6,12}\b|\b(?:by|user|channel|team)[=: ]+[UCDGTWB][A-Z0-9]{8,11}\b|"
    r"\b\d{10}\.\d{6}\b|"
    r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?\b"
)
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime", "redacted"}


class LogScrubber:
    """Redacts identifiers in a log string, keeping the tokens in ``SAFE_TOKENS``."""

    def __init__(self, redactor: Redactor | None = None) -> None:
        self._redactor = redactor or Redactor()

    def __call__(self, text: str) -> str:
        kept = [(m.start(), m.end()) for m in SAFE_TOKENS.finditer(text)]
        spans = [s for s in self._redactor.find(text)
                 if not any(start <= s.start and s.end <= end for start, end in kept)]
        out, last = [], 0
        for span in merge(spans):
            out += [text[last:span.start], LABELS[span.kind]]
            last = span.end
        out.append(text[last:])
        return "".join(out)


class RedactingFilter(logging.Filter):
    """Scrubs the formatted message, string ``extra`` fields and exception text; marks what it changed."""

    def __init__(self, name: str = "", scrubber: LogScrubber | None = None) -> None:
        super().__init__(name)
        self._scrub = scrubber or LogScrubber()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = self._scrub(message)
        changed = clean != message
        record.msg, record.args = clean, None
        for key, value in list(record.__dict__.items()):
            if key not in _STANDARD and isinstance(value, str):
                scrubbed = self._scrub(value)
                changed |= scrubbed != value
                setattr(record, key, scrubbed)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            scrubbed = self._scrub(record.exc_text)
            changed |= scrubbed != record.exc_text
            record.exc_text = scrubbed
        record.redacted = changed
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, message, the record's ``extra`` fields, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "message": record.getMessage(),
        }
        entry.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD and _jsonable(v)})
        if getattr(record, "redacted", False):
            entry["redacted"] = True
        if record.exc_info or record.exc_text:
            entry["exc_type"] = record.exc_info[0].__name__ if record.exc_info and record.exc_info[0] else None
            entry["exc"] = record.exc_text or self.formatException(record.exc_info)  # type: ignore[arg-type]
        return json.dumps(entry, ensure_ascii=False, default=str)


def _jsonable(value: object) -> bool:
    return isinstance(value, (str, int, float, bool)) or value is None


UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")


def dict_config(level: str = "INFO", path: str | Path | None = None) -> dict[str, Any]:
    handler: dict[str, Any] = {"formatter": "json", "filters": ["redact"]}
    if path is None:
        handler.update({"class": "logging.StreamHandler", "stream": "ext://sys.stderr"})
    else:
        handler.update({"class": "logging.FileHandler", "filename": str(path), "encoding": "utf-8"})
    return {
        "version": 1, "disable_existing_loggers": False,
        "formatters": {"json": {"()": f"{__name__}.JsonFormatter"}},
        "filters": {"redact": {"()": f"{__name__}.RedactingFilter"}},
        "handlers": {"json": handler},
        "root": {"level": "WARNING", "handlers": ["json"]},
        "loggers": {"assistant": {"level": level.upper()}, "ingest": {"level": level.upper()},
                    **{name: {"level": "INFO", "handlers": ["json"], "propagate": False}
                       for name in UVICORN_LOGGERS}},
    }


def configure_logging(level: str = "INFO", path: str | Path | None = None) -> None:
    """JSON logs with redaction on stderr (or a file). Call once, from an entry point."""
    logging.config.dictConfig(dict_config(level, path))
    logging.captureWarnings(True)


def main() -> int:
    """``python -m assistant.logging_setup [LEVEL] [FILE]`` prints the dictConfig as JSON (for --log-config)."""
    level = sys.argv[1] if len(sys.argv) > 1 else "INFO"
    path = sys.argv[2] if len(sys.argv) > 2 else None
    print(json.dumps(dict_config(level, path), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
