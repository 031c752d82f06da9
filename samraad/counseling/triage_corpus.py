"""The labelled Danish corpus behind triage, and the figures it is judged by.

The corpus lives in `triage_data/` as three TSV files with one message a line,
``level<TAB>category<TAB>text``: `train.tsv` (the model learns from it), `dev.tsv` (the model's
thresholds are chosen on it) and `test.tsv` (blind: written first and apart, only ever scored).
A two-column line ``level<TAB>text`` is read too, with an empty category, so that any labelled
file can be measured the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).with_name("triage_data")
SPLITS = ("train", "dev", "test")
_LEVELS = ("normal", "elevated", "critical")


@dataclass(frozen=True)
class Example:
    """One labelled message."""

    level: str
    category: str
    text: str


def read_tsv(path: Path) -> list[Example]:
    """Reads ``level<TAB>category<TAB>text`` or ``level<TAB>text`` lines; blank lines are skipped.

    Raises ValueError naming the line when a level is unknown, so a typo cannot silently drop a
    message from the figures.
    """
    examples: list[Example] = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            parts = line.split("\t")
            if len(parts) == 2:
                level, category, text = parts[0], "", parts[1]
            elif len(parts) >= 3:
                level, category, text = parts[0], parts[1], "\t".join(parts[2:])
            else:
                raise ValueError(f"{path}:{number}: expected level<TAB>text")
            level = level.strip()
            if level not in _LEVELS:
                raise ValueError(f"{path}:{number}: unknown level {level!r}")
            examples.append(Example(level, category.strip(), text))
    return examples


def split(name: str) -> list[Example]:
    """One split of the shipped corpus: ``train``, ``dev`` or ``test``."""
    if name not in SPLITS:
        raise ValueError(f"unknown split {name!r}")
    return read_tsv(DATA_DIR / f"{name}.tsv")


def figures(pairs: Iterable[tuple[str, str]]) -> dict[str, float | int]:
    """The four figures triage is judged by, from (gold level, scored level) pairs.

    - ``critical_recall``: share of critical messages scored critical;
    - ``risk_recall``: share of critical or elevated messages scored at least elevated;
    - ``normal_to_critical``: share of normal messages scored critical;
    - ``normal_flagged``: share of normal messages scored elevated or critical;
    - ``n``: the number of messages.
    A share whose denominator is empty is 0.0.
    """
    pairs = list(pairs)
    critical = [got for gold, got in pairs if gold == "critical"]
    risk = [got for gold, got in pairs if gold != "normal"]
    normal = [got for gold, got in pairs if gold == "normal"]

    def share(items: Sequence[str], wanted: frozenset[str]) -> float:
        return round(sum(1 for item in items if item in wanted) / len(items), 4) if items else 0.0

    return {
        "critical_recall": share(critical, frozenset({"critical"})),
        "risk_recall": share(risk, frozenset({"critical", "elevated"})),
        "normal_to_critical": share(normal, frozenset({"critical"})),
        "normal_flagged": share(normal, frozenset({"critical", "elevated"})),
        "n": len(pairs),
    }
