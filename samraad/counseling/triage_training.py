"""Trains triage's model from the corpus in `triage_data/` and exports it to `triage_model.json`.

`python manage.py train_triage` runs `train()`. It is reproducible: a fixed seed, a fixed
feature extractor (`triage_model.features`) and sorted output, so the same corpus and the same
library versions write the same file. It reads only the repository and downloads nothing.

1. Features: TF-IDF (sublinear term frequency, smoothed idf, L2 norm) over words, word pairs and
   character n-grams that occur in at least two training messages.
2. Level model: a multinomial logistic regression (normal, elevated, critical) calibrated with a
   sigmoid per level on five-fold cross-validated scores (scikit-learn's `CalibratedClassifierCV`
   with ``ensemble=False``: one linear model, one calibrator per level).
3. Category model: a logistic regression over the risk categories, fitted on the risk messages;
   it only names the reason a counselor sees when the model alone raised the level.
4. Thresholds: chosen on the development split for the combined level (the more urgent of rules
   and model), favouring recall within a false-alarm budget. The test split is never read here.
5. Cross-validation: five folds over train and dev together, with the chosen thresholds.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from samraad.counseling import triage, triage_model
from samraad.counseling.triage_corpus import Example, figures, split

SEED = 20
LEVELS = triage.LEVELS
# Regularisation of the level model; chosen once on the development split among 1, 3, 10, 30.
LEVEL_C = 10.0
CATEGORY_C = 10.0
# The false-alarm budget on the development split, below the 5 % and 15 % so that the
# blind split keeps a margin.
BUDGET_CRITICAL = 0.03
BUDGET_FLAGGED = 0.12
_GRID = (*(round(0.05 * step, 2) for step in range(1, 19)), 0.92, 0.94, 0.96, 0.97, 0.98, 0.99)
_STRIP = str.maketrans({"æ": "e", "ø": "o", "å": "a", "Æ": "E", "Ø": "O", "Å": "A"})


def _augmented(examples: Sequence[Example]) -> list[Example]:
    """The examples, plus a copy of each one that holds æ/ø/å with those letters typed as e/o/a
    ("dø" as "do"), the way a keyboard without them writes."""
    out = list(examples)
    for example in examples:
        stripped = example.text.translate(_STRIP)
        if stripped != example.text:
            out.append(Example(example.level, example.category, stripped))
    return out


class Fitted:
    """A vectorizer, a calibrated level model and a category model fitted on one set of examples."""

    def __init__(self, examples: Sequence[Example], seed: int = SEED) -> None:
        data = _augmented(examples)
        self.vectorizer = TfidfVectorizer(
            analyzer=triage_model.features, sublinear_tf=True, min_df=2, lowercase=False, dtype=np.float64
        )
        matrix = self.vectorizer.fit_transform([example.text for example in data])
        labels = np.array([LEVELS.index(example.level) for example in data])
        base = LogisticRegression(C=LEVEL_C, max_iter=5000, class_weight="balanced")
        folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
        self.levels = CalibratedClassifierCV(base, method="sigmoid", cv=folds, ensemble=False)
        self.levels.fit(matrix, labels)
        risky = [index for index, example in enumerate(data) if example.level != "normal"]
        self.category_names = sorted({data[index].category for index in risky})
        self.categories = LogisticRegression(C=CATEGORY_C, max_iter=5000)
        self.categories.fit(matrix[risky], [self.category_names.index(data[index].category) for index in risky])

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated probabilities per level, in the order of `LEVELS`."""
        result: np.ndarray = self.levels.predict_proba(self.vectorizer.transform(list(texts)))
        return result

    def export(self, thresholds: dict[str, float], meta: dict[str, Any]) -> dict[str, Any]:
        """The model as plain data for `triage_model.TriageModel`."""
        (calibrated,) = self.levels.calibrated_classifiers_
        estimator = calibrated.estimator
        level_coef = estimator.coef_
        category_coef = self.categories.coef_
        if len(self.category_names) == 2:
            # A binary logistic regression keeps one row; the scorer wants one per category.
            category_coef = np.vstack([-category_coef[0], category_coef[0]]) / 2
            category_intercept = [-self.categories.intercept_[0] / 2, self.categories.intercept_[0] / 2]
        else:
            category_intercept = list(self.categories.intercept_)
        names = self.vectorizer.get_feature_names_out()
        vocabulary: dict[str, list[float]] = {}
        for index, name in enumerate(names):
            row = [float(self.vectorizer.idf_[index])]
            row += [float(value) for value in level_coef[:, index]]
            row += [float(value) for value in category_coef[:, index]]
            vocabulary[str(name)] = [round(value, 6) for value in row]
        calibration = [[float(c.a_), float(c.b_)] for c in calibrated.calibrators]
        return {
            "format": 1,
            "levels": list(LEVELS),
            "categories": self.category_names,
            "level_intercept": [float(value) for value in estimator.intercept_],
            "category_intercept": [float(value) for value in category_intercept],
            "calibration": calibration,
            "thresholds": thresholds,
            "meta": meta,
            "vocabulary": dict(sorted(vocabulary.items())),
        }


