"""Identifier redaction in many languages: names after cue phrases, e-mail, phones, dates of birth, passports
(MRZ lines too), IBANs and national ids are removed; ordinary questions pass unchanged."""

from __future__ import annotations

import pytest

from assistant.privacy import Redactor, redact

# (language, text, the identifiers that must be gone)
CASES = [
    ("en", "Hello, my name is Emily Carter. My daughter Grace was born on March 3rd, 2015; "
           "e-mail emily.carter@example.co.uk, phone +44 (0)20 7946 0958.",
     ["Emily", "Carter", "Grace", "March 3rd, 2015", "emily.carter@", "7946", "0958"]),
    ("nl", "Mijn naam is Sanne de Vries, mijn zoontje Daan is geboren op 03-03-2016. Bel 06-12345678 of "
           "+31 (0)6 1234 5678. BSN 111222333, IBAN NL91 ABNA 0417 1643 00.",
     ["Sanne", "Vries", "Daan", "03-03-2016", "12345678", "1234 5678", "111222333", "NL91", "0417"]),
    ("de", "Mein Name ist Thomas Müller. Meine Tochter Lena ist am 15. März 2016 geboren. "
           "Reisepass C01X00T47, Telefon 0049 151 23456789.",
     ["Thomas", "Müller", "Lena", "15. März 2016", "C01X00T47", "23456789"]),
    ("fr", "Je m'appelle Claire Dubois, ma fille Léa est née le 3 mars 2015. Passeport 15AB12345, "
           "tél. 06 12 34 56 78.", ["Claire", "Dubois", "Léa", "3 mars 2015", "15AB12345", "12 34 56 78"]),
    ("es", "Me llamo Lucía García y mi hijo Pablo nació el 15 de marzo de 2016. DNI 12345678Z, "
           "teléfono +34 612 345 678.", ["Lucía", "García", "Pablo", "marzo de 2016", "12345678Z", "612 345 678"]),
    ("pl", "Nazywam się Anna Kowalska, moja córka Zofia urodziła się 14 maja 2014. PESEL 44051401359, "
           "tel. 601 234 567.", ["Anna", "Kowalska", "Zofia", "14 maja 2014", "44051401359", "601 234 567"]),
    ("tr", "Benim adım Ayşe Yılmaz, oğlum Mehmet 15 Ocak 2016 doğumlu. T.C. kimlik 10000000146, "
           "cep +90 532 123 45 67.", ["Ayşe", "Yılmaz", "Mehmet", "15 Ocak 2016", "10000000146", "123 45 67"]),
    ("ru", "Меня зовут Ольга Петрова, мой сын Иван родился 15 января 2016 г., паспорт 4509 123456, "
           "телефон +7 912 345-67-89.", ["Ольга", "Петрова", "Иван", "15 января 2016", "4509 123456", "345-67-89"]),
    ("uk", "Мене звати Оксана Шевченко, моя донька Марія народилася 12.05.2017, тел. +380 67 123 45 67.",
     ["Оксана", "Шевченко", "Марія", "12.05.2017", "123 45 67"]),
    ("id", "Nama saya Budi Santoso, anak saya bernama Siti, lahir 12 Maret 2015, NIK 3174015203950001.",
     ["Budi", "Santoso", "Siti", "12 Maret 2015", "3174015203950001"]),
    ("ar", "اسمي أحمد علي، ابنتي مريم مولودة في 05/06/2014، جواز السفر A12345678، الهاتف 00966 50 123 4567",
     ["أحمد", "مريم", "05/06/2014", "A12345678", "123 4567"]),
]


@pytest.mark.parametrize(("language", "text", "identifiers"), CASES, ids=[c[0] for c in CASES])
def test_identifiers_are_removed_in_every_language(language: str, text: str, identifiers: list[str]) -> None:
    redacted = redact(text)
    assert [i for i in identifiers if i in redacted] == [], redacted


def test_labels_say_what_was_removed() -> None:
    text = "my name is Emily Carter, emily@example.org, born 12/03/2015, +44 7700 900123, passport C01X00T47"
    assert redact(text) == "my name is [name], [email], born [date], [phone], passport [id-number]"


def test_machine_readable_zone_lines_of_a_passport_are_removed() -> None:
    td3 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
    td1 = "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<"
    assert redact(f"scan:\n{td3}") == "scan:\n[passport]\n[passport]"
    assert "ERIKSSON" not in redact(td1) and "D23145890" not in redact(td1)


def test_known_identifiers_are_removed_wherever_they_appear_in_any_case() -> None:
    text = "sophie has a fever; SOPHIE DE VRIES wrote from s.devries@example.org"
    redacted = redact(text, known=["Sophie de Vries", "s.devries@example.org"])
    assert "ophie" not in redacted.lower() and "vries" not in redacted.lower() and "example.org" not in redacted


@pytest.mark.parametrize("question", [
    "How long does 131I-MIBG therapy take, and is CAR-T given to children under 3?",
    "What are the conditions for a foreign child to be treated at the Máxima?",
    "Is living cost €50 per person per day? Can we pay 150.000 euro in advance?",
    "Wat kost een behandeling in het Prinses Máxima Centrum en hoe lang duurt de opname?",
    "Können wir mit zwei Kindern in das Ronald McDonald Haus? Wir kommen am 3. März.",
    "Je suis inquiète: combien de temps dure le traitement AMORE ?",
    "¿Cuánto tiempo dura el tratamiento de neuroblastoma? Soy de México.",
    "Ile kosztuje leczenie w 2025 roku i czy jest tłumacz?",
    "Hollanda'ya gelmek için vize gerekiyor mu? COVID-19 testi gerekli mi?",
    "Какие документы нужны для визы в Нидерланды?",
    "Які документи потрібні для лікування в Утрехті?",
    "Apakah ada penerjemah untuk keluarga dari Indonesia?",
    "هل يمكنني البقاء مع طفلي في المستشفى؟",
    "The application form asks for 2 documents; we sent them on Monday at 10:30.",
])
def test_ordinary_questions_pass_unchanged(question: str) -> None:
    assert Redactor().redact(question) == question


def test_amounts_of_money_are_not_mistaken_for_phone_numbers() -> None:
    assert redact("They said €150 000 or 1.250.000 EUR") == "They said €150 000 or 1.250.000 EUR"


def test_overlapping_findings_become_one_label_the_most_specific() -> None:
    assert redact("born 2015-03-12, passport 12345678") == "born [date], passport [number]"
    assert redact("born 2015-03-12 12:00").startswith("born [date]")
