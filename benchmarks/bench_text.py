"""How long every course.text measure takes on the full article (budget: 50 ms in all).

The budget applies to the whole set: every measure run once, in sequence, on a text
course.text has not seen (its small caches emptied first), as a notebook does when it meets a
new text. Each measure is also timed alone, cold (caches emptied) and warm (the same text
again). Also times lexicon counting against a naive baseline in the same process: one regular
expression per term, run over the whole text (what a learner might write first).

Run: PYTHONPATH=. .venv/bin/python benchmarks/bench_text.py
"""

import re
import statistics
import time

from course import article
from course import text as T

LEXICONS = ["attribution", "boosters", "emotive", "hedges", "informal", "intensifiers", "vague-quantifiers"]
RUNS = 21


def clear_caches() -> None:
    for cached in (T._flat, T._positions, T._index, T._syllables_word, T._syllables_part):
        cached.cache_clear()


def median_ms(fn, runs: int = RUNS, cold: bool = False) -> float:
    times = []
    fn()  # warm-up: imports, lexicon files
    for _ in range(runs):
        if cold:
            clear_caches()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def naive_count(text: str, terms) -> int:
    """One case-insensitive whole-word regex per term; overlapping terms are counted twice."""
    text = text.replace("’", "'")
    total = 0
    for term in terms:
        pattern = r"(?<![\w'-])" + r"\s+".join(map(re.escape, term.split())) + r"(?![\w'-])"
        total += len(re.findall(pattern, text, flags=re.IGNORECASE))
    return total


def main() -> None:
    body = article().text
    sents = [s.text for s in article().sentences]
    lexicons = [T.lexicon(n) for n in LEXICONS]

    measures = {
        "tokens": lambda: T.tokens(body),
        "sentences": lambda: T.sentences(body),
        "count x7": lambda: [T.count(body, lex) for lex in lexicons],
        "matches x7": lambda: [T.matches(body, lex) for lex in lexicons],
        "density x7": lambda: [T.density(body, lex) for lex in lexicons],
        "ngrams(3)": lambda: T.ngrams(T.tokens(body, lower=True), 3),
        "repeated_phrases": lambda: T.repeated_phrases(body),
        "repeated_share": lambda: T.repeated_share(body),
        "shingles+jaccard": lambda: T.jaccard(T.shingles(sents[0]), T.shingles(body)),
        "near_duplicates": lambda: T.near_duplicates(sents),
        "syllables (every word)": lambda: [T.syllables(w) for w in T.tokens(body)],
        "flesch_reading_ease": lambda: T.flesch_reading_ease(body),
        "flesch_kincaid_grade": lambda: T.flesch_kincaid_grade(body),
    }
    words = len(T.tokens(body))
    print(f"course.text on the article ({words} words, {len(sents)} sentences), median of {RUNS} runs:")
    print(f"  {'measure':24s} {'cold':>7s}    {'warm':>7s}")
    cold_total = warm_total = 0.0
    for name, fn in measures.items():
        cold, warm = median_ms(fn, cold=True), median_ms(fn)
        cold_total += cold
        warm_total += warm
        print(f"  {name:24s} {cold:7.2f} ms {warm:7.2f} ms")
    print(f"  {'sum of the above':24s} {cold_total:7.2f} ms {warm_total:7.2f} ms")
    everything = median_ms(lambda: [fn() for fn in measures.values()], cold=True)
    verdict = "within" if everything <= 50 else "OVER"
    print(f"\nall measures in sequence on a fresh text: {everything:.1f} ms median ({verdict} the 50 ms budget)")

    ours = median_ms(lambda: [T.count(body, lex) for lex in lexicons], cold=True)
    naive = median_ms(lambda: [naive_count(body, lex.terms) for lex in lexicons])
    n_ours = sum(T.count(body, lex) for lex in lexicons)
    n_naive = sum(naive_count(body, lex.terms) for lex in lexicons)
    print(f"\ncounting 7 lexicons ({sum(map(len, lexicons))} terms):")
    print(f"  course.text.count (cold) {ours:7.2f} ms  ({n_ours} matches)")
    print(f"  naive regex per term     {naive:7.2f} ms  ({n_naive} matches; overlaps counted twice)")
    print(f"  ratio naive/course.text  {naive / ours:7.1f}x")


if __name__ == "__main__":
    main()
