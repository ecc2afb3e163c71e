"""The browser app's form-to-plan round trip (issue 23): one answer changed, the case file saved, the
plan re-evaluated and rendered, measured as a browser sees it (an HTTP POST to a running server on
this machine, over a real socket) and, apart, in the app alone (Starlette's test client, no socket).

    python bench/web_roundtrip.py [--rounds 200] [--case cases/riverside-fqhc.yaml]

Prints the median and the 95th percentile in milliseconds. Nothing is asserted: the figures go to
bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _figures(times: list[float]) -> str:
    times = sorted(times)
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    return f"median {statistics.median(times) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms (n={len(times)})"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=200)
    ap.add_argument("--case", default="cases/riverside-fqhc.yaml")
    args = ap.parse_args()
    import httpx
    from starlette.testclient import TestClient

    from tests.test_web import Server
    from webapp.app import Settings, create_app

    folder = Path(tempfile.mkdtemp(prefix="isp-web-bench-"))
    shutil.copy(args.case, folder)
    stem = Path(args.case).stem
    values = ["high", "low", "moderate"]
    with Server(folder) as srv:
        headers = {"X-CSRF-Token": srv.settings.csrf, "HX-Request": "true"}
        client = httpx.Client(base_url=srv.url)
        page = client.get(f"/case/{stem}")
        assert page.status_code == 200
        for i in range(5):  # warm up
            client.post(
                f"/case/{stem}/field", data={"path": "relationships.trust", "value": values[i % 3]}, headers=headers
            )
        over_http = []
        for i in range(args.rounds):
            start = time.perf_counter()
            res = client.post(
                f"/case/{stem}/field", data={"path": "relationships.trust", "value": values[i % 3]}, headers=headers
            )
            over_http.append(time.perf_counter() - start)
            assert res.status_code == 200 and 'id="plan"' in res.text
    settings = Settings(workspace=str(folder))
    app_only = []
    tc = TestClient(create_app(settings), base_url="http://127.0.0.1:8765")
    headers = {"X-CSRF-Token": settings.csrf, "HX-Request": "true"}
    for i in range(args.rounds):
        start = time.perf_counter()
        tc.post(f"/case/{stem}/field", data={"path": "relationships.trust", "value": values[i % 3]}, headers=headers)
        app_only.append(time.perf_counter() - start)
    print(f"form-to-plan over HTTP (uvicorn, one answer saved and the plan rendered): {_figures(over_http)}")
    print(f"the same in the app alone (test client, no socket): {_figures(app_only)}")
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
