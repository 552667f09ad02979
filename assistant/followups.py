"""Turn a follow-up ("and how much does that cost?") into a standalone query without an LLM."""

from __future__ import annotations

import re

from .text import word_count
from .types import Conversation

# Words that point back to an earlier turn, in the 11 reply languages (folded, lowercase).
_ANAPHORA = re.compile(
    r"\b(it|that|this|those|these|there|and|also|what about|how about|het|dat|die|dit|daar|en|ook|"
    r"это|этого|этом|там|а|и|ещё|это|це|цього|там|і|й|ще|bu|bunun|orada|ve|peki|itu|ini|sana|dan|juga|"
    r"to|tego|tam|a|i|też|eso|esto|allí|y|también|ça|cela|cette|ce|là|et|aussi|das|dies|dort|und|auch)\b",
    re.I,
)
_ARABIC_BACKREF = re.compile(r"(ذلك|هذا|هذه|هناك|و|أيضا|أيضاً)")


def is_followup(message: str, conversation: Conversation) -> bool:
    if not any(m.role == "user" and m.topic for m in conversation.messages):
        return False
    words = word_count(message)
    if words <= 4:
        return True
    return words <= 10 and bool(_ANAPHORA.search(message) or _ARABIC_BACKREF.search(message))


def standalone_query(message: str, conversation: Conversation) -> str:
    """The last user topic carried into the new message (the topic first, then the new question)."""
    if not is_followup(message, conversation):
        return message
    topic = next(m.topic for m in reversed(conversation.messages) if m.role == "user" and m.topic)
    return f"{topic} {message}"
