"""BM25: the vectorised inverted index ranks exactly like the textbook formula, and tokenises like ``tokens``."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from assistant.lexical import BM25Index, _Tokenizer
from assistant.text import tokens

TEXTS = [
    "The Princess Máxima Center treats children with cancer.",
    "Kosten van de behandeling: een betalingsgarantie is nodig.",
    "Payment guarantee and cost estimate before the treatment starts.",
    "Parents can stay at the Ronald McDonald House during treatment.",
    "MIBG therapy: radioactive iodine; the child stays in a shielded room.",
    "Treatment treatment treatment, and more treatment.",
    "",
    "كيف يمكنني التقديم للعلاج؟ العلاج في مركز الأميرة ماكسيما",
]


def reference(texts: list[str], query: str, k1: float = 1.4, b: float = 0.75) -> list[tuple[int, float]]:
    docs = [Counter(tokens(t)) for t in texts]
    lengths = np.array([sum(d.values()) for d in docs], dtype=np.float32)
    norm = k1 * (1 - b + b * lengths / max(float(lengths.mean()), 1e-9))
    scores: dict[int, float] = {}
    for term in set(tokens(query)):
        having = [n for n, d in enumerate(docs) if term in d]
        idf = math.log(1 + (len(texts) - len(having) + 0.5) / (len(having) + 0.5))
        for n in having:
            tf = np.float32(docs[n][term])
            scores[n] = scores.get(n, 0.0) + float(idf * tf * (k1 + 1) / (tf + norm[n]))
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


def test_scores_and_order_match_the_textbook_formula() -> None:
    index = BM25Index(TEXTS)
    for query in ("treatment", "payment guarantee treatment", "behandeling kosten", "Maxima children",
                  "العلاج", "nothing matches this", ""):
        got, expected = index.search(query, 5), reference(TEXTS, query)[:5]
        assert [d for d, _ in got] == [d for d, _ in expected]
        assert np.allclose([s for _, s in got], [s for _, s in expected], rtol=1e-6)


def test_ties_are_broken_by_document_number_and_k_is_respected() -> None:
    index = BM25Index(["same words here", "same words here", "same words here", "other"])
    assert [d for d, _ in index.search("same words", 2)] == [0, 1]
    assert index.search("same", 0) == []


def test_a_mask_keeps_only_the_allowed_documents() -> None:
    index = BM25Index(TEXTS)
    mask = np.array([n % 2 == 1 for n in range(len(TEXTS))])
    got = index.search("treatment payment", 10, mask)
    assert got and all(mask[d] for d, _ in got)
    assert [d for d, _ in got] == [d for d, _ in reference(TEXTS, "treatment payment") if mask[d]]


def test_an_empty_index_finds_nothing() -> None:
    assert BM25Index([]).search("anything", 5) == []


def test_tokenising_by_whitespace_groups_gives_the_tokens_of_the_whole_text() -> None:
    tricky = ["Máxima\u00a0Center", "naïve co\u0301operation", "a¨b ﬁnal ½ ²", "ΟΔΟΣ ΟΔΟΣ.", "x\u2003y\tz\nw",
              "مَرْحَبًا بِكُمْ", "İstanbul'da tedavi", "CAR-T, 131I-MIBG; e-mail: ipo@example.org"]
    tokenize = _Tokenizer()
    for text in tricky + TEXTS:
        assert tokenize(text) == tokens(text)
        assert tokenize(text) == tokens(text)  # served from the cache the second time
