"""Names, best effort: the capitalised words after a cue phrase ("my name is", "mijn dochter", "меня зовут",
"اسمي" …) or an honorific, in the 11 languages. No model can be downloaded here, so names without a cue
are only caught when the caller already knows them (the intake's name: ``known=``)."""

from __future__ import annotations

import re
from collections.abc import Iterator

_CUES = (
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
NAME_CUE = re.compile(rf"(?<!\w)(?:{_CUES})(?:\s+(?:is|heet|named|called|ist))?[\s,:]+", re.IGNORECASE)
HONORIFIC = re.compile(
    r"(?<!\w)(?:(?:mr|mrs|ms|miss|dr|herr|frau|mevrouw|meneer|dhr|mw|mevr|mme|mlle|sr|sra|señor|señora|"
    r"pan|pani|bay|bayan|bapak|ibu|pak|господин|госпожа|пан|пані)\.?|m\.)\s+",
    re.IGNORECASE,
)
ARABIC_CUE = re.compile(r"(?:اسمي|اسمه|اسمها|ابني|ابنتي|طفلي|طفلتي|ولدي|بنتي)\s+(?:هو\s+|هي\s+)?")

_WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
_GAP = re.compile(r"[ \t]+")
_PARTICLES = {"de", "van", "der", "den", "ten", "ter", "von", "zu", "da", "di", "dos", "das", "del", "la", "le",
              "al", "el", "bin", "ibn", "binti", "y"}
_ARABIC_WORD = re.compile(r"[\u0600-\u06ff]+")
_ARABIC_STOP = {"عمره", "عمرها", "مريض", "مريضة", "يبلغ", "تبلغ", "في", "من", "لديه", "لديها", "هو", "هي",
                "مولود", "مولودة", "عنده", "عندها"}


def _capitalised_run(text: str, start: int, max_words: int = 4) -> int:
    """End of the run of capitalised words from ``start`` ("Anna", "Daan van der Berg"); ``start`` if none.

    The first word must be capitalised; particles such as "van der" count only between capitalised words."""
    end = position = start
    taken = 0
    while taken < max_words + 2:
        match = _WORD.match(text, position)
        if match is None:
            break
        word = match.group(0)
        if word[0].isupper():
            end, taken = match.end(), taken + 1
        elif not (end > start and word.lower() in _PARTICLES):
            break
        gap = _GAP.match(text, match.end())
        if gap is None:
            break
        position = gap.end()
    return end


def _arabic_run(text: str, start: int, max_words: int = 2) -> int:
    end = position = start
    for _ in range(max_words):
        match = _ARABIC_WORD.match(text, position)
        if match is None or match.group(0) in _ARABIC_STOP:
            break
        end = match.end()
        position = end + (1 if text[end:end + 1] == " " else 0)
    return end


def name_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of every name found after a cue phrase or an honorific."""
    for cue in (*NAME_CUE.finditer(text), *HONORIFIC.finditer(text)):
        end = _capitalised_run(text, cue.end())
        if end > cue.end():
            yield cue.end(), end
    for cue in ARABIC_CUE.finditer(text):
        end = _arabic_run(text, cue.end())
        if end > cue.end():
            yield cue.end(), end
