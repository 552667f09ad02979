"""Identifier redaction: what leaves the health-record boundary (logs, metrics, Slack) is scrubbed here first.

Own recognisers, multilingual, no downloads (see ``patterns.py``, ``names.py``, ``checksums.py``): e-mail
addresses, machine-readable-zone lines, IBANs (mod-97), national ids with check digits (BSN, T.C. kimlik,
PESEL, NIK, DNI/NIE), dates (numeric and with month names in our 11 languages), passport-like codes, phone
numbers and other long digit runs, and names after cue phrases. Identifiers the caller already knows (the
intake's name and e-mail) are removed wherever they appear. It over-redacts rather than under-redacts: a
redacted Slack line is a small loss; a leaked passport number is not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .checksums import compact, iban_valid, national_id_valid
from .names import name_spans
from .patterns import DIGIT_RUN, EMAIL, IBAN, MIXED_CODE, MRZ, NUMERIC_DATE, PHONE_CUE, TEXT_DATE

LABELS = {"email": "[email]", "mrz": "[passport]", "iban": "[iban]", "national_id": "[national-id]",
          "date": "[date]", "code": "[id-number]", "phone": "[phone]", "number": "[number]", "name": "[name]",
          "known": "[redacted]"}
# When findings overlap, the merged span takes the most specific label.
_PRIORITY = ["mrz", "email", "iban", "national_id", "date", "name", "known", "phone", "code", "number"]


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str


class Redactor:
    """``redact(text, known=[...])`` → the text with identifiers replaced by labels like ``[email]``."""

    def find(self, text: str, known: Iterable[str] = ()) -> list[Span]:
        spans = [Span(m.start(), m.end(), "email") for m in EMAIL.finditer(text)]
        spans += [Span(m.start(), m.end(), "mrz") for m in MRZ.finditer(text)]
        spans += [Span(m.start(), m.end(), "iban") for m in IBAN.finditer(text) if iban_valid(m.group(0))]
        spans += [Span(m.start(), m.end(), "date") for p in (NUMERIC_DATE, TEXT_DATE) for m in p.finditer(text)]
        spans += [Span(m.start(), m.end(), _code_kind(m.group(0))) for m in MIXED_CODE.finditer(text)]
        spans += [Span(m.start(1), m.end(1), "phone") for m in PHONE_CUE.finditer(text)]
        spans += [Span(m.start(), m.end(), _number_kind(m.group(0))) for m in DIGIT_RUN.finditer(text)]
        spans += [Span(start, end, "name") for start, end in name_spans(text)]
        spans += _known(text, known)
        return merge(spans)

    def redact(self, text: str, known: Iterable[str] = ()) -> str:
        out, last = [], 0
        for span in self.find(text, known):
            out += [text[last:span.start], LABELS[span.kind]]
            last = span.end
        out.append(text[last:])
        return "".join(out)

    def contains_identifier(self, text: str) -> bool:
        return bool(self.find(text))


_DEFAULT = Redactor()


def redact(text: str, known: Iterable[str] = ()) -> str:
    """The text with every identifier found replaced by a label (module-level convenience)."""
    return _DEFAULT.redact(text, known)


def _number_kind(value: str) -> str:
    digits = compact(value)
    if national_id_valid(digits):
        return "national_id"
    return "phone" if value.lstrip().startswith(("+", "00", "(")) else "number"


def _code_kind(value: str) -> str:
    return "national_id" if national_id_valid(value) else "code"


def _known(text: str, known: Iterable[str]) -> list[Span]:
    terms: set[str] = set()
    for value in known:
        value = (value or "").strip()
        if len(value) >= 3:
            terms.add(value)
            terms.update(part for part in re.split(r"[\s,;]+", value) if len(part) >= 3 and "@" not in part)
    spans = []
    for term in sorted(terms, key=len, reverse=True):
        for match in re.finditer(rf"(?<!\w){re.escape(term)}(?!\w)", text, re.IGNORECASE):
            spans.append(Span(match.start(), match.end(), "email" if "@" in term else "known"))
    return spans


def merge(spans: list[Span]) -> list[Span]:
    """Overlapping spans become one, labelled by the most specific kind among them (a date over a number)."""
    merged: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            kind = min(last.kind, span.kind, key=_PRIORITY.index)
            merged[-1] = Span(last.start, max(last.end, span.end), kind)
        else:
            merged.append(span)
    return merged
