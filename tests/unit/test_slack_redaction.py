"""Identifier redaction in the 11 languages: what it removes, and what it leaves alone."""

from __future__ import annotations

import pytest

from assistant.privacy import Redactor

CASES = [
    ("en", "Hi, my name is Emily Carter and my daughter Grace was born on 12/03/2015. Call me on +44 7700 900123.",
     ["Emily", "Carter", "Grace", "12/03/2015", "900123"]),
    ("nl", "Mijn zoon Daan van der Berg is geboren op 3 maart 2016, BSN 111222333, mail daan.ouders@example.nl",
     ["Daan", "Berg", "3 maart 2016", "111222333", "daan.ouders@example.nl"]),
    ("de", "Ich heiße Thomas Müller, meine Tochter Lena ist am 15. März 2016 geboren, Reisepass C01X00T47.",
     ["Thomas", "Müller", "Lena", "15. März 2016", "C01X00T47"]),
    ("fr", "Je m’appelle Claire Dubois, mon fils Hugo est né le 3 mars 2015. IBAN FR14 2004 1010 0505 0001 3M02 606",
     ["Claire", "Dubois", "Hugo", "3 mars 2015", "FR14", "3M02"]),
    ("es", "Me llamo Lucía García y mi hija Carmen nació el 15 de marzo de 2016. DNI 12345678Z.",
     ["Lucía", "García", "Carmen", "15 de marzo de 2016", "12345678Z"]),
    ("pl", "Nazywam się Anna Kowalska, moja córka Zofia, PESEL 16032512345, tel. 601 234 567.",
     ["Anna", "Kowalska", "Zofia", "16032512345", "601 234 567"]),
    ("tr", "Benim adım Ayşe Yılmaz, kızım Elif 15 Ocak 2016 doğumlu, kimlik 12345678950.",
     ["Ayşe", "Yılmaz", "Elif", "15 Ocak 2016", "12345678950"]),
    ("ru", "Меня зовут Ольга Петрова, моя дочь Анна родилась 15 января 2016 г., паспорт 4509 123456.",
     ["Ольга", "Петрова", "Анна", "15 января 2016", "4509 123456"]),
    ("uk", "Мене звати Оксана Шевченко, мій син Тарас народився 12.05.2017, тел. +380 67 123 45 67.",
     ["Оксана", "Шевченко", "Тарас", "12.05.2017", "123 45 67"]),
    ("id", "Nama saya Budi Santoso, anak saya bernama Siti, lahir 12 Maret 2015, NIK 3174012345678901.",
     ["Budi", "Santoso", "Siti", "12 Maret 2015", "3174012345678901"]),
    ("ar", "اسمي أحمد علي، ابنتي مريم مولودة في 05/06/2014، رقم الهاتف 00966 50 123 4567",
     ["أحمد", "مريم", "05/06/2014", "123 4567"]),
]


@pytest.mark.parametrize(("language", "text", "identifiers"), CASES, ids=[c[0] for c in CASES])
def test_identifiers_are_removed_in_every_language(language: str, text: str, identifiers: list[str]) -> None:
    redacted = Redactor().redact(text)
    assert [i for i in identifiers if i in redacted] == []


def test_a_machine_readable_passport_zone_is_removed() -> None:
    mrz = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
    assert Redactor().redact(f"Here is the passport:\n{mrz}") == "Here is the passport:\n[passport]\n[passport]"


def test_known_identifiers_are_removed_wherever_they_appear() -> None:
    text = "sophie has a fever; Sophie de Vries asked, write to s.devries@example.org"
    redacted = Redactor().redact(text, known=["Sophie de Vries", "s.devries@example.org"])
    assert "ophie" not in redacted and "Vries" not in redacted and "example.org" not in redacted


@pytest.mark.parametrize("question", [
    "How much does proton therapy cost for a 5 year old?",
    "Wat kost een behandeling in het Prinses Máxima Centrum?",
    "Können wir mit zwei Kindern in das Ronald McDonald Haus?",
    "¿Cuánto tiempo dura el tratamiento de neuroblastoma?",
    "Какие документы нужны для визы в Нидерланды?",
    "هل يمكنني البقاء مع طفلي في المستشفى؟",
])
def test_ordinary_questions_pass_unchanged(question: str) -> None:
    assert Redactor().redact(question) == question


def test_overlapping_findings_become_one_label_the_most_specific() -> None:
    assert Redactor().redact("born 2015-03-12, passport 12345678") == "born [date], passport [number]"
    assert Redactor().redact("born 2015-03-12 12:00").startswith("born [date]")
