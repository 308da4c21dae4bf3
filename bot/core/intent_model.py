"""The statistical half of reading plain words: a multinomial naive Bayes over a message's features (words, pairs
of words, words as typed with accents), learnt once at start-up from every feature's examples and phrases. The
phrase reader and how the two are combined live in bot/core/intents.py."""

from __future__ import annotations

from collections.abc import Iterable
from math import exp, log

SMOOTHING = 0.1  # added to every count: a word never seen with an intent is unlikely for it, not impossible
PRIOR = 1.0  # how much the classes' sizes count
FLATTEN = 0.3  # the sums of log-likelihoods are divided by (number of known features) ** FLATTEN
LONG = 25  # ... and those of a message with more known features than this by how many more it has


class NaiveBayes:
    """A multinomial naive Bayes over sets of features (bot.core.intents `_features`): which intent (or "none") a message's words are most likely
    written for, learnt from each feature's examples and phrases. Trained once per set of examples (start-up)."""

    def __init__(self, documents: Iterable[tuple[str, frozenset[str], float]]) -> None:
        documents = list(documents)
        self.classes = sorted({label for label, _f, _w in documents})
        index = {label: n for n, label in enumerate(self.classes)}
        counts: dict[str, list[float]] = {}
        totals = [0.0] * len(self.classes)
        sizes = [0.0] * len(self.classes)
        for label, features, weight in documents:
            k = index[label]
            sizes[k] += weight
            for feature in features:
                counts.setdefault(feature, [0.0] * len(self.classes))[k] += weight
                totals[k] += weight
        known = len(counts)
        # A feature unseen with a class costs `_base`; only the classes it was seen with are kept per feature.
        self._base = [log(SMOOTHING / (total + SMOOTHING * known)) for total in totals]
        self._weights = {
            feature: tuple(
                (k, log((n + SMOOTHING) / (totals[k] + SMOOTHING * known)) - self._base[k])
                for k, n in enumerate(row)
                if n
            )
            for feature, row in counts.items()
        }
        everything = sum(sizes)
        self._prior = [PRIOR * log(size / everything) for size in sizes]

    def words(self) -> frozenset[str]:
        """The single words it knows (features without a space or a mark)."""
        return frozenset(f for f in self._weights if " " not in f and "'" not in f)

    def probabilities(self, features: frozenset[str]) -> dict[str, float]:
        """Each class and how likely the message is one of it (they add up to 1; {} when no word is known)."""
        known = [self._weights[f] for f in features if f in self._weights]
        if not known:
            return {}
        scores = [prior + len(known) * base for prior, base in zip(self._prior, self._base, strict=True)]
        for row in known:
            for k, weight in row:
                scores[k] += weight
        # Words of one message are far from independent: the raw sums are overconfident, more so the longer the
        # message. Scaled down, the certainty means something; a long message says no more than one of LONG words
        # (a long story told with everyday words is not chit-chat for it).
        scale = 1.0 / max(1.0, len(known)) ** FLATTEN * min(1.0, LONG / len(known))
        top = max(scores)
        exp_ = [exp((score - top) * scale) for score in scores]
        total = sum(exp_)
        return {label: e / total for label, e in zip(self.classes, exp_, strict=True)}
