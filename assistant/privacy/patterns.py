"""Regular expressions for identifiers in the 11 languages (no downloads, no NLP models).

Each recogniser finds candidates; ``redaction.py`` labels them, using the checksums in ``checksums.py`` to
tell an IBAN or a national id from any other long number. The patterns lean towards finding too much.
"""

from __future__ import annotations

import re

EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Machine-readable zone lines of passports and ID cards (TD1/TD2/TD3): filler '<' is the giveaway.
MRZ = re.compile(r"(?<![A-Z0-9<])(?=[A-Z0-9<]*<)[A-Z0-9<]{5,}<<[A-Z0-9<]{2,}|(?=[A-Z0-9<]*\d)(?=[A-Z0-9<]*<)"
                 r"[A-Z0-9<]{28,44}")
IBAN = re.compile(r"\b[A-Za-z]{2}\d{2}(?:[ ]?[A-Za-z0-9]{4}){2,7}(?:[ ]?[A-Za-z0-9]{1,3})?\b")
NUMERIC_DATE = re.compile(
    r"(?<![\w/.-])(?:\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})|\d{4}[./-]\d{1,2}[./-]\d{1,2})(?![\w/-])")
# A code holding letters and at least four digits, 6–14 characters: passports, DNI/NIE, document numbers.
MIXED_CODE = re.compile(r"\b(?=(?:[A-Za-z-]*\d){4})(?=[A-Za-z0-9-]*[A-Za-z])[A-Za-z0-9][A-Za-z0-9-]{4,12}[A-Za-z0-9]\b")
# Six or more digits, possibly split by spaces, dots, dashes, slashes or brackets, an optional leading + or 00:
# phone numbers and national ids. Not an amount of money (a currency sign before it or a currency after it).
DIGIT_RUN = re.compile(
    r"(?<![\w€$£.,])\+?\(?\d(?:[\s./()-]{0,2}\d){5,}(?![\w])(?!\s?(?:€|eur\b|euro|usd|\$|£))", re.IGNORECASE)
# A phone number written with words around it: "tel. 601 234 567", "phone: 555 1234" (five digits or more).
PHONE_CUE = re.compile(r"(?:\b(?:tel|phone|telephone|telefoon|telefon|teléfono|téléphone|тел|телефон|هاتف)"
                       r"\w*\.?:?\s*)(\+?\(?\d(?:[\s./()-]{0,2}\d){4,})", re.IGNORECASE)

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
# "3 maart 2016", "15. März 2016", "15 de marzo de 2016", "March 3rd, 2016", "15 января 2016", "5 مايو 2014"
TEXT_DATE = re.compile(
    rf"\b\d{{1,2}}(?:st|nd|rd|th|er|e|\.)?\s+(?:de\s+)?{_MONTH}\s+(?:de\s+)?\d{{4}}|"
    rf"\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}",
    re.IGNORECASE | re.UNICODE,
)
