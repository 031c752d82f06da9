"""One benchmark session (`make bench`): the reference relay and Samraad, measured in the same run
on the same machine, at N = 100 and N = 1,000 conversations, then idle sockets.

For each N: a fresh Samraad database with N prepared pairs (bench/prepare.py); the reference
(bench/raw_relay.py) started on CPU 0, searched for its max, run at 70% of it, stopped; then
Samraad, started as `make run` starts it (uvicorn, one worker, SQLite in a temporary
SAMRAAD_VAR_DIR, permessage-deflate off) on CPU 0, measured the same way. The load generator
runs on CPU 1. Then each server holds `--idle-sockets` idle sockets (half young people, half
consoles) and the RSS per socket is read.

Prints a table, and last one JSON line (the contract of issue #6):
    {"throughput_ratio_n100", "throughput_ratio_n1000", "cpu_ratio", "p99_ms_at_70pct",
     "idle_mem_ratio", "lost", "duplicated", "out_of_order"}
Every figure's definition is in bench/README.md. The full results go to `<session dir>/results.json`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from chat_load import (  # noqa: E402 - the bench directory is not a package
    BenchError,
    Generator,
    Timing,
    connect,
    measure_idle,
    pinned,
    search_max,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = REPO_ROOT / "bench"
SERVER_START_TIMEOUT_S = 60.0
BENCH_ENVIRONMENT = {
    # The flood guard (10 frames/s per socket) protects against one abusive client; the benchmark
    # puts a whole population's traffic on 2N sockets, so the guard would refuse the load.
    "SAMRAAD_CHAT_FRAMES_PER_SECOND": "1000000",
    "SAMRAAD_CHAT_FRAME_BURST": "1000000",
    # All 2N sockets come from one address, which the per-source connection limit would stop.
    "SAMRAAD_CHAT_CONNECTIONS_PER_MINUTE": "1000000",
    # The pairs are assigned before their sockets exist, and opening 10,000 of them takes longer
    # than the grace periods: the sweep would hand the conversations back to the queue (and then
    # count them abandoned) before their consoles arrive.
    "SAMRAAD_CHAT_COUNSELOR_GRACE_S": "3600",
    "SAMRAAD_CHAT_YOUNG_GRACE_S": "3600",
}


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def raise_file_limit() -> None:
    """Thousands of sockets need thousands of descriptors, in the servers and the generator."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


# --- servers ------------------------------------------------------------------------------------
@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path
    extra_pids: tuple[int, ...] = ()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    @property
    def pids(self) -> list[int]:
        return [self.process.pid, *self.extra_pids]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def _wait_until_listening(server: Server, http_path: str | None) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise BenchError(f"{server.name} exited with {server.process.returncode}; see {server.log_path}")
        try:
            if http_path is None:
                with socket.create_connection(("127.0.0.1", server.port), timeout=1):
                    return
            else:
                url = f"http://127.0.0.1:{server.port}{http_path}"
                with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback http
                    if response.status == 200:
                        return
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        time.sleep(0.1)
    server.stop()
    raise BenchError(f"{server.name} did not start within {SERVER_START_TIMEOUT_S:.0f} s; see {server.log_path}")


def samraad_environment(var_dir: Path, options: argparse.Namespace) -> dict[str, str]:
    environment = dict(os.environ)
    for name in ("DATABASE_URL", "REDIS_URL"):
        environment.pop(name, None)
    environment.update(
        DJANGO_SETTINGS_MODULE="samraad.settings",
        SAMRAAD_VAR_DIR=str(var_dir),
        SAMRAAD_DEMO="0",
        DEBUG="0",
        SAMRAAD_HTTPS="0",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        **BENCH_ENVIRONMENT,
    )
    if options.database_url:
        environment["DATABASE_URL"] = options.database_url
    return environment


