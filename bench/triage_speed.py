"""Times triage: start-up with the model loaded, and scoring per message.

    python bench/triage_speed.py [--repeat 5]

Start-up is measured in fresh interpreters: the median wall time of importing
`samraad.counseling.triage` and scoring one message (which loads the model and compiles the
rules it needs), minus the median of an empty interpreter. Scoring is then timed message by
message over the whole corpus in this process, after one warm-up pass. Prints one JSON line:
``{"startup_ms", "startup_model_load_ms", "median_us", "p95_us", "max_us", "messages"}``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from samraad.counseling import triage, triage_model  # noqa: E402
from samraad.counseling.triage_corpus import SPLITS, split  # noqa: E402

_STARTUP = "import samraad.counseling.triage as t; t.score_message('hej, jeg har det skidt')"


def _interpreter_ms(code: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)  # noqa: S603 - our own interpreter
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="fresh interpreters for the start-up time")
    args = parser.parse_args(argv)
    empty = _interpreter_ms("pass", args.repeat)
    startup = _interpreter_ms(_STARTUP, args.repeat) - empty
    started = time.perf_counter()
    triage_model.load()
    model_load = (time.perf_counter() - started) * 1000
    texts = [example.text for name in SPLITS for example in split(name)]
    for text in texts:
        triage.score_message(text)
    timings = []
    for text in texts:
        started = time.perf_counter()
        triage.score_message(text)
        timings.append((time.perf_counter() - started) * 1_000_000)
    timings.sort()
    result = {
        "startup_ms": round(startup, 1),
        "startup_model_load_ms": round(model_load, 1),
        "median_us": round(statistics.median(timings), 1),
        "p95_us": round(timings[int(len(timings) * 0.95)], 1),
        "max_us": round(timings[-1], 1),
        "messages": len(timings),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
