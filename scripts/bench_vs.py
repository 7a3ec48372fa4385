#!/usr/bin/env python3
"""Before landing: this checkout's release build against another commit's, pair by pair.

Builds BASE (default: HEAD, i.e. the last commit, so uncommitted work is measured against it)
in a worktree with its own tern-bench, builds this checkout, then runs S1, S3, S4 (1,000 and
10,000 msg/s) and S5 in turns, old then new, RUNS times each (the machine drifts, so only
same-run ratios count). Prints the median of each figure, the ratio new / old, and flags a
figure more than 10 % worse.

    python3 scripts/bench_vs.py [--base REV] [--runs 3] [--quick]
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# (name, tern-bench arguments, figures read from its line: (label, regex, lower is better))
SCENARIOS = [
    ("S1", ["idle", "--clients", "5000"],
     [("KiB per connection", r"([\d.]+) KiB per connection", True)]),
    ("S3", ["saturate", "--pairs", "50", "--window", "32", "--secs", "8"],
     [("msg/s", r"([\d.]+) msg/s", False), ("µs CPU/msg", r"server CPU ([\d.]+) µs", True)]),
    ("S4 1k", ["rate", "--clients", "1000", "--rate", "1000", "--secs", "10"],
     [("p50 ms", r"p50 ([\d.]+) ms", True), ("p99 ms", r"p99 ([\d.]+)", True),
      ("µs CPU/msg", r"server CPU ([\d.]+) µs", True)]),
    ("S4 10k", ["rate", "--clients", "1000", "--rate", "10000", "--secs", "5"],
     [("p50 ms", r"p50 ([\d.]+) ms", True), ("p99 ms", r"p99 ([\d.]+)", True)]),
    ("S5", ["fanout", "--members", "1000", "--rate", "200", "--secs", "10"],
     [("µs/delivery", r"([\d.]+) µs/delivery", True), ("p99 ms", r"p99 ([\d.]+)", True)]),
]


def build(source, target_dir):
    env = dict(os.environ, CARGO_TARGET_DIR=str(target_dir), TERN_WEB_BUILD="skip")
    subprocess.run(["cargo", "build", "--release", "-p", "tern-server", "-p", "tern-bench"],
                   cwd=source, env=env, check=True)
    return target_dir / "release"


def run(binaries, args, quick):
    cmd = [str(binaries / "tern-bench"), *args, "--tern", str(binaries / "tern")]
    if quick:
        cmd.insert(1, "--smoke")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TERN_")}
    out = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{out.stdout}\n{out.stderr}")
    return out.stdout.strip().splitlines()[-1]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", default="HEAD")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="smoke sizes: checks that it runs")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-vs-"))
    worktree = work / "base"
    try:
        subprocess.run(["git", "worktree", "add", "--detach", str(worktree), args.base],
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        old = build(worktree, ROOT / "target" / "bench-base")
        # Both without the web client (it does not run in these scenarios), each in a target
        # directory of its own so that the everyday builds are not invalidated.
        new = build(ROOT, ROOT / "target" / "bench-new")
        # Copies, so that a build during the runs cannot swap a binary under them.
        for side, path in (("old", old), ("new", new)):
            (work / side).mkdir()
            for name in ("tern", "tern-bench"):
                shutil.copy(path / name, work / side / name)
        seen = {}
        for name, bench_args, figures in SCENARIOS:
            for i in range(args.runs):
                for side in ("old", "new"):
                    line = run(work / side, bench_args, args.quick)
                    for label, pattern, _ in figures:
                        match = re.search(pattern, line)
                        if match:
                            seen.setdefault((name, label, side), []).append(float(match.group(1)))
                print(f"  {name}: run {i + 1} of {args.runs}", file=sys.stderr)
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(worktree)], cwd=ROOT,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(work, ignore_errors=True)

    print(f"| figure (median of {args.runs}) | {args.base} | this checkout | new / old |")
    print("|---|---|---|---|")
    worse = 0
    for name, _, figures in SCENARIOS:
        for label, _, lower_is_better in figures:
            old_v, new_v = seen.get((name, label, "old")), seen.get((name, label, "new"))
            if not old_v or not new_v:
                continue
            a, b = statistics.median(old_v), statistics.median(new_v)
            ratio = b / a if a else float("nan")
            bad = ratio > 1.10 if lower_is_better else ratio < 0.90
            worse += bad
            print(f"| {name} {label} | {a:.2f} | {b:.2f} | {ratio:.2f}{' (worse)' if bad else ''} |")
    if worse:
        print(f"{worse} figure(s) more than 10 % worse: rerun with more --runs to tell a drift "
              "from a regression, then find the cause", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