def start_samraad(
    var_dir: Path, options: argparse.Namespace, *, workers: int = 1, redis_url: str = "", port: int = 0
) -> Server:
    """Starts uvicorn as `make run` does; on `port` when given (a restart after a crash)."""
    port = port or free_port()
    environment = samraad_environment(var_dir, options)
    if redis_url:
        environment["REDIS_URL"] = redis_url
    command = [sys.executable, "-m", "uvicorn", "samraad.asgi:application", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--no-access-log", "--ws-max-size", "65536", "--ws-per-message-deflate", "false"]
    if workers > 1:
        command += ["--workers", str(workers)]
    log_path = var_dir / f"samraad-{port}.log"
    with log_path.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
            pinned(command, options.server_cpus), cwd=REPO_ROOT, env=environment, stdout=output, stderr=output
        )
    server = Server(f"samraad ({workers} worker{'s' if workers > 1 else ''})", process, port, log_path)
    _wait_until_listening(server, "/api/chat/status")
    return server


def start_raw(var_dir: Path, pairs_path: Path, options: argparse.Namespace) -> Server:
    port = free_port()
    db = var_dir / f"relay-{port}.sqlite3"
    command = [sys.executable, str(BENCH_DIR / "raw_relay.py"), "--port", str(port), "--db", str(db)]
    command += ["--pairs", str(pairs_path), "--origin", f"http://127.0.0.1:{port}"]
    log_path = var_dir / f"relay-{port}.log"
    with log_path.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and script
            pinned(command, options.server_cpus), cwd=REPO_ROOT, stdout=output, stderr=output
        )
    server = Server("reference", process, port, log_path)
    _wait_until_listening(server, None)
    return server


def start_redis(var_dir: Path, options: argparse.Namespace, *, port: int = 0) -> Server:
    redis = shutil.which("redis-server")
    if redis is None:
        raise BenchError("--scale-out and --nginx need redis-server")
    port = port or free_port()
    command = [redis, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    command += ["--dir", str(var_dir)]
    log_path = var_dir / f"redis-{port}.log"
    with log_path.open("wb") as output:
        process = subprocess.Popen(pinned(command, options.server_cpus), stdout=output, stderr=output)  # noqa: S603
    server = Server("redis", process, port, log_path)
    _wait_until_listening(server, None)
    return server


def nginx_site(upstream_ports: list[int], port: int) -> str:
    """deploy/nginx.conf with loopback ports in place of its `listen` and upstream `server` lines."""
    site = (REPO_ROOT / "deploy" / "nginx.conf").read_text()
    upstreams = "".join(rf"\1server 127.0.0.1:{upstream};\n" for upstream in upstream_ports)
    site, upstream_lines = re.subn(r"^([ \t]*)server 127\.0\.0\.1:\d+;\n", upstreams, site, flags=re.MULTILINE)
    site, listen_lines = re.subn(r"^([ \t]*)listen \d+;", rf"\1listen 127.0.0.1:{port};", site, flags=re.MULTILINE)
    if upstream_lines != 1 or listen_lines != 1:
        raise BenchError("deploy/nginx.conf no longer has one upstream `server` and one `listen` line")
    return site


def start_nginx(var_dir: Path, upstream_ports: list[int], options: argparse.Namespace) -> Server:
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if nginx is None:
        raise BenchError("--nginx needs nginx (apt-get install -y nginx)")
    port = free_port()
    home = var_dir / f"nginx-{port}"
    home.mkdir()
    (home / "site.conf").write_text(nginx_site(upstream_ports, port))
    temp_paths = "".join(
        f"    {kind}_temp_path {home}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user = "user root;\n" if os.geteuid() == 0 else ""  # the session directory is private to us
    (home / "nginx.conf").write_text(
        f"{user}worker_processes 1;\nworker_rlimit_nofile 20000;\ndaemon off;\npid {home}/nginx.pid;\n"
        f"error_log {home}/error.log crit;\nevents {{ worker_connections 16000; }}\n"
        f"http {{\n{temp_paths}    include {home}/site.conf;\n}}\n"
    )
    log_path = home / "stderr.log"
    with log_path.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - fixed arguments
            pinned([nginx, "-p", str(home), "-c", str(home / "nginx.conf")], options.server_cpus),
            stdout=output,
            stderr=output,
        )
    server = Server("nginx", process, port, log_path)
    _wait_until_listening(server, "/api/chat/status")
    return server


@contextlib.contextmanager
def running(server: Server) -> Iterator[Server]:
    try:
        yield server
    finally:
        server.stop()


def prepare(var_dir: Path, count: int, options: argparse.Namespace) -> Path:
    var_dir.mkdir(parents=True, exist_ok=True)
    (var_dir / "static").mkdir(exist_ok=True)  # the static root; nothing is served from it here
    pairs_path = var_dir / "pairs.json"
    started = time.monotonic()
    subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, str(BENCH_DIR / "prepare.py"), "--pairs", str(count), "--out", str(pairs_path)],
        cwd=REPO_ROOT,
        env=samraad_environment(var_dir, options),
        check=True,
        timeout=1800,
    )
    log(f"prepared {count} pairs in {time.monotonic() - started:.0f} s ({var_dir})")
    return pairs_path


