"""The benchmark's smoke (CI): 10 s of chat at N = 50 against a real uvicorn server, through the
real load generator. It asserts what must hold at any speed (every acknowledged message arrives
once, in order), never a time."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH_DIR = Path(__file__).resolve().parents[2] / "bench"
PAIRS = 50
RATE = 100  # messages/s in all: one a second from each of the 100 sockets


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    if shutil.which("node") is None or shutil.which("npm") is None:
        reason = "node and npm are needed for the benchmark's load generator"
        if os.environ.get("SAMRAAD_REQUIRE_BENCH") == "1":
            pytest.fail(f"{reason} (SAMRAAD_REQUIRE_BENCH=1)")
        pytest.skip(reason)
    # bench/ is scripts, not a package: run.py imports chat_load from its own directory.
    sys.path.insert(0, str(BENCH_DIR))
    return _load("bench_run", BENCH_DIR / "run.py")


def test_every_acknowledged_message_arrives_once_and_in_order(bench: ModuleType, tmp_path: Path) -> None:
    options = bench.parse_arguments_from([])
    options.server_cpus = options.client_cpus = None  # a CI runner's CPUs are its own business
    pairs_path = bench.prepare(tmp_path, PAIRS, options)
    prepared = json.loads(pairs_path.read_text())
    load = sys.modules["chat_load"]

    with bench.running(bench.start_samraad(tmp_path, options)) as server:
        generator = load.Generator(
            url=server.url,
            pairs=prepared["pairs"],
            cookie_name=prepared["cookie_name"],
            origin=f"http://127.0.0.1:{server.port}",
            cpus=None,
            hard_timeout_s=180,
            trace=str(tmp_path / "trace.tsv"),
        )
        try:
            connected = load.connect(generator, timeout_s=120)
            step = load.run_step(generator, server.pids, RATE, load.Timing(warmup_s=2, measure_s=8, drain_s=30))
            final = generator.quit()
        finally:
            generator.kill()

    assert connected["connected"] == 2 * PAIRS
    assert step["sent"] >= 900
    assert step["delivered_in_window"] > 0
    assert (step["lost"], step["duplicated"], step["out_of_order"]) == (0, 0, 0)
    assert (step["unacked"], step["refused"], step["seq_gaps"], step["errors"]) == (0, 0, 0, {})
    assert (final["lost"], final["duplicated"], final["out_of_order"], final["seq_mismatch"]) == (0, 0, 0, 0)
    # The trace has a line for each measured message: sent within the window, in order, with both
    # latencies (none was lost, so none is empty).
    header, *lines = (tmp_path / "trace.tsv").read_text().splitlines()
    assert header.startswith("# step 0 measured from ")
    rows = [line.split("\t") for line in lines]
    sent = [float(row[2]) for row in rows]
    assert len(rows) >= 780 and sent == sorted(sent) and 0 <= sent[0] and sent[-1] < 8000
    assert all(float(row[3]) > 0 and float(row[4]) > 0 for row in rows)
