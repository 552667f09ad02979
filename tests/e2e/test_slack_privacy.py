"""Identifiers planted in conversations (11 languages) never reach Slack: not in a card, not in a thread, not in
any call. They are on the staff case page only. Erasure replaces what Slack shows with a stub."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant.storage.case_erasure import erase_case_content
from assistant.storage.models import utcnow
from tests.e2e.slack_stack import CHANNEL, Family, Stack, slack_stack, wait_until

pytestmark = pytest.mark.e2e

# (locale, intake name, e-mail, a message with identifiers, the identifiers that must never reach Slack)
PLANTED = [
    ("en", "Emily Carter", "emily.carter@example.com",
     "My name is Emily Carter, my son Oliver Carter was born on 12/03/2015. Call +44 7700 900123, passport "
     "533380006.", ["Carter", "Oliver", "emily.carter@", "12/03/2015", "900123", "533380006"]),
    ("nl", "Sanne de Vries", "sanne.devries@example.nl",
     "Mijn dochter Lotte is geboren op 3 maart 2016. BSN 111222333, bel 06-12345678, IBAN NL91 ABNA 0417 1643 00.",
     ["Lotte", "Vries", "3 maart 2016", "111222333", "12345678", "NL91", "0417 1643"]),
    ("de", "Thomas Müller", "t.mueller@example.de",
     "Ich heiße Thomas Müller, meine Tochter Lena ist am 15. März 2016 geboren. Reisepass C01X00T47, "
     "Tel. +49 151 23456789.", ["Müller", "Lena", "März 2016", "C01X00T47", "23456789", "mueller@"]),
    ("ru", "Ольга Петрова", "olga.petrova@example.ru",
     "Меня зовут Ольга Петрова, мой сын Иван родился 15 января 2016 г., паспорт 4509 123456, телефон "
     "+7 912 345-67-89.", ["Петрова", "Иван", "января 2016", "4509 123456", "345-67-89", "olga.petrova@"]),
    ("ar", "أحمد علي", "ahmed.ali@example.sa",
     "اسمي أحمد علي، ابني يوسف مولود في 05/06/2014، رقم جواز السفر A12345678، هاتف +966 50 123 4567",
     ["أحمد", "يوسف", "05/06/2014", "A12345678", "123 4567", "ahmed.ali@"]),
    ("tr", "Ayşe Yılmaz", "ayse.yilmaz@example.com.tr",
     "Benim adım Ayşe Yılmaz, oğlum Mehmet 15 Ocak 2016 doğumlu, T.C. kimlik no 12345678950, pasaport U12345678.",
     ["Yılmaz", "Mehmet", "Ocak 2016", "12345678950", "U12345678", "ayse.yilmaz@"]),
    ("es", "Lucía García", "lucia.garcia@example.es",
     "Me llamo Lucía García, mi hija Carmen nació el 15 de marzo de 2016. DNI 12345678Z, teléfono +34 612 345 678.",
     ["García", "Carmen", "marzo de 2016", "12345678Z", "612 345 678", "lucia.garcia@"]),
    ("pl", "Anna Kowalska", "anna.kowalska@example.pl",
     "Nazywam się Anna Kowalska, mój syn Bartosz, PESEL 16032512345, paszport EK1234567.",
     ["Kowalska", "Bartosz", "16032512345", "EK1234567", "anna.kowalska@"]),
    ("fr", "Claire Dubois", "claire.dubois@example.fr",
     "Je m'appelle Claire Dubois, ma fille Léa est née le 3 mars 2015, passeport 15AB12345.",
     ["Dubois", "Léa", "3 mars 2015", "15AB12345", "claire.dubois@"]),
    ("uk", "Оксана Шевченко", "oksana.sh@example.ua",
     "Мене звати Оксана Шевченко, моя донька Марія, тел. +380 67 123 45 67, народилася 12.05.2017.",
     ["Шевченко", "Марія", "123 45 67", "12.05.2017", "oksana.sh@"]),
    ("id", "Budi Santoso", "budi.santoso@example.co.id",
     "Nama saya Budi Santoso, anak saya bernama Siti, lahir 12 Maret 2015, NIK 3174012345678901.",
     ["Santoso", "Siti", "Maret 2015", "3174012345678901", "budi.santoso@"]),
]
MRZ = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
DIAGNOSIS = "acute lymphoblastic leukaemia, relapse"


@dataclass
class Planted:
    stack: Stack
    families: list[Family]


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Planted]:
    with slack_stack(tmp_path_factory.mktemp("privacy")) as stack:
        families = []
        for locale, name, email, message, _ in PLANTED:
            family = stack.open_case(locale=locale, before=(message,), name=name, email=email, diagnosis=DIAGNOSIS)
            stack.say(family, message)  # on the open case: relayed to the thread, redacted
            stack.say(family, f"{name} again, my e-mail is {email}; the lymphoblastic kind")
            stack.say(family, MRZ)
            families.append(family)
        wait_until(lambda: all(len(stack.thread(f.case_id or "")) == 3 for f in families), timeout_s=30,
                   what="every relayed message")
        yield Planted(stack, families)


@pytest.mark.parametrize(("locale", "name", "email", "message", "canaries"), PLANTED, ids=[p[0] for p in PLANTED])
def test_no_planted_identifier_reaches_slack(planted: Planted, locale: str, name: str, email: str, message: str,
                                             canaries: list[str]) -> None:
    sent = planted.stack.slack.everything_sent()
    leaked = [c for c in [*canaries, name, email, "ERIKSSON", "L898902C3", "lymphoblastic"] if c in sent]
    assert leaked == []


def test_the_cards_and_threads_exist_and_say_what_was_redacted(planted: Planted) -> None:
    assert len(planted.stack.slack.top_level(CHANNEL)) == len(PLANTED)
    for family in planted.families:
        texts = [m.text for m in planted.stack.thread(family.case_id or "")]
        assert "[name]" in texts[0] and ("[date]" in texts[0] or "[number]" in texts[0])
        assert "[passport]" in texts[2]


def test_the_staff_case_page_is_the_one_place_with_the_identifiers(planted: Planted) -> None:
    for family, (_, name, email, _, canaries) in zip(planted.families, PLANTED, strict=True):
        page = planted.stack.staff_page(family.case_id or "").text
        assert name in page and email in page and DIAGNOSIS.split(",")[0] in page and canaries[1] in page


def test_erasure_replaces_the_card_and_the_thread_with_stubs(tmp_path: Path) -> None:
    with slack_stack(tmp_path) as stack:
        locale, name, email, message, _ = PLANTED[1]
        family = stack.open_case(locale=locale, name=name, email=email)
        stack.say(family, message)
        wait_until(lambda: len(stack.thread(family.case_id or "")) == 1, what="the relayed message")
        card = stack.card(family.case_id or "")
        categories = stack.db.write(lambda s: erase_case_content(s, family.conversation_id, utcnow()))
        assert categories == ["case", "slack"]
        wait_until(lambda: "removed at the family's request" in stack.slack.messages[(CHANNEL, card.ts)].text,
                   what="the card's stub")
        wait_until(lambda: all("removed" in m.text for m in stack.slack.replies(CHANNEL, card.ts)),
                   what="the thread's stubs")
        shown = " ".join(f"{m.text} {m.blocks}" for m in stack.slack.messages.values())
        assert family.case_id in shown and "[name]" not in shown and "Family wrote" not in shown
        assert stack.cases.get(family.case_id or "") is None
        assert stack.staff_page(family.case_id or "").status_code == 404
