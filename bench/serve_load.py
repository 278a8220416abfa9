"""Load test of ``rolematch serve``: 8 concurrent clients against 127.0.0.1, bounded in requests and time.

Starts the real server (``python -m matcher serve``) on a free loopback port in a subprocess, waits
for ``/healthz``, measures the single-request latency (sequential, warm) as the baseline, then runs
the load: ``--clients`` threads POSTing ``/api/match`` until ``--requests`` are done or ``--seconds``
have passed, whichever comes first. Prints requests/s, p50/p95/p99 latency, the error count (goal: 0)
and the ratios to the single-request baseline, and the server's resident memory (after start-up, after
all requests, and its peak; Linux). Nothing leaves 127.0.0.1.

    python bench/serve_load.py [--requests 200] [--seconds 60] [--clients 8] [--backend minilm]
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"


def bios() -> list[str]:
    """Bundled example bios of every role, short and long (no personal data)."""
    texts = []
    for path in sorted((ROOT / "corpus" / "examples").glob("*.csv")):
        texts += pd.read_csv(path)["text"].head(3).tolist()
    clear = ROOT / "tests" / "data" / "clear_bios.csv"
    if clear.is_file():
        texts += pd.read_csv(clear)["text"].tolist()
    return texts


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_server(port: int, backend: str) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "matcher",
        "serve",
        "--host",
        HOST,
        "--port",
        str(port),
        "--no-access-log",
        "--backend",
        backend,
    ]
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def wait_ready(url: str, server: subprocess.Popen, timeout_s: float = 180) -> float:
    start = time.perf_counter()
    while time.perf_counter() - start < timeout_s:
        if server.poll() is not None:
            sys.exit(f"the server exited early (code {server.returncode}):\n{server.stdout.read()}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return time.perf_counter() - start
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    sys.exit(f"the server did not answer {url}/healthz within {timeout_s:.0f} s")


def stop_server(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGINT)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def memory(pid: int) -> dict[str, float]:
    """``VmRSS`` (now) and ``VmHWM`` (peak) of process ``pid`` in MiB; empty where /proc is missing."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return {}
    fields = dict(line.split(":", 1) for line in lines if ":" in line)
    return {k: int(fields[k].split()[0]) / 1024 for k in ("VmRSS", "VmHWM") if k in fields}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def single_latency(url: str, texts: list[str]) -> tuple[float, float]:
    """One request at a time (warm), one pass over the same texts as the load: (median s, req/s)."""
    times = []
    with httpx.Client(timeout=60) as client:
        client.post(f"{url}/api/match", json={"text": texts[0]})
        for text in texts:
            start = time.perf_counter()
            client.post(f"{url}/api/match", json={"text": text, "top": 5}).raise_for_status()
            times.append(time.perf_counter() - start)
    return statistics.median(times), len(times) / sum(times)


def load(url: str, texts: list[str], clients: int, max_requests: int, max_seconds: float):
    """Run the load; returns (latencies in s, error messages, wall seconds)."""
    lock = threading.Lock()
    issued = 0
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.perf_counter() + max_seconds

    def client_loop() -> None:
        nonlocal issued
        with httpx.Client(timeout=max_seconds) as client:
            while time.perf_counter() < deadline:
                with lock:
                    if issued >= max_requests:
                        return
                    n = issued
                    issued += 1
                start = time.perf_counter()
                try:
                    response = client.post(f"{url}/api/match", json={"text": texts[n % len(texts)], "top": 5})
                    ok = response.status_code == 200 and response.json()["roles"]
                    error = None if ok else f"HTTP {response.status_code}"
                except (httpx.HTTPError, ValueError, KeyError) as exc:
                    error = type(exc).__name__
                elapsed = time.perf_counter() - start
                with lock:
                    (errors.append(error) if error else latencies.append(elapsed))

    start = time.perf_counter()
    threads = [threading.Thread(target=client_loop) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--backend", default="minilm", choices=["minilm", "onnx", "static"])
    args = parser.parse_args()

    texts = bios()
    port = free_port()
    url = f"http://{HOST}:{port}"
    server = start_server(port, args.backend)
    try:
        ready = wait_ready(url, server)
        started = memory(server.pid)
        single, sequential_rps = single_latency(url, texts)
        latencies, errors, wall = load(url, texts, args.clients, args.requests, args.seconds)
        loaded = memory(server.pid)
    finally:
        stop_server(server)

    done = len(latencies)
    words = statistics.median(len(t.split()) for t in texts)
    print(
        f"server: {url} ({args.backend}), ready in {ready:.1f} s; "
        f"texts: {len(texts)} bios, median {words:.0f} words"
    )
    print(
        f"single request (sequential, warm, one pass over the texts): median {1000 * single:.0f} ms, "
        f"{sequential_rps:.1f} req/s"
    )
    print(
        f"load: {args.clients} clients, {done + len(errors)} requests in {wall:.1f} s "
        f"(bounds: {args.requests} requests / {args.seconds:.0f} s)"
    )
    if done:
        p50, p95, p99 = (percentile(latencies, q) for q in (50, 95, 99))
        rps = done / wall
        print(f"  throughput {rps:.1f} req/s ({rps / sequential_rps:.2f}x the sequential rate)")
        print(
            f"  latency p50 {1000 * p50:.0f} ms, p95 {1000 * p95:.0f} ms, p99 {1000 * p99:.0f} ms "
            f"(p50 = {p50 / single:.1f}x the single-request latency: {args.clients} clients share one "
            "model thread)"
        )
    if started and loaded:
        served = len(texts) + 1 + done + len(errors)
        print(
            f"server memory: RSS {started['VmRSS']:,.0f} MiB after start-up, {loaded['VmRSS']:,.0f} MiB after "
            f"{served:,} requests (peak {loaded['VmHWM']:,.0f} MiB)"
        )
    print(f"  errors: {len(errors)}" + (f" ({', '.join(sorted(set(errors)))})" if errors else ""))
    if errors:
        sys.exit(1)


if __name__ == "__main__":
    main()
