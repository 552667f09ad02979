"""What a document may put into a reply: text, never markup, foreign links or instructions to the assistant.

A page in the index can be wrong or poisoned (OWASP LLM01 indirect injection, LLM05 improper output handling).
``TextFilter.passage(text)`` cleans a passage before anyone reads it — the extractive answer, the language
model's context, the citation snippet: Markdown images, HTML (scripts and styles with their content),
``javascript:``/``data:`` links and links to hosts outside the allow-list are removed, and sentences that
address the assistant ("note to the AI: ignore your rules …") are dropped. ``TextFilter.reply(text)`` applies
the markup and link rules to generated text. Pure functions of their input; no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from .sentences import split_sentences

# The hospitals' own sites are always allowed; the sources of indexed documents are added at start-up.
DEFAULT_HOSTS = ("prinsesmaximacentrum.nl", "nki.nl", "avl.nl")

# Code blocks go with their content (to the end when never closed); other embedding tags go with their content
# when closed, else only the tag itself, so that `<svg/onload=…>` does not swallow the question after it.
_CODE = re.compile(r"<(script|style)\b.*?(?:</\1\s*>|\Z)", re.I | re.S)
_BLOCK = re.compile(r"<(iframe|object|embed|svg|template|math)\b(?:[^>]*/>|[^>]*>.*?</\1\s*>|[^>]*>?)", re.I | re.S)
_TAG = re.compile(r"</?[a-zA-Z][\w:-]*(?:[\s/][^<>]*)?/?>|<!--.*?(?:-->|\Z)", re.S)
_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)")
_LINK = re.compile(r"\[([^\]\n]+)\]\(([^)\s\n]+)(?:\s+\"[^\"\n]*\")?\)")
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>()\[\]\"']+(?<![.,;:!?])", re.I)  # no sentence's full stop
_SCHEME = re.compile(r"\b(?:javascript|vbscript|data|file):[^\s\]]*", re.I)
_SPACES = re.compile(r"[ \t]{2,}")

# Sentences written to a model rather than to a reader (documents are in our languages; these cues suffice
# for the ones indexed today and are cheap to extend).
_INSTRUCTION = re.compile("|".join((
    r"\b(?:ignore|disregard|forget|override|bypass)\b.{0,40}\b(?:rules?|instructions?|guidelines?|prompts?|"
    r"polic(?:y|ies)|previous|above)\b",
    r"\b(?:notes?|messages?|instructions?)\s+(?:to|for)\s+(?:the\s+|any\s+)?(?:ai|assistant|chat\s?bot|bot|"
    r"model|llm|language\s+model|gpt)\b",
    r"\b(?:system\s+prompt|jailbreak|you\s+are\s+now|developer\s+mode)\b",
    r"\btell\s+(?:every|all|each|any)\s+(?:famil(?:y|ies)|users?|parents?|patients?|visitors?)\b",
    r"\b(?:negeer|vergeet)\b.{0,40}\b(?:regels|instructies)\b",
    r"\b(?:ignoriere|ignorier|vergiss)\b.{0,40}\b(?:regeln|anweisungen)\b",
    r"\b(?:ignore[sz]?|oublie[sz]?)\b.{0,40}\b(?:règles|instructions|consignes)\b",
    r"\b(?:ignora|olvida)\b.{0,40}\b(?:reglas|instrucciones)\b",
    r"(?:игнорируй|забудь|ігноруй|забудь).{0,40}(?:правила|инструкции|інструкції)",
)), re.I | re.S)


class TextFilter:
    def __init__(self, allowed_hosts: Iterable[str] = ()) -> None:
        hosts = {h.lower().removeprefix("www.") for h in (*DEFAULT_HOSTS, *allowed_hosts) if h}
        self._hosts = frozenset(hosts)

    @classmethod
    def for_sources(cls, sources: Iterable[str]) -> TextFilter:
        """Allow links to the hosts the indexed documents come from."""
        return cls(urlsplit(s).hostname or "" for s in sources if s.startswith(("http://", "https://")))

    def allowed(self, url: str) -> bool:
        host = (urlsplit(url if "://" in url else f"https://{url}").hostname or "").lower().removeprefix("www.")
        return any(host == h or host.endswith(f".{h}") for h in self._hosts)

    def reply(self, text: str) -> str:
        """Markup and links a reply must not carry, removed; line breaks kept."""
        text = _CODE.sub(" ", text)
        text = _BLOCK.sub(" ", text)
        text = _IMAGE.sub(" ", text)
        text = _LINK.sub(lambda m: m.group(0) if self.allowed(m.group(2)) else m.group(1), text)
        text = _TAG.sub(" ", text)
        text = _SCHEME.sub(" ", text)
        text = _URL.sub(lambda m: m.group(0) if self.allowed(m.group(0)) else " ", text)
        return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))

    def passage(self, text: str) -> str:
        """A passage as readers and models may see it: ``reply`` cleaning, and no sentences to the assistant."""
        lines = []
        for line in self.reply(text).split("\n"):
            if is_instruction(line):
                line = " ".join(s for s in split_sentences(line) if not is_instruction(s))
            lines.append(line)
        return "\n".join(lines)


def is_instruction(text: str) -> bool:
    return bool(_INSTRUCTION.search(text))
