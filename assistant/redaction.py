"""Identifier redaction: what may leave the health-record boundary (Slack, logs) is scrubbed here first.

Own recognisers, multilingual, no downloads: e-mail addresses, machine-readable-zone lines, IBANs, dates
(numeric and with month names in our 11 languages), passport-like and national-id-like codes, long digit runs
(phone numbers, BSN, PESEL, T.C. kimlik, NIK, SNILS …), and names — best effort, after cue phrases ("my name
is", "mijn dochter", "меня зовут", "اسمي" …) and honorifics. Identifiers the caller already knows (the
intake's name and e-mail) are removed wherever they appear. It over-redacts rather than under-redacts: a
redacted Slack line is a small loss; a leaked passport number is not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
MRZ = re.compile(r"[A-Z0-9<]{5,}<<[A-Z0-9<]{5,}|[A-Z0-9<]{28,44}")
IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?\b")
NUMERIC_DATE = re.compile(r"\b(?:\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})|\d{4}[./-]\d{1,2}[./-]\d{1,2})\b")
# A code with both letters and digits, 6–14 characters (passports, DNI/NIE, document numbers).
MIXED_CODE = re.compile(r"\b(?=[A-Za-z0-9-]*\d)(?=[A-Za-z0-9-]*[A-Za-z])[A-Za-z0-9][A-Za-z0-9-]{4,12}[A-Za-z0-9]\b")
# Six or more digits, possibly split by spaces, dots, dashes, slashes or brackets; an optional leading +.
DIGIT_RUN = re.compile(r"(?<![\w])\+?\(?\d(?:[\s./()-]{0,2}\d){5,}(?![\w])")

_MONTHS = (
    # en, nl, de, fr, es, pl, tr, id (stems cover inflections and abbreviations)
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    "mei", "maart", "okt", "mrt", "mär", "märz", "mai", "dez", "janv", "févr", "fevr", "mars", "avr", "juin", "juil",
    "août", "aout", "sept", "déc", "ene", "abr", "ago", "dic", "enero", "febrero", "marzo", "abril", "mayo",
    "junio", "julio", "agosto", "septiembre", "setiembre", "octubre", "noviembre", "diciembre",
    "stycz", "lut", "marz", "kwie", "maj", "czerw", "lip", "sierp", "wrze", "paźdz", "pazdz", "listop", "grud",
    "ocak", "şubat", "subat", "mart", "nisan", "mayıs", "mayis", "haziran", "temmuz", "ağustos", "agustos",
    "eylül", "eylul", "ekim", "kasım", "kasim", "aralık", "aralik", "januari", "februari", "maret", "juni",
    "juli", "agustus", "oktober", "desember", "december", "november", "september",
    # ru, uk
    "январ", "феврал", "март", "апрел", "мая", "май", "июн", "июл", "август", "сентябр", "октябр", "ноябр",
    "декабр", "січ", "лют", "берез", "квіт", "травн", "червн", "лип", "серп", "верес", "жовт", "листопад",
    "груд",
    # ar (Gregorian and Levantine month names)
    "يناير", "فبراير", "مارس", "أبريل", "ابريل", "مايو", "يونيو", "يوليو", "أغسطس", "اغسطس", "سبتمبر",
    "أكتوبر", "اكتوبر", "نوفمبر", "ديسمبر", "كانون", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب",
    "أيلول", "تشرين",
)
_MONTH_ALTERNATIVES = "|".join(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True))
_MONTH = rf"(?:{_MONTH_ALTERNATIVES})[\w.]*"
TEXT_DATE = re.compile(
    rf"\b\d{{1,2}}(?:st|nd|rd|th|er|e|\.)?\s+(?:de\s+)?{_MONTH}\s+(?:de\s+)?\d{{4}}|"
    rf"\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}",
    re.IGNORECASE | re.UNICODE,
)

# Cue phrases after which a name follows (the name itself is what gets redacted).
_NAME_CUES = (
    r"my name is|my name's|i am called|i'm called|i am|i'm|this is|name\s*:|"
    r"my (?:son|daughter|child|kid|boy|girl|baby)(?:'s name is| is called| is named| named| called|,)?|"
    r"(?:his|her) name is|patient|mijn naam is|ik heet|ik ben|naam\s*:|"
    r"mijn (?:zoon|dochter|kind|zoontje|dochtertje)(?: heet)?|(?:hij|zij|ze) heet|"
    r"mein name ist|ich heiße|ich heisse|ich bin|(?:mein sohn|meine tochter|mein kind)(?: heißt| heisst)?|"
    r"(?:er|sie) heißt|(?:er|sie) heisst|je m'appelle|je m’appelle|mon nom est|je suis|"
    r"(?:mon fils|ma fille|mon enfant)(?: s'appelle| s’appelle)?|(?:il|elle) s'appelle|(?:il|elle) s’appelle|"
    r"me llamo|mi nombre es|soy|(?:mi hijo|mi hija|mi niño|mi niña)(?: se llama)?|se llama|"
    r"nazywam się|mam na imię|jestem|(?:mój syn|moja córka|moje dziecko)(?: ma na imię| nazywa się)?|"
    r"ma na imię|nazywa się|"
    r"меня зовут|мо[её] имя|(?:мой сын|моя дочь|мой ребёнок|мой ребенок)(?: зовут)?|(?:его|её|ее) зовут|"
    r"мене звати|моє ім['’]я|(?:мій син|моя донька|моя дочка|моя дитина)(?: звати)?|(?:його|її) звати|"
    r"benim adım|adım|oğlum(?:un adı)?|kızım(?:ın adı)?|çocuğum(?:un adı)?|"
    r"nama saya|(?:anak|putra|putri) saya(?: bernama)?|bernama|saya"
)
NAME_CUE = re.compile(rf"(?<!\w)(?:{_NAME_CUES})(?:\s+(?:is|heet|named|called|ist))?[\s,:]+", re.IGNORECASE)
HONORIFIC = re.compile(
    r"(?<!\w)(?:(?:mr|mrs|ms|miss|dr|herr|frau|mevrouw|meneer|dhr|mw|mevr|mme|mlle|sr|sra|señor|señora|"
    r"pan|pani|bay|bayan|bapak|ibu|pak|господин|госпожа|пан|пані)\.?|m\.)\s+",
    re.IGNORECASE,
)
ARABIC_CUE = re.compile(r"(?:اسمي|اسمه|اسمها|ابني|ابنتي|طفلي|طفلتي|ولدي|بنتي)\s+(?:هو\s+|هي\s+)?")
_WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
_PARTICLES = {"de", "van", "der", "den", "ten", "ter", "von", "zu", "da", "di", "dos", "das", "del", "la", "le",
              "al", "el", "bin", "ibn", "binti", "y"}
_ARABIC_WORD = re.compile(r"[\u0600-\u06ff]+")
_ARABIC_STOP = {"عمره", "عمرها", "مريض", "مريضة", "يبلغ", "تبلغ", "في", "من", "لديه", "لديها", "هو", "هي"}

LABELS = {"email": "[email]", "mrz": "[passport]", "iban": "[iban]", "date": "[date]", "code": "[id-number]",
          "number": "[number]", "name": "[name]",
          "known": "[redacted]"}


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str


def _capitalised_run(text: str, start: int, max_words: int = 4) -> int:
    """End of the run of capitalised words (with particles such as "de", "van der") from ``start``."""
    end, position = start, start
    for _ in range(max_words + 2):
        match = _WORD.match(text, position)
        if match is None:
            break
        word = match.group(0)
        if not word[0].isupper():
            if word.lower() not in _PARTICLES:
                break
            gap = re.match(r"[ \t]+", text[match.end():])
            position = match.end() + (gap.end() if gap else 0)
            continue
        end = match.end()
        gap = re.match(r"[ \t]+", text[end:])
        position = end + (gap.end() if gap else 0)
        if gap is None:
            break
    return end


def _arabic_run(text: str, start: int, max_words: int = 2) -> int:
    end, position = start, start
    for _ in range(max_words):
        match = _ARABIC_WORD.match(text, position)
        if match is None or match.group(0) in _ARABIC_STOP:
            break
        end = match.end()
        position = end + (1 if text[end:end + 1] == " " else 0)
    return end


class Redactor:
    """``redact(text, known=[...])`` → text with identifiers replaced by labels like ``[email]``."""

    def find(self, text: str, known: Iterable[str] = ()) -> list[Span]:
        spans: list[Span] = []
        for kind, pattern in (("email", EMAIL), ("mrz", MRZ), ("iban", IBAN), ("date", NUMERIC_DATE),
                              ("date", TEXT_DATE), ("code", MIXED_CODE), ("number", DIGIT_RUN)):
            spans += [Span(m.start(), m.end(), kind) for m in pattern.finditer(text)]
        for cue in (*NAME_CUE.finditer(text), *HONORIFIC.finditer(text)):
            end = _capitalised_run(text, cue.end())
            if end > cue.end():
                spans.append(Span(cue.end(), end, "name"))
        for cue in ARABIC_CUE.finditer(text):
            end = _arabic_run(text, cue.end())
            if end > cue.end():
                spans.append(Span(cue.end(), end, "name"))
        spans += self._known(text, known)
        return _merge(spans)

    def redact(self, text: str, known: Iterable[str] = ()) -> str:
        out, last = [], 0
        for span in self.find(text, known):
            out += [text[last:span.start], LABELS[span.kind]]
            last = span.end
        out.append(text[last:])
        return "".join(out)

    @staticmethod
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


_PRIORITY = ["mrz", "email", "iban", "date", "name", "known", "code", "number"]


def _merge(spans: list[Span]) -> list[Span]:
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
