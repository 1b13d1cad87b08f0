"""Benchmark ``dtrun serve``'s API over real HTTP (issue 22): a server on a free localhost port.

* ``POST /api/evaluate`` with 10,000 HER2 records in one request (``scripts/make_patients.py``,
  seed 1): records per second, median of ``--runs``;
* one record per request, ``--singles`` requests one after another: the latency's median and
  99th percentile.

The server is ``python -m engine.cli serve`` in a child process (uvicorn, one worker), the
client httpx2 in this one; both on this machine, so the numbers include HTTP and JSON both ways.

    python benchmarks/bench_serve.py [--records 10000] [--runs 5] [--singles 500] [--no-docs]

The report is written into ``docs/benchmarks.md`` under the section "Serve".
"""

from __future__ import annotations

import argparse
import csv
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_evaluate import ROOT, WORKBOOK, machine  # noqa: E402
from bench_lint import write_docs  # noqa: E402

SECTION = "Serve"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def records(count: int, folder: Path) -> list[dict[str, str | None]]:
    path = folder / "patients.csv"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_patients.py"), "--n", str(count), "--seed", "1",
                    "-o", str(path)], check=True)
    with path.open(encoding="utf-8", newline="") as handle:
        return [{k: (v or None) for k, v in row.items()} for row in csv.DictReader(handle)]


def main() -> None:
    import httpx2 as httpx

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--singles", type=int, default=500)
    parser.add_argument("--no-docs", action="store_true")
    options = parser.parse_args()
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "engine.cli", "serve", str(WORKBOOK), "--port", str(port)],
                              cwd=ROOT, stderr=subprocess.DEVNULL)
    try:
        with tempfile.TemporaryDirectory() as folder:
            batch = records(options.records, Path(folder))
        url = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=url, timeout=120) as client:
            for _ in range(100):  # until the server listens
                try:
                    client.get("/api/tables")
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            times = []
            for _ in range(options.runs):
                start = time.perf_counter()
                response = client.post("/api/evaluate", json=batch)
                times.append(time.perf_counter() - start)
                assert response.status_code == 200 and len(response.json()) == len(batch), response.text[:300]
            latencies = []
            for record in (batch * (options.singles // len(batch) + 1))[:options.singles]:
                start = time.perf_counter()
                response = client.post("/api/evaluate", json=record)
                latencies.append(time.perf_counter() - start)
                assert response.status_code == 200, response.text[:300]
    finally:
        server.terminate()
        server.wait(timeout=30)
    batch_s = statistics.median(times)
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))]
    text = "\n".join([
        f"## {SECTION}", "", machine(), "",
        "`python benchmarks/bench_serve.py`: `dtrun serve` on the HER2 workbook in a child process (uvicorn, one "
        "worker), an httpx2 client in this one, over HTTP on 127.0.0.1.", "",
        "| measure | value |", "|---|---|",
        f"| `POST /api/evaluate`, {len(batch):,} records in one request (median of {options.runs}) | "
        f"{batch_s:.3f} s: {len(batch) / batch_s:,.0f} records/s |",
        f"| one record per request, {options.singles} requests: latency median / 99th percentile | "
        f"{statistics.median(latencies) * 1000:.1f} / {p99 * 1000:.1f} ms |", ""])
    print(text)
    if not options.no_docs:
        write_docs(text, {}, ROOT / "docs" / "benchmarks.md", SECTION)


if __name__ == "__main__":
    main()
