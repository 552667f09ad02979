"""Canary identifiers planted in 8 languages through the real web API (real uvicorn, real assistant, Slack on
FakeSlack) never show up where they must not: not in any log line (JSON, with redaction), not in any call to
Slack, not in another family's conversation, not in the assistant's replies. Then each family asks, in its own
language, to delete its data: the conversation is gone and Slack shows a stub."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from assistant.privacy import LABELS
from tests.e2e.privacy_stack import LoggedServer, logged_server
from tests.e2e.slack_stack import CHANNEL, wait_until
from tests.e2e.sse_client import auth, post_message
from tests.fake_slack import FakeSlack

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

# locale, intake name, e-mail, first message (question + identifiers), a later message, a deletion request,
# and the canaries: every identifier in them that must never leave the health-record boundary.
PLANTED = [
    ("en", "Zebulon Quaxley", "zq.canary@example.org",
     "My name is Zebulon Quaxley, my son Orrin was born on 12/03/2015. Phone +44 7700 900461. What documents "
     "do we need?", "His passport is C01X00T47 and my IBAN is GB82 WEST 1234 5698 7654 32.",
     "Please delete my data and this conversation.",
     ["Quaxley", "Orrin", "zq.canary", "12/03/2015", "7700 900461", "C01X00T47", "GB82", "5698 7654"]),
    ("nl", "Wybrich Canarius", "wybrich.canarius@example.nl",
     "Mijn naam is Wybrich Canarius, mijn dochter Fenneke is geboren op 3 maart 2016. Welke documenten zijn "
     "nodig?", "BSN 111222333, bel 06-48213957, IBAN NL91 ABNA 0417 1643 00.",
     "Wilt u mijn gegevens en dit gesprek verwijderen?",
     ["Canarius", "Fenneke", "wybrich.canarius", "3 maart 2016", "111222333", "48213957", "NL91", "0417 1643"]),
    ("de", "Hiltrud Kanarienvogel", "hiltrud.kv@example.de",
     "Ich heiße Hiltrud Kanarienvogel, meine Tochter Wiebke ist am 15. März 2016 geboren. Welche Unterlagen "
     "braucht das Krankenhaus?", "Reisepass C02Y11U58, Telefon +49 151 73829164.",
     "Bitte löschen Sie meine Daten und dieses Gespräch.",
     ["Kanarienvogel", "Wiebke", "hiltrud.kv", "15. März 2016", "C02Y11U58", "73829164"]),
    ("ar", "زبرجد قنارية", "zabarjad.q@example.sa",
     "اسمي زبرجد قنارية، ابني يوسف مولود في 05/06/2014. ما هي الوثائق المطلوبة؟",
     "رقم جواز السفر A87654321، هاتف +966 50 918 2736", "أرجو حذف بياناتي وهذه المحادثة.",
     ["زبرجد", "يوسف", "zabarjad.q", "05/06/2014", "A87654321", "918 2736"]),
    ("ru", "Евлампия Канарейкина", "evlampia.k@example.ru",
     "Меня зовут Евлампия Канарейкина, мой сын Ипполит родился 15 января 2016 г. Какие документы нужны?",
     "Паспорт 4509 918273, телефон +7 912 846-19-37.", "Удалите, пожалуйста, мои данные и этот разговор.",
     ["Канарейкина", "Ипполит", "evlampia.k", "15 января 2016", "4509 918273", "846-19-37"]),
    ("tr", "Gülizar Kanaryaoğlu", "gulizar.k@example.com.tr",
     "Benim adım Gülizar Kanaryaoğlu, oğlum Tolunay 15 Ocak 2016 doğumlu. Hangi belgeler gerekiyor?",
     "T.C. kimlik no 10000000146, telefon +90 532 918 27 36.", "Lütfen verilerimi ve bu konuşmayı silin.",
     ["Kanaryaoğlu", "Tolunay", "gulizar.k", "15 Ocak 2016", "10000000146", "918 27 36"]),
    ("pl", "Bożydar Kanarkowski", "bozydar.k@example.pl",
     "Nazywam się Bożydar Kanarkowski, moja córka Wiesława urodziła się 14 maja 2014. Jakie dokumenty są "
     "potrzebne?", "PESEL 44051401359, tel. 601 918 273.", "Proszę usunąć moje dane i tę rozmowę.",
     ["Kanarkowski", "Wiesława", "bozydar.k", "14 maja 2014", "44051401359", "601 918 273"]),
    ("es", "Filomena Canariosa", "filomena.c@example.es",
     "Me llamo Filomena Canariosa y mi hija Anacleta nació el 15 de marzo de 2016. ¿Qué documentos hacen "
     "falta?", "DNI 12345678Z, teléfono +34 612 918 273.", "Por favor, borre mis datos y esta conversación.",
     ["Canariosa", "Anacleta", "filomena.c", "marzo de 2016", "12345678Z", "612 918 273"]),
]


@dataclass
class Family:
    locale: str
    conversation_id: str
    token: str
    canaries: list[str]
    case_id: str = ""
    replies: list[str] = field(default_factory=list)


@dataclass
class Planted:
    server: LoggedServer
    slack: FakeSlack
    http: httpx.Client
    families: list[Family]


def _say(http: httpx.Client, base_url: str, family: Family, text: str) -> str:
    turn = post_message(http, base_url, family.conversation_id, family.token, text, locale=family.locale)
    assert turn.status == 200 and turn.kinds()[-1] == "done", (turn.status, turn.body, turn.kinds())
    return turn.text()


@pytest.fixture(scope="module")
def planted(index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Planted]:
    work = tmp_path_factory.mktemp("privacy-canaries")
    with FakeSlack() as slack, logged_server(work, index_dir, slack) as server, \
            httpx.Client(timeout=httpx.Timeout(120.0, connect=5.0)) as http:
        families = []
        for locale, name, email, first, later, _, canaries in PLANTED:
            created = http.post(f"{server.base_url}/api/conversations", json={"locale": locale}).json()
            family = Family(locale, created["id"], created["token"], [*canaries, name, email])
            family.replies.append(_say(http, server.base_url, family, first))
            family.replies.append(_say(http, server.base_url, family, "I want to talk to a person, please."))
            response = http.post(f"{server.base_url}/api/conversations/{family.conversation_id}/handoff",
                                 json={"name": name, "email": email, "consent": True, "diagnosis": first},
                                 headers=auth(family.token))
            assert response.status_code == 201, response.text
            family.case_id = response.json()["case_id"]
            family.replies.append(_say(http, server.base_url, family, later))
            families.append(family)
        wait_until(lambda: len(slack.top_level(CHANNEL)) == len(PLANTED) and all(
            len(slack.replies(CHANNEL, m.ts)) >= 1 for m in slack.top_level(CHANNEL)), timeout_s=60,
            what="every card and every relayed message in Slack")
        yield Planted(server, slack, http, families)


def _hits(text: str, canaries: list[str]) -> list[str]:
    folded = text.casefold()
    return [c for c in canaries if c.casefold() in folded]


def everything_planted() -> list[str]:
    return [c for _, name, email, _, _, _, canaries in PLANTED for c in (*canaries, name, email)]


def test_every_log_line_is_json_and_holds_no_canary(planted: Planted) -> None:
    lines = planted.server.log_lines()
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    loggers = {entry["logger"] for entry in entries}
    assert {"uvicorn.access", "assistant.web.sse"} <= loggers, loggers  # the capture covers both
    leaked = [(entry["logger"], hit) for entry, line in zip(entries, lines, strict=True)
              for hit in _hits(line, everything_planted())]
    assert leaked == []
    print(f"canaries: {len(lines)} log lines from {len(loggers)} loggers scanned, 0 hits")


def test_no_call_to_slack_holds_a_canary(planted: Planted) -> None:
    sent = planted.slack.everything_sent()
    assert any(label in sent for label in LABELS.values())  # the family's words did reach Slack, redacted
    assert _hits(sent, everything_planted()) == []
    print(f"canaries: {len(planted.slack.calls)} Slack calls scanned, 0 hits")


def test_a_conversation_holds_only_its_own_family_s_words_and_replies_never_echo_identifiers(
        planted: Planted) -> None:
    for family in planted.families:
        response = planted.http.get(f"{planted.server.base_url}/api/conversations/{family.conversation_id}",
                                    headers=auth(family.token))
        assert response.status_code == 200
        messages = response.json()["messages"]
        own = " ".join(m["text"] for m in messages if m["role"] == "user")
        assert _hits(own, family.canaries)  # the family's own words are there, for the family
        others = [c for f in planted.families if f is not family for c in f.canaries]
        assert _hits(json.dumps(messages, ensure_ascii=False), others) == []
        assistant_text = " ".join(m["text"] for m in messages if m["role"] == "assistant")
        assert _hits(assistant_text + " ".join(family.replies), family.canaries) == []


def test_another_family_s_token_opens_nothing(planted: Planted) -> None:
    first, second = planted.families[0], planted.families[1]
    for path in ("", "/messages"):
        response = planted.http.get(f"{planted.server.base_url}/api/conversations/{second.conversation_id}{path}",
                                    headers=auth(first.token))
        assert response.status_code == 404 and _hits(response.text, second.canaries) == []


def test_a_deletion_request_in_each_language_erases_the_conversation_and_stubs_the_slack_card(
        planted: Planted) -> None:
    cards = {m.ts for m in planted.slack.top_level(CHANNEL)}
    for family, (_, _, _, _, _, deletion, _) in zip(planted.families, PLANTED, strict=True):
        turn = post_message(planted.http, planted.server.base_url, family.conversation_id, family.token, deletion,
                            locale=family.locale)
        assert turn.status == 200 and turn.first("done").get("erase") is True, (family.locale, turn.kinds())
        gone = planted.http.get(f"{planted.server.base_url}/api/conversations/{family.conversation_id}",
                                headers=auth(family.token))
        assert gone.status_code == 404
    wait_until(lambda: all("removed at the family's request" in planted.slack.messages[(CHANNEL, ts)].text
                           for ts in cards), timeout_s=60, what="every card replaced by a stub")
    shown = " ".join(f"{m.text} {m.blocks}" for m in planted.slack.messages.values())
    assert "[name]" not in shown and _hits(shown, everything_planted()) == []