# --- measuring ------------------------------------------------------------------------------------
def load_phase(server: Server, pairs_path: Path, options: argparse.Namespace, start_rate: float) -> dict[str, Any]:
    prepared = json.loads(pairs_path.read_text())
    generator = Generator(
        url=server.url,
        pairs=prepared["pairs"],
        cookie_name=prepared["cookie_name"],
        origin=f"http://127.0.0.1:{server.port}",
        cpus=options.client_cpus,
        hard_timeout_s=options.phase_timeout,
    )
    try:
        connected = connect(generator)
        log(
            f"{server.name}: {connected['connected']} sockets open in {connected['connect_s']:.1f} s "
            f"(slowest {connected['slowest_connect_ms']:.0f} ms, retried {connected['retried'] or 'none'})"
        )

        def report(step: dict[str, Any]) -> None:
            e2e = step["e2e"]
            log(
                f"{server.name} N={len(prepared['pairs'])}: offered {step['offered']:.0f}/s achieved "
                f"{step['achieved']:.0f}/s p50 {fmt(e2e['p50_ms'])} p99 {fmt(e2e['p99_ms'])} ms, "
                f"server {step['server_cpu_fraction']:.2f} core {fmt(step['server_cpu_us_per_msg'], 0)} µs/msg, "
                f"generator {step['generator_cpu_fraction']:.2f} core, lost {step['lost']} "
                f"{'pass' if step['passed'] else 'FAIL'}"
            )

        result = search_max(
            generator,
            server.pids,
            start_rate=start_rate,
            timing=options.search_timing,
            final_timing=options.final_timing,
            refine=options.refine,
            confirm=not options.quick,
            report=report,
        )
        result["final"] = generator.quit()
        result["connect"] = connected
        return result
    finally:
        generator.kill()


