"""The statistical half of triage: a linear model over word and character n-grams, scored in
plain Python from weights exported to `triage_model.json`.

`samraad.counseling.triage_training` trains it with scikit-learn (TF-IDF features into a
multinomial logistic regression, calibrated with one sigmoid per level) and writes the weights
of every feature it kept. Scoring here repeats exactly what scikit-learn computes, without
importing it: no pickle is loaded, nothing is fetched, and start-up costs a JSON read.

`features(text)` is the one feature extractor, used by training and scoring alike, so the two
cannot drift apart.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from operator import itemgetter
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

MODEL_PATH = Path(__file__).with_name("triage_model.json")

_REPEATS = re.compile(r"(\D)\1+")
# æ/ø/å are spelled out the way young people type them without a Danish keyboard; the other
# accented letters come from Swedish/German keyboards and from autocorrect.
_SPELL_OUT = str.maketrans(
    {"æ": "ae", "ø": "oe", "å": "aa", "ä": "ae", "ö": "oe", "ü": "u", "é": "e", "è": "e", "á": "a", "à": "a"}
)
_WORD = re.compile(r"[a-z0-9]+")
# Chat messages are short; a pasted wall of text is read on its start and its end so that
# scoring stays fast (the rules read the same span).
_MAX_CHARS = 20_000
_CHAR_SIZES = (2, 3, 4, 5)
# Words whose known n-grams and sums a model keeps (`TriageModel._word`): a chat's vocabulary.
_WORDS_KEPT = 65_536


def fold(text: str) -> str:
    """Returns text lower-cased, with repeated letters collapsed and æ/ø/å spelled out, then
    collapsed again, so that "slår", "slaar" and "slaaar" all become "slar"."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _REPEATS.sub(r"\1", text)
    text = text.translate(_SPELL_OUT)
    return _REPEATS.sub(r"\1", text)


def _is_symbol(character: str) -> bool:
    # Emoji and other pictographs carry tone ("💀" is laughter, "😭" is often not).
    return unicodedata.category(character) == "So"


def features(text: str) -> list[str]:
    """Returns the n-gram features of a message: words ("w:"), word pairs ("b:"), character
    n-grams of 2 to 5 letters inside each word padded with spaces ("c:"), and pictographs ("e:")."""
    out, words = _split(text)
    for word in words:
        out += _character_grams(word)
    return out


def _split(text: str) -> tuple[list[str], list[str]]:
    """The message's features other than the character n-grams, and its words (whose character
    n-grams `_character_grams` gives): scoring sums the two parts apart (`TriageModel.predict`)."""
    if len(text) > _MAX_CHARS:
        half = _MAX_CHARS // 2
        text = text[:half] + "\n" + text[-half:]
    folded = fold(text)
    words = _WORD.findall(folded)
    out = [f"e:{character}" for character in folded if ord(character) > 0x2000 and _is_symbol(character)]
    out += [f"w:{word}" for word in words]
    out += [f"b:{first} {second}" for first, second in zip(words, words[1:], strict=False)]
    return out, words


@functools.lru_cache(maxsize=65_536)
def _character_grams(word: str) -> tuple[str, ...]:
    # Words repeat (most of a chat is a few thousand common words), and their n-grams are most of
    # a message's features: worked out once per word, they cost a dictionary look-up.
    padded = f" {word} "
    grams: list[str] = []
    for size in _CHAR_SIZES:
        if size > len(padded):
            break
        grams += [f"c:{padded[start : start + size]}" for start in range(len(padded) - size + 1)]
    return tuple(grams)


class Prediction:
    """The model's view of one message: a probability per level and the likeliest risk category.
    The category is worked out only when asked for (a message triage raises), since most
    messages are calm and it costs as much again as the levels."""

    def __init__(self, probabilities: dict[str, float], category: str | Callable[[], str]) -> None:
        self.probabilities = probabilities
        self._category = category

    @functools.cached_property
    def category(self) -> str:
        return self._category if isinstance(self._category, str) else self._category()

    def at_least(self, level: str, levels: tuple[str, ...]) -> float:
        """Probability that the message is `level` or more urgent."""
        index = levels.index(level)
        return sum(self.probabilities.get(name, 0.0) for name in levels[index:])