def model_level(critical: float, risk: float, thresholds: dict[str, float]) -> str:
    """The level the model alone gives, from P(critical) and P(at least elevated)."""
    if critical >= thresholds["critical"]:
        return "critical"
    if risk >= thresholds["elevated"]:
        return "elevated"
    return "normal"


def combined_levels(rule_levels: Sequence[str], probabilities: np.ndarray, thresholds: dict[str, float]) -> list[str]:
    """The more urgent of the rules' level and the model's level, message by message."""
    out = []
    for rules, row in zip(rule_levels, probabilities, strict=True):
        model = model_level(float(row[2]), float(row[1] + row[2]), thresholds)
        out.append(triage.max_level(rules, model))
    return out


def choose_thresholds(golds: Sequence[str], rule_levels: Sequence[str], probabilities: np.ndarray) -> dict[str, float]:
    """The thresholds that maximise critical recall, then risk recall, on the given (development)
    messages while normal messages scored critical stay within `BUDGET_CRITICAL` and normal
    messages flagged within `BUDGET_FLAGGED`; among equals, the higher thresholds (fewer alarms)."""
    best: tuple[float, ...] | None = None
    chosen = {"critical": 0.5, "elevated": 0.5}
    for critical in _GRID:
        for elevated in _GRID:
            thresholds = {"critical": critical, "elevated": elevated}
            result = figures(zip(golds, combined_levels(rule_levels, probabilities, thresholds), strict=True))
            if result["normal_to_critical"] > BUDGET_CRITICAL or result["normal_flagged"] > BUDGET_FLAGGED:
                continue
            key = (float(result["critical_recall"]), float(result["risk_recall"]), critical, elevated)
            if best is None or key > best:
                best, chosen = key, thresholds
    return chosen


def _rule_levels(examples: Sequence[Example]) -> list[str]:
    return [triage.score_rules(example.text).level for example in examples]


def cross_validate(examples: Sequence[Example], thresholds: dict[str, float], seed: int = SEED) -> dict[str, Any]:
    """Five-fold figures of the combined level over `examples`, each fold scored by a model fitted
    on the other four with the given thresholds."""
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
    golds = [example.level for example in examples]
    rules = _rule_levels(examples)
    predicted = [""] * len(examples)
    for fit_index, score_index in folds.split(np.zeros(len(examples)), golds):
        fitted = Fitted([examples[index] for index in fit_index], seed)
        probabilities = fitted.probabilities([examples[index].text for index in score_index])
        levels = combined_levels([rules[index] for index in score_index], probabilities, thresholds)
        for index, level in zip(score_index, levels, strict=True):
            predicted[index] = level
    return figures(zip(golds, predicted, strict=True))


def train(output: Path = triage_model.MODEL_PATH, seed: int = SEED, folds: bool = True) -> dict[str, Any]:
    """Fits the model on the training split, picks thresholds on the development split, runs the
    five-fold cross-validation (unless `folds` is false) and writes the model to `output`.
    Returns the figures it measured; the test split is not read."""
    train_set, dev_set = split("train"), split("dev")
    fitted = Fitted(train_set, seed)
    dev_golds = [example.level for example in dev_set]
    dev_rules = _rule_levels(dev_set)
    dev_probabilities = fitted.probabilities([example.text for example in dev_set])
    thresholds = choose_thresholds(dev_golds, dev_rules, dev_probabilities)
    report: dict[str, Any] = {
        "thresholds": thresholds,
        "dev": figures(zip(dev_golds, combined_levels(dev_rules, dev_probabilities, thresholds), strict=True)),
        "dev_rules_alone": figures(zip(dev_golds, dev_rules, strict=True)),
        "train_size": len(train_set),
        "dev_size": len(dev_set),
    }
    if folds:
        report["cross_validation"] = cross_validate([*train_set, *dev_set], thresholds, seed)
    meta = {"seed": seed, "train_size": len(train_set), "features": len(fitted.vectorizer.idf_)}
    exported = fitted.export(thresholds, meta)
    output.write_text(json.dumps(exported, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    # The plain-Python scorer must agree with scikit-learn on every development message.
    reloaded = triage_model.load(output)
    worst = 0.0
    for example, row in zip(dev_set, dev_probabilities, strict=True):
        mine = reloaded.predict(example.text).probabilities
        worst = max(worst, *(abs(mine[level] - float(row[index])) for index, level in enumerate(LEVELS)))
    if not math.isfinite(worst) or worst > 1e-4:
        raise RuntimeError(f"exported model disagrees with scikit-learn by {worst}")
    report["export_max_difference"] = worst
    report["model_bytes"] = output.stat().st_size
    return report