def idle_phase(server: Server, pairs_path: Path, options: argparse.Namespace) -> dict[str, Any]:
    prepared = json.loads(pairs_path.read_text())
    generator = Generator(
        url=server.url,
        pairs=prepared["pairs"],
        cookie_name=prepared["cookie_name"],
        origin=f"http://127.0.0.1:{server.port}",
        cpus=options.client_cpus,
        mode="idle",
        warm_pairs=min(50, len(prepared["pairs"]) // 10),
        hard_timeout_s=options.phase_timeout,
    )
    try:
        result = measure_idle(generator, server.pids)
        result["final"] = generator.quit()
        log(
            f"{server.name}: {result['sockets']} idle sockets, {fmt(result['kib_per_socket'])} KiB each, "
            f"failures {result['failures'] or 'none'}"
        )
        return result
    finally:
        generator.kill()


def fmt(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return round(numerator / denominator, 3)


def figure(result: dict[str, Any] | None, *path: str) -> Any:
    value: Any = result
    for key in path:
        if value is None:
            return None
        value = value.get(key)
    return value


# --- the session ----------------------------------------------------------------------------------
def session(options: argparse.Namespace, root: Path, results: dict[str, Any]) -> None:
    """Runs every phase, filling `results` as it goes (a failure keeps what was measured)."""
    for count in options.ns:
        var_dir = root / f"n{count}"
        pairs_path = prepare(var_dir, count, options)
        with running(start_raw(var_dir, pairs_path, options)) as raw:
            results["load"][f"reference/{count}"] = load_phase(raw, pairs_path, options, options.raw_start_rate)
        with running(start_samraad(var_dir, options)) as samraad:
            results["load"][f"samraad/{count}"] = load_phase(samraad, pairs_path, options, options.samraad_start_rate)
        if options.postgres:
            with postgres_database(options.postgres, f"bench_{os.getpid()}_n{count}") as database_url:
                on_postgres(
                    root / f"n{count}-pg",
                    count,
                    argparse.Namespace(**{**vars(options), "database_url": database_url}),
                    results,
                )
        else:
            scale_out_variants(var_dir, pairs_path, count, options, results, "samraad")
    if options.idle_sockets:
        var_dir = root / "idle"
        pairs_path = prepare(var_dir, options.idle_sockets // 2, options)
        with running(start_raw(var_dir, pairs_path, options)) as raw:
            results["idle"]["reference"] = idle_phase(raw, pairs_path, options)
        with running(start_samraad(var_dir, options)) as samraad:
            results["idle"]["samraad"] = idle_phase(samraad, pairs_path, options)


@contextlib.contextmanager
def postgres_database(server_url: str, name: str) -> Iterator[str]:
    """A fresh database on the PostgreSQL server at `server_url`, dropped afterwards."""
    import psycopg  # noqa: PLC0415 - only the PostgreSQL variants need the driver

    server_url = server_url.rstrip("/")

    def run(statement: str) -> None:
        with psycopg.connect(f"{server_url}/postgres", autocommit=True) as connection:
            connection.execute(statement)

    # `name` is of the caller's making (no user input), quoted as an identifier.
    run(f'DROP DATABASE IF EXISTS "{name}"')
    run(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server_url}/{name}"
    finally:
        run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def on_postgres(var_dir: Path, count: int, options: argparse.Namespace, results: dict[str, Any]) -> None:
    """Samraad on PostgreSQL at one worker, then the scale-out variants on the same database."""
    pairs_path = prepare(var_dir, count, options)
    with running(start_samraad(var_dir, options)) as samraad:
        results["load"][f"samraad-pg/{count}"] = load_phase(samraad, pairs_path, options, options.samraad_start_rate)
    scale_out_variants(var_dir, pairs_path, count, options, results, "samraad-pg")


def scale_out_variants(
    var_dir: Path, pairs_path: Path, count: int, options: argparse.Namespace, results: dict[str, Any], name: str
) -> None:
    if options.scale_out:
        scale_out(var_dir, pairs_path, count, options, results, name)
    if options.nginx:
        through_nginx(var_dir, pairs_path, count, options, results, name)


def scale_out(
    var_dir: Path, pairs_path: Path, count: int, options: argparse.Namespace, results: dict[str, Any], name: str
) -> None:
    """Samraad with the Redis layer at one worker and at two, Redis's CPU counted with theirs."""
    with running(start_redis(var_dir, options)) as redis:
        for workers in (1, 2):
            redis_url = f"redis://127.0.0.1:{redis.port}/0"
            with running(start_samraad(var_dir, options, workers=workers, redis_url=redis_url)) as samraad:
                samraad.extra_pids = (redis.process.pid,)
                results["load"][f"{name}-redis-{workers}w/{count}"] = load_phase(
                    samraad, pairs_path, options, options.samraad_start_rate
                )


def through_nginx(
    var_dir: Path, pairs_path: Path, count: int, options: argparse.Namespace, results: dict[str, Any], name: str
) -> None:
    """Samraad behind nginx (deploy/nginx.conf): two single-worker servers sharing Redis, round robin."""
    with contextlib.ExitStack() as stack:
        redis = stack.enter_context(running(start_redis(var_dir, options)))
        redis_url = f"redis://127.0.0.1:{redis.port}/0"
        upstreams = [stack.enter_context(running(start_samraad(var_dir, options, redis_url=redis_url))) for _ in (1, 2)]
        nginx = stack.enter_context(running(start_nginx(var_dir, [server.port for server in upstreams], options)))
        nginx.name = "samraad via nginx"
        nginx.extra_pids = (redis.process.pid, *(server.process.pid for server in upstreams))
        results["load"][f"{name}-nginx-2x1w/{count}"] = load_phase(
            nginx, pairs_path, options, options.samraad_start_rate
        )


def summarise(results: dict[str, Any], options: argparse.Namespace) -> dict[str, Any]:
    load = results["load"]

    def max_rate(name: str, count: int) -> float | None:
        return figure(load.get(f"{name}/{count}"), "max", "achieved")

    samraad_p99s = [figure(load.get(f"samraad/{n}"), "at_70pct", "e2e", "p99_ms") for n in options.ns]
    samraad_runs = [value for key, value in load.items() if key.startswith("samraad")]
    counts = {"lost": 0, "duplicated": 0, "out_of_order": 0}
    for run in samraad_runs:
        for key in counts:
            counts[key] += run["final"][key]
    for run in results["idle"].values():
        # An idle run sends nothing; a failed connection is not a message, but it must not pass unseen.
        counts["lost"] += run["final"]["lost"]
    return {
        "throughput_ratio_n100": ratio(max_rate("samraad", 100), max_rate("reference", 100)),
        "throughput_ratio_n1000": ratio(max_rate("samraad", 1000), max_rate("reference", 1000)),
        "cpu_ratio": ratio(
            figure(load.get("samraad/100"), "at_70pct", "server_cpu_us_per_msg"),
            figure(load.get("reference/100"), "at_70pct", "server_cpu_us_per_msg"),
        ),
        "p99_ms_at_70pct": (
            round(max(samraad_p99s), 2) if samraad_p99s and all(p is not None for p in samraad_p99s) else None
        ),
        "idle_mem_ratio": ratio(
            figure(results["idle"].get("samraad"), "kib_per_socket"),
            figure(results["idle"].get("reference"), "kib_per_socket"),
        ),
        **counts,
    }


def table(results: dict[str, Any]) -> str:
    lines = [
        "| server | N | max msg/s (p99 ≤ 50 ms) | p50 / p99 ms at max | at 70%: msg/s | p50 / p99 / max ms "
        "| ack p99 ms | server CPU µs/msg | generator core | lost / dup / out of order |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for key, run in results["load"].items():
        name, count = key.split("/")
        best, at_70 = run.get("max"), run.get("at_70pct")
        final = run["final"]
        lines.append(
            f"| {name} | {int(count):,} | {fmt(figure(best, 'achieved'), 0)} "
            f"| {fmt(figure(best, 'e2e', 'p50_ms'), 2)} / {fmt(figure(best, 'e2e', 'p99_ms'))} "
            f"| {fmt(figure(at_70, 'achieved'), 0)} "
            f"| {fmt(figure(at_70, 'e2e', 'p50_ms'), 2)} / {fmt(figure(at_70, 'e2e', 'p99_ms'))} "
            f"/ {fmt(figure(at_70, 'e2e', 'max_ms'))} "
            f"| {fmt(figure(at_70, 'ack', 'p99_ms'))} | {fmt(figure(at_70, 'server_cpu_us_per_msg'), 0)} "
            f"| {fmt(max(step['generator_cpu_fraction'] for step in run['steps']), 2)} "
            f"| {final['lost']} / {final['duplicated']} / {final['out_of_order']} |"
        )
    if results["idle"]:
        lines += ["", "| server | idle sockets | failures | server RSS MiB before → after | KiB per socket |"]
        lines.append("|---|---|---|---|---|")
        for name, run in results["idle"].items():
            lines.append(
                f"| {name} | {run['sockets']:,} | {sum(run['failures'].values())} "
                f"| {fmt(run['rss_before_mib'])} → {fmt(run['rss_after_mib'])} | {fmt(run['kib_per_socket'])} |"
            )
    return "\n".join(lines)


def git_state() -> dict[str, Any]:
    def git(*arguments: str) -> str:
        git_binary = shutil.which("git") or "git"
        completed = subprocess.run(  # noqa: S603 - fixed arguments
            [git_binary, *arguments], cwd=REPO_ROOT, capture_output=True, text=True, check=False
        )
        return completed.stdout.strip()

    return {"commit": git("rev-parse", "HEAD"), "changed_files": len(git("status", "--porcelain").splitlines())}


def parse_arguments_from(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ns", default="100,1000", help="conversation counts, comma-separated")
    parser.add_argument("--idle-sockets", type=int, default=10_000, help="0 to skip the idle measurement")
    parser.add_argument("--quick", action="store_true", help="short steps, no refinement: a smoke, not figures")
    parser.add_argument("--raw-start-rate", type=float, default=250.0)
    parser.add_argument("--samraad-start-rate", type=float, default=50.0)
    parser.add_argument("--refine", type=int, default=2, help="bisection steps after the first failure")
    parser.add_argument("--server-cpus", default="0", help="taskset CPU list for the servers ('' for none)")
    parser.add_argument("--client-cpus", default="1", help="taskset CPU list for the generator ('' for none)")
    parser.add_argument("--database-url", default="", help="run Samraad on this (empty) database instead of SQLite")
    parser.add_argument(
        "--postgres",
        default="",
        help="also Samraad on a fresh database of this PostgreSQL server (e.g. postgres://postgres@127.0.0.1:5432); "
        "--scale-out and --nginx then run on it",
    )
    parser.add_argument("--scale-out", action="store_true", help="also Samraad with Redis at 1 and 2 workers")
    parser.add_argument("--nginx", action="store_true", help="also Samraad behind nginx (deploy/nginx.conf)")
    parser.add_argument("--keep", action="store_true", help="keep the session directory (databases, logs)")
    parser.add_argument("--timeout", type=float, default=5400.0, help="hard limit for the whole session, s")
    parser.add_argument("--phase-timeout", type=float, default=1800.0, help="hard limit for one load generator, s")
    options = parser.parse_args(argv)
    options.ns = [int(n) for n in options.ns.split(",") if n]
    options.server_cpus = options.server_cpus or None
    options.client_cpus = options.client_cpus or None
    if options.quick:
        options.search_timing = Timing(warmup_s=1.0, measure_s=3.0, drain_s=15.0)
        options.final_timing = Timing(warmup_s=1.0, measure_s=5.0, drain_s=15.0)
        options.refine = 0
    else:
        options.search_timing = Timing(warmup_s=3.0, measure_s=8.0, drain_s=30.0)
        options.final_timing = Timing(warmup_s=4.0, measure_s=12.0, drain_s=30.0)
    return options


def main() -> None:
    options = parse_arguments_from()
    raise_file_limit()

    def out_of_time(signum: int, frame: Any) -> None:
        raise BenchError(f"the session took longer than {options.timeout:.0f} s")

    signal.signal(signal.SIGALRM, out_of_time)

    def terminated(signum: int, frame: Any) -> None:
        raise BenchError("terminated")

    signal.signal(signal.SIGTERM, terminated)
    signal.alarm(int(options.timeout))
    root = Path(tempfile.mkdtemp(prefix="bench-var-"))
    load_average = os.getloadavg()
    log(f"session directory {root}; load average {load_average[0]:.2f} (anything else running skews the figures)")
    results: dict[str, Any] = {"load": {}, "idle": {}}
    failed = False
    try:
        session(options, root, results)
    except (BenchError, subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        log(f"the session failed: {error}")
        results["error"], failed = str(error), True
    finally:
        signal.alarm(0)
    summary = summarise(results, options)
    if failed:
        # Counts from an unfinished session would read as a clean bill; there is none to give.
        summary.update(lost=None, duplicated=None, out_of_order=None)
    results.update(
        summary=summary,
        git=git_state(),
        options={
            "ns": options.ns,
            "quick": options.quick,
            "idle_sockets": options.idle_sockets,
            "postgres": bool(options.postgres),
            "scale_out": options.scale_out,
            "nginx": options.nginx,
        },
        load_average_at_start=load_average,
    )
    (root / "results.json").write_text(json.dumps(results, indent=1, default=str))
    print(table(results))
    print()
    print(f"Full results: {root / 'results.json'}")
    if not options.keep:
        for path in root.iterdir():
            if path.name != "results.json":
                shutil.rmtree(path, ignore_errors=True)
    print(json.dumps(summary))
    idle_failures = sum(sum(run["failures"].values()) for run in results["idle"].values())
    broken = failed or idle_failures > 0 or any(summary[key] for key in ("lost", "duplicated", "out_of_order"))
    sys.exit(1 if broken else 0)


if __name__ == "__main__":
    main()