class TriageModel:
    """Weights exported by `triage_training`: one TF-IDF vocabulary, a calibrated level model and a
    category model over the same features."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.levels: tuple[str, ...] = tuple(data["levels"])
        if len(self.levels) != 3:
            raise ValueError(f"a triage model scores three levels, not {len(self.levels)}")
        self.categories: tuple[str, ...] = tuple(data["categories"])
        self.level_intercept: list[float] = list(data["level_intercept"])
        self.category_intercept: list[float] = list(data["category_intercept"])
        self.calibration: list[list[float]] = [list(pair) for pair in data["calibration"]]
        self.thresholds: dict[str, float] = dict(data["thresholds"])
        # The file keeps name -> [idf, level weights..., category weights...]. In memory each
        # feature's levels' part is premultiplied by its idf, with the idf squared for the norm,
        # so that a message (where nearly every feature occurs once) is summed in C (`predict`);
        # the categories' part is kept apart, read only for a message triage raises.
        vocabulary: dict[str, list[float]] = data["vocabulary"]
        self.vocabulary: dict[str, tuple[float, float, float, float]] = {
            name: (row[0] * row[0], row[0] * row[1], row[0] * row[2], row[0] * row[3])
            for name, row in vocabulary.items()
        }
        self.idf: dict[str, float] = {name: row[0] for name, row in vocabulary.items()}
        self.category_weights: dict[str, tuple[float, ...]] = {name: tuple(row[4:]) for name, row in vocabulary.items()}
        self.meta: dict[str, object] = dict(data.get("meta", {}))
        self._words: dict[str, tuple[tuple[str, ...], tuple[float, ...]]] = {}

    def predict(self, text: str) -> Prediction:
        """Scores one message; a message with no known feature gets the intercepts alone.

        TF-IDF with sublinear term frequency, L2-normalised, as scikit-learn computes it: a
        feature's value is its idf, or (1 + ln count) times it for one that occurs `count` times.
        Each word's known character n-grams and their sums are worked out once and kept
        (`_word`): a message adds up its words' sums and looks up only its few other features,
        then mends the sums of the features it holds more than once."""
        vocabulary = self.vocabulary
        others, words = _split(text)
        known = [name for name in others if name in vocabulary]
        parts = [self._word(word) for word in words]
        sums = [math.fsum(map(itemgetter(index), (vocabulary[name] for name in known))) for index in range(4)]
        for _, word_sums in parts:
            for index in range(4):
                sums[index] += word_sums[index]
        counts = Counter(known)
        for names, _ in parts:
            counts.update(names)
        for name, count in counts.items():
            if count > 1:  # summed `count` times above; its value is (1 + ln count) times the idf
                factor = 1.0 + math.log(count)
                row = vocabulary[name]
                sums[0] += (factor * factor - count) * row[0]
                for index in (1, 2, 3):
                    sums[index] += (factor - count) * row[index]
        norm = math.sqrt(max(sums[0], 0.0))
        decision = list(self.level_intercept)
        if norm > 0.0:
            decision = [intercept + total / norm for intercept, total in zip(decision, sums[1:], strict=True)]
        calibrated = []
        for score, (slope, offset) in zip(decision, self.calibration, strict=True):
            exponent = slope * score + offset
            calibrated.append(1.0 / (1.0 + math.exp(exponent)) if exponent < 700 else 0.0)
        total = sum(calibrated)
        if total <= 0.0:
            probabilities = dict.fromkeys(self.levels, 1.0 / len(self.levels))
        else:
            probabilities = {level: p / total for level, p in zip(self.levels, calibrated, strict=True)}
        return Prediction(probabilities, lambda: self._category(counts, norm))

    def _word(self, word: str) -> tuple[tuple[str, ...], tuple[float, ...]]:
        """A word's character n-grams that the model knows, and the sums of their rows."""
        cached = self._words.get(word)
        if cached is None:
            vocabulary = self.vocabulary
            names = tuple(name for name in _character_grams(word) if name in vocabulary)
            rows = [vocabulary[name] for name in names]
            cached = (names, tuple(math.fsum(map(itemgetter(index), rows)) for index in range(4)))
            if len(self._words) >= _WORDS_KEPT:
                self._words.clear()  # a flood of new words must not grow it without end
            self._words[word] = cached
        return cached

    def _category(self, counts: Counter[str], norm: float) -> str:
        if not self.categories:
            return ""
        scores = list(self.category_intercept)
        if norm > 0.0:
            for name, count in counts.items():
                weight = (1.0 + math.log(count)) * self.idf[name] / norm
                for index, category_weight in enumerate(self.category_weights[name]):
                    scores[index] += weight * category_weight
        return self.categories[max(range(len(scores)), key=scores.__getitem__)]


def load(path: Path | None = None) -> TriageModel:
    """Reads a model file (by default `MODEL_PATH`); raises OSError or ValueError when it is
    missing or malformed."""
    with (path or MODEL_PATH).open(encoding="utf-8") as source:
        return TriageModel(json.load(source))


@functools.cache
def default_model() -> TriageModel | None:
    """The model shipped beside this module, loaded once; ``None`` when the file is absent (a
    checkout that has not trained one), so that the rules still score on their own."""
    try:
        return load()
    except (OSError, ValueError, KeyError, TypeError):
        logger.warning("No usable triage model at %s: scoring by the rules alone", MODEL_PATH)
        return None
