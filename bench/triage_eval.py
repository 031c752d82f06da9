"""Measures triage on a labelled file and prints one JSON line.

    python bench/triage_eval.py FILE.tsv

Each line of FILE.tsv is ``level<TAB>text`` (or ``level<TAB>category<TAB>text``, as the corpus
in samraad/counseling/triage_data/ is written). Every message is scored by
`samraad.counseling.triage.score_message` (rules and model together) and the line printed is
``{"critical_recall", "risk_recall", "normal_to_critical", "normal_flagged", "n"}``, defined in
`samraad.counseling.triage_corpus.figures`. Nothing is written anywhere.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from samraad.counseling.triage import score_message  # noqa: E402
from samraad.counseling.triage_corpus import figures, read_tsv  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path, help="labelled messages, level<TAB>text per line")
    args = parser.parse_args(argv)
    examples = read_tsv(args.file)
    result = figures((example.level, score_message(example.text).level) for example in examples)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
