"""100,000 submissions through `policyhub-client eval --jsonl` against a live server, with the
client's memory measured: peak RSS of a 10,000-line run and of a 100,000-line run, and RSS
sampled during the long run against the lines done so far. Flat memory means the two peaks
match and the samples do not grow with the lines.

    python clients/python/scripts/jsonl_100k.py [--lines 100000] [--keep DIR]   (make client-100k)

Requests cycle through every pack's fixture cases, each with request_id "line-N", so the output
is checked for order, and for errors exactly where a case expects one. Not part of the test suite: it takes minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from live_server import REPO, LiveServer  # noqa: E402

from policyhub_client import load_yaml  # noqa: E402


def fixture_cases() -> list[dict]:
    cases = []
    for path in sorted(REPO.glob("policy_packs/*/fixtures/*.yaml")):
        cases += load_yaml(path.read_text(encoding="utf-8"))["cases"]
    return cases


def write_jsonl(path: Path, lines: int, cases: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for n in range(lines):
            request = dict(cases[n % len(cases)]["request"], request_id=f"line-{n + 1}")
            out.write(json.dumps(request, ensure_ascii=False) + "\n")


def rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))


def run_client(target: str, source: Path, output: Path, progress_log: Path, sample_every: float = 2.0):
    """Runs the command; returns (peak RSS KiB from wait4, [(lines done, RSS KiB)], seconds, exit code)."""
    command = [sys.executable, "-m", "policyhub_client", "eval", "--jsonl", "--progress",
               "--target", target, str(source)]
    started = time.monotonic()
    with output.open("wb") as out, progress_log.open("wb") as err:
        process = subprocess.Popen(command, stdout=out, stderr=err)
        samples: list[tuple[int, int]] = []
        finished = threading.Event()

        def sample():
            while not finished.wait(sample_every):
                rss = rss_kib(process.pid)
                if rss is not None:
                    samples.append((count_lines(output), rss))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        finished.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_maxrss, samples, time.monotonic() - started, process.returncode


def check_output(output: Path, lines: int, cases: list[dict]) -> dict[str, int]:
    """Every line answered, in order, with an error exactly where its fixture case expects one."""
    counts = {"decision": 0, "error": 0}
    with output.open(encoding="utf-8") as results:
        for n, line in enumerate(results):
            result = json.loads(line)
            if result["index"] != n or result["request_id"] != f"line-{n + 1}":
                raise SystemExit(f"result {n} out of order: {line[:200]}")
            expected = cases[n % len(cases)]["expect"].get("error")
            got = result["error"]["code"] if "error" in result else None
            if got != expected:
                raise SystemExit(f"line {n + 1}: expected {expected or 'a decision'}, got {got or 'a decision'}")
            counts["decision" if got is None else "error"] += 1
    if sum(counts.values()) != lines:
        raise SystemExit(f"{sum(counts.values())} results for {lines} lines")
    return counts


def last_progress(progress_log: Path) -> str:
    text = progress_log.read_text(encoding="utf-8", errors="replace")
    return text.replace("\r", "\n").strip().splitlines()[-1] if text.strip() else "(none)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="keep inputs and outputs in this directory")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="policyhub-100k-"))
    work.mkdir(parents=True, exist_ok=True)
    cases = fixture_cases()
    short_lines = max(args.lines // 10, 1)
    short, long_ = work / f"requests-{short_lines}.jsonl", work / f"requests-{args.lines}.jsonl"
    write_jsonl(short, short_lines, cases)
    write_jsonl(long_, args.lines, cases)
    print(f"inputs: {short_lines} and {args.lines} lines cycling {len(cases)} fixture cases; "
          f"{long_.stat().st_size / 1e6:.1f} MB for the long one ({work})")

    server = LiveServer()
    try:
        figures = {}
        for name, source in (("short", short), ("long", long_)):
            lines = count_lines(source)
            output, progress_log = work / f"results-{lines}.jsonl", work / f"progress-{lines}.log"
            peak, samples, seconds, code = run_client(server.target, source, output, progress_log)
            counts = check_output(output, lines, cases)
            figures[name] = (lines, peak, samples)
            print(f"{lines:>7} lines: exit {code}, {seconds:.0f} s ({lines / seconds:.0f} req/s), "
                  f"peak RSS {peak / 1024:.1f} MiB; {counts['decision']} decisions, {counts['error']} errors, "
                  f"in order, each error where its fixture case expects one")
            print(f"         progress bar's last state: {last_progress(progress_log)}")
        lines, _, samples = figures["long"]
        if samples:
            marks = [s for s in samples if s[0] > 0]
            near = lambda target: min(marks, key=lambda s: abs(s[0] - target))  # noqa: E731
            for done, rss in sorted({near(target) for target in (lines // 10, lines // 2, lines)}):
                print(f"         RSS at {done:>7} lines done: {rss / 1024:.1f} MiB")
            print(f"         RSS over {len(marks)} samples: min {min(r for _, r in marks) / 1024:.1f}, "
                  f"max {max(r for _, r in marks) / 1024:.1f} MiB")
        short_peak, long_peak = figures["short"][1], figures["long"][1]
        print(f"peak RSS, {figures['long'][0]} lines vs {figures['short'][0]}: {long_peak / short_peak:.2f}x")
    finally:
        server.stop()
        if not args.keep:
            for path in work.iterdir():
                path.unlink()
            work.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main())
