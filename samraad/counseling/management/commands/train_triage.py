"""`python manage.py train_triage`: retrains triage's model from the corpus in the repository.

Fits on `triage_data/train.tsv`, chooses the thresholds on `dev.tsv`, runs a five-fold
cross-validation over both, writes `samraad/counseling/triage_model.json` and prints the figures
as one JSON object. The blind `test.tsv` is not read; measure it afterwards with
`python bench/triage_eval.py samraad/counseling/triage_data/test.tsv`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from samraad.counseling import triage_model


class Command(BaseCommand):
    help = "Retrains the triage model from the labelled corpus and writes triage_model.json."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, default=triage_model.MODEL_PATH, help="where to write the model")
        parser.add_argument("--no-folds", action="store_true", help="skip the five-fold cross-validation")

    def handle(self, *args: Any, **options: Any) -> None:
        # scikit-learn is imported here only: serving and scoring never load it.
        from samraad.counseling.triage_training import train

        report = train(options["output"], folds=not options["no_folds"])
        self.stdout.write(json.dumps(report, ensure_ascii=False))
