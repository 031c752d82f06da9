"""The chat benchmark's load driver: runs the Node load generator (bench/load/client.mjs) in its
own process against a running server and measures what each message costs the server.

The generator holds N young people's and N counselors' sockets (the pairs bench/prepare.py
wrote) and sends `msg` frames from all 2N sockets at a fixed offered total rate, spread evenly,
for a warm-up and then a measured period. It records, per message, sender's send -> peer's
receive (end-to-end) and send -> ack, and checks that every acknowledged `client_id` reaches the
peer exactly once and in `seq` order. This module reads the server's CPU time and RSS from
/proc/<pid> (the pid and its children) when the measured period starts and ends, and the
generator's own CPU time, so each result says what the server spent per message and whether
the generator kept within its core.

One JSON line on stdout per invocation:
    python bench/chat_load.py --url ws://127.0.0.1:8100 --pairs pairs.json --server-pid 1234 --rate 500
    python bench/chat_load.py ... --search          # the max with p99 <= 50 ms, then a run at 70% of it
    python bench/chat_load.py ... --idle            # every pair connected and idle: RSS per socket

bench/run.py starts the servers and calls the functions here; see bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import selectors
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
LOAD_DIR = BENCH_DIR / "load"
CLIENT = LOAD_DIR / "client.mjs"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
# ~100-byte frames both ways, as in docs/PERFORMANCE.md; Danish everyday text, which triage scores normal.
BODY = "Hej, jeg vil gerne snakke lidt om min dag i skolen."
P99_LIMIT_MS = 50.0
# A step keeps up when it delivers this share of what was offered (edges of the window aside).
KEEP_UP = 0.97


class BenchError(RuntimeError):
    """The generator failed, timed out or a server could not be measured."""


# --- /proc --------------------------------------------------------------------------------------
def _children() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    return children


def process_tree(pids: list[int]) -> list[int]:
    """Returns `pids` and all their descendants (uvicorn's workers, for one)."""
    children = _children()
    found: list[int] = []
    todo = list(pids)
    while todo:
        pid = todo.pop()
        if pid not in found:
            found.append(pid)
            todo.extend(children.get(pid, []))
    return found


@dataclass(frozen=True)
class Usage:
    cpu_s: float
    rss_bytes: int
    at: float


def usage(pids: list[int]) -> Usage:
    """CPU seconds (user + system) and resident memory of `pids` and their descendants, now."""
    cpu = 0.0
    rss = 0
    for pid in process_tree(pids):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            statm = Path(f"/proc/{pid}/statm").read_text().split()
        except OSError:
            continue
        cpu += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
        rss += int(statm[1]) * PAGE_SIZE
    return Usage(cpu, rss, time.monotonic())


# --- the generator process ----------------------------------------------------------------------
def node_binary() -> str:
    node = shutil.which("node")
    if node is None:
        raise BenchError("node is not installed (bench/README.md lists what the benchmark needs)")
    return node


def ensure_node_modules() -> None:
    if not (LOAD_DIR / "node_modules" / "ws").is_dir():
        subprocess.run(  # noqa: S603 - fixed arguments
            [shutil.which("npm") or "npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=LOAD_DIR, check=True
        )


def pinned(command: list[str], cpus: str | None) -> list[str]:
    taskset = shutil.which("taskset")
    if cpus and taskset:
        return [taskset, "-c", cpus, *command]
    return command


@dataclass
class Generator:
    """The Node load generator, one process for one set of connections."""

    url: str
    pairs: list[dict[str, Any]]
    cookie_name: str = "sessionid"
    origin: str = "http://127.0.0.1"
    cpus: str | None = "1"
    mode: str = "load"
    warm_pairs: int = 0
    hard_timeout_s: float = 1800.0
    connect_concurrency: int = 64
    # Opening the sockets is set-up, not the measurement: a slow handshake gets two more tries
    # (counted in `retried`). Idle sockets get one, since accepting them all is the measurement.
    connect_attempts: int = 3
    connect_timeout_s: float = 60.0
    trace: str | None = None

    def __post_init__(self) -> None:
        ensure_node_modules()
        self.deadline = time.monotonic() + self.hard_timeout_s
        self.process = subprocess.Popen(  # noqa: S603 - our own script
            pinned([node_binary(), str(CLIENT)], self.cpus),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self.selector = selectors.DefaultSelector()
        self.unread = b""
        assert self.process.stdout is not None  # noqa: S101 - set by Popen(stdout=PIPE)
        self.selector.register(self.process.stdout, selectors.EVENT_READ)
        self.send(
            {
                "url": self.url,
                "origin": self.origin,
                "cookie_name": self.cookie_name,
                "pairs": self.pairs,
                "mode": self.mode,
                "warm_pairs": self.warm_pairs,
                "run_id": f"b{secrets.token_hex(4)}",
                "body": BODY,
                "connect_concurrency": self.connect_concurrency,
                "connect_attempts": 1 if self.mode == "idle" else self.connect_attempts,
                "connect_timeout_s": self.connect_timeout_s,
                "hard_timeout_s": self.hard_timeout_s,
                "trace": self.trace,
            }
        )

    def send(self, command: dict[str, Any]) -> None:
        assert self.process.stdin is not None  # noqa: S101 - set by Popen(stdin=PIPE)
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()

    def event(self, timeout_s: float) -> dict[str, Any]:
        """Returns the generator's next event; raises when it dies or says nothing in time."""
        assert self.process.stdout is not None  # noqa: S101 - set by Popen(stdout=PIPE)
        limit = min(time.monotonic() + timeout_s, self.deadline)
        while True:
            remaining = limit - time.monotonic()
            if remaining <= 0:
                self.kill()
                raise BenchError(f"the load generator said nothing for {timeout_s:.0f} s")
            # Lines are split here, not by the pipe's reader: a buffered reader may take two lines
            # in one read, and select() would then wait for more while one sits in its buffer.
            if b"\n" not in self.unread and self.selector.select(remaining):
                chunk = os.read(self.process.stdout.fileno(), 1 << 16)
                if not chunk:
                    raise BenchError(f"the load generator exited with {self.process.wait()}")
                self.unread += chunk
            if b"\n" in self.unread:
                line, self.unread = self.unread.split(b"\n", 1)
                event: dict[str, Any] = json.loads(line)
                if event.get("event") == "fatal":
                    self.kill()
                    raise BenchError(f"the load generator failed: {event.get('error')}")
                return event

    def expect(self, name: str, timeout_s: float) -> dict[str, Any]:
        event = self.event(timeout_s)
        if event.get("event") != name:
            raise BenchError(f"expected {name!r} from the load generator, got {event}")
        return event

    def cpu_s(self) -> float:
        return usage([self.process.pid]).cpu_s

    def quit(self, drain_s: float = 5.0) -> dict[str, Any]:
        """Closes every socket; returns the final count of what never arrived."""
        self.send({"cmd": "quit", "drain_s": drain_s})
        final = self.expect("final", drain_s + 60)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()
        return final

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def connect(generator: Generator, timeout_s: float = 600.0) -> dict[str, Any]:
    connected = generator.expect("connected", timeout_s)
    if connected["failures"]:
        raise BenchError(f"not every socket connected: {connected}")
    return connected


# --- one step, a search, idle sockets ------------------------------------------------------------
@dataclass(frozen=True)
class Timing:
    warmup_s: float = 3.0
    measure_s: float = 8.0
    drain_s: float = 30.0


def run_step(generator: Generator, server_pids: list[int], rate: float, timing: Timing) -> dict[str, Any]:
    """Offers `rate` messages a second; returns the generator's result with the server's and
    the generator's CPU during the measured period."""
    generator.send({"cmd": "run", "rate": rate, **timing.__dict__})
    generator.expect("measure_start", timing.warmup_s + 30)
    server_before, generator_before = usage(server_pids), generator.cpu_s()
    generator.expect("measure_end", timing.measure_s + 30)
    server_after, generator_after = usage(server_pids), generator.cpu_s()
    result = generator.expect("result", timing.drain_s + 60)
    wall = server_after.at - server_before.at
    cpu = server_after.cpu_s - server_before.cpu_s
    acked = result["acked_in_window"]
    result.update(
        server_cpu_fraction=cpu / wall,
        server_cpu_us_per_msg=cpu * 1e6 / acked if acked else None,
        server_rss_mib=server_after.rss_bytes / 2**20,
        generator_cpu_fraction=(generator_after - generator_before) / wall,
    )
    result["passed"] = passed(result)
    return result


def passed(result: dict[str, Any]) -> bool:
    """A step holds when p99 stays within 50 ms, delivery keeps up, and nothing failed."""
    p99 = result["e2e"]["p99_ms"]
    return (
        p99 is not None
        and p99 <= P99_LIMIT_MS
        and result["achieved"] >= KEEP_UP * result["offered"]
        and not (result["lost"] or result["unacked"] or result["refused"] or result["duplicated"])
        and not result["out_of_order"]
    )


def search_max(
    generator: Generator,
    server_pids: list[int],
    *,
    start_rate: float,
    timing: Timing,
    final_timing: Timing,
    refine: int = 2,
    max_rate: float = 50_000,
    confirm: bool = True,
    report: Any = None,
) -> dict[str, Any]:
    """Steps the offered rate up (x2) until a step fails (twice, with `confirm`), then bisects
    `refine` times between the last pass and the first failure. Returns every step, the best passing one ("max", by
    achieved rate) and a longer run at 70% of that achieved rate."""
    steps: list[dict[str, Any]] = []

    def step(rate: float) -> dict[str, Any]:
        result = run_step(generator, server_pids, rate, timing)
        steps.append(result)
        if report:
            report(result)
        if not result["passed"] and confirm:
            # One stall from elsewhere on the machine must not end the climb: a rate fails when it
            # fails twice. Both runs stay in `steps`, and loss counts from both.
            result = run_step(generator, server_pids, rate, timing)
            result["repeat"] = True
            steps.append(result)
            if report:
                report(result)
        return result

    rate = start_rate
    best: dict[str, Any] | None = None
    failed_at: float | None = None
    while rate <= max_rate:
        result = step(rate)
        if result["passed"]:
            best = result
            rate *= 2
        else:
            failed_at = rate
            break
    while best is None and failed_at is not None and failed_at > 10:
        # Even the first rate failed: halve until one holds.
        result = step(failed_at / 2)
        if result["passed"]:
            best = result
        else:
            failed_at /= 2
    if best is not None and failed_at is not None:
        low, high = best["offered"], failed_at
        for _ in range(refine):
            middle = round((low + high) / 2)
            result = step(middle)
            if result["passed"]:
                low, best = middle, max(best, result, key=lambda r: r["achieved"])
            else:
                high = middle
    at_70 = None
    if best is not None:
        at_70 = run_step(generator, server_pids, round(0.7 * best["achieved"]), final_timing)
        if report:
            report(at_70)
    return {"steps": steps, "max": best, "at_70pct": at_70}


def measure_idle(
    generator: Generator, server_pids: list[int], *, settle_s: float = 3.0, timeout_s: float = 900.0
) -> dict[str, Any]:
    """With a few pairs connected (so lazy imports and caches are paid for), reads the server's
    RSS, connects every other pair (each socket completing hello / the console's greeting), waits
    `settle_s` and reads it again. Returns bytes per socket and every failure."""
    warm = generator.expect("warm", timeout_s)
    time.sleep(settle_s)
    before = usage(server_pids)
    generator.send({"cmd": "connect_rest"})
    connected = generator.expect("connected", timeout_s)
    time.sleep(settle_s)
    after = usage(server_pids)
    sockets = connected["connected"] - warm["connected"]
    return {
        "sockets": connected["connected"],
        "measured_sockets": sockets,
        "failures": connected["failures"],
        "connect_s": connected["connect_s"],
        "slowest_connect_ms": connected["slowest_connect_ms"],
        "rss_before_mib": before.rss_bytes / 2**20,
        "rss_after_mib": after.rss_bytes / 2**20,
        "kib_per_socket": (after.rss_bytes - before.rss_bytes) / 1024 / sockets if sockets else None,
        "connect_cpu_s": after.cpu_s - before.cpu_s,
    }


# --- command line -------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="the server's base WebSocket URL, e.g. ws://127.0.0.1:8100")
    parser.add_argument("--origin", help="Origin header (default: the URL's host as http://)")
    parser.add_argument("--pairs", required=True, help="the JSON written by bench/prepare.py")
    parser.add_argument("--n", type=int, help="use only the first N pairs")
    parser.add_argument("--server-pid", type=int, action="append", required=True, help="repeatable; children count")
    parser.add_argument("--rate", type=float, default=200.0, help="offered messages/s (with --search: the first)")
    parser.add_argument("--search", action="store_true", help="find the max with p99 <= 50 ms, then run at 70%%")
    parser.add_argument("--idle", action="store_true", help="connect every pair, idle; report RSS per socket")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--measure", type=float, default=8.0)
    parser.add_argument("--drain", type=float, default=30.0)
    parser.add_argument("--cpus", default="1", help="CPUs for the generator (taskset -c); '' for none")
    parser.add_argument(
        "--trace", help="append one line a measured message to this file: step, rate, sent ms, end-to-end and ack ms"
    )
    parser.add_argument("--timeout", type=float, default=1800.0, help="hard limit for the whole invocation, s")
    arguments = parser.parse_args()

    prepared = json.loads(Path(arguments.pairs).read_text())
    pairs = prepared["pairs"][: arguments.n] if arguments.n else prepared["pairs"]
    origin = arguments.origin or "http://" + arguments.url.split("://", 1)[1].split("/", 1)[0]
    generator = Generator(
        url=arguments.url.rstrip("/"),
        pairs=pairs,
        cookie_name=prepared["cookie_name"],
        origin=origin,
        cpus=arguments.cpus or None,
        mode="idle" if arguments.idle else "load",
        warm_pairs=min(50, len(pairs)),
        hard_timeout_s=arguments.timeout,
        trace=str(Path(arguments.trace).resolve()) if arguments.trace else None,
    )
    timing = Timing(arguments.warmup, arguments.measure, arguments.drain)
    output: dict[str, Any]
    try:
        if arguments.idle:
            output = measure_idle(generator, arguments.server_pid)
        else:
            connect(generator)
            if arguments.search:
                output = search_max(
                    generator,
                    arguments.server_pid,
                    start_rate=arguments.rate,
                    timing=timing,
                    final_timing=Timing(4.0, 12.0, arguments.drain),
                    report=lambda step: print(json.dumps(step), file=sys.stderr),
                )
            else:
                output = run_step(generator, arguments.server_pid, arguments.rate, timing)
        output["final"] = generator.quit()
    finally:
        generator.kill()
    print(json.dumps(output))


if __name__ == "__main__":
    main()
