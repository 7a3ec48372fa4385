#!/usr/bin/env python3
"""tern beside the Socket.IO relay, in one run, with the same kind of client.

The relay and its load client are the shared peer (../shared/peers: a bare Socket.IO 4.8 relay
that stores and acknowledges nothing); tern's client is web/bench/tern_load.mjs, the same shape
speaking tern's protocol. Each server is started fresh for each mode, one at a time; its CPU time
(utime + stime) and resident memory are read from /proc when the client prints READY and when it
exits, so set-up (registration, connecting) is never counted.

    python3 scripts/peer_bench.py [--peers DIR] [--tern target/release/tern] [--quick]

Prints a table of both servers' figures and their ratio. Needs node and npm (the relay's packages
are installed into a temporary directory).
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_kib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def wait_for_port(port, deadline=20.0):
    import socket

    end = time.time() + deadline
    while time.time() < end:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise SystemExit(f"nothing listens on 127.0.0.1:{port}")


def measure(server_cmd, server_env, client_cmd, client_env, cwd, port):
    """Runs one client against a fresh server; returns the client's output and the server's
    CPU seconds and RSS at READY and at the end."""
    server = subprocess.Popen(server_cmd, env=server_env, cwd=cwd,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        rss_start = rss_kib(server.pid)
        client = subprocess.Popen(client_cmd, env=client_env, cwd=cwd, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        out, ready = [], None
        for line in client.stdout:
            out.append(line.rstrip())
            if line.strip() == "READY":
                ready = (cpu_seconds(server.pid), rss_kib(server.pid))
        client.wait()
        end = (cpu_seconds(server.pid), rss_kib(server.pid))
        if client.returncode != 0 or ready is None:
            raise SystemExit("client failed:\n" + "\n".join(out))
        return "\n".join(out), rss_start, ready, end
    finally:
        server.terminate()
        server.wait()


def figures(mode, n, out, rss_start, ready, end):
    cpu = end[0] - ready[0]
    if mode == "idle":
        return {"KiB per connection": (ready[1] - rss_start) / n}
    sent = int(re.search(r"sent=(\d+)", out).group(1))
    lat = dict(re.findall(r"(p50|p99|max)=([\d.]+)", out))
    got = {"µs CPU per message": cpu * 1e6 / max(sent, 1)}
    if mode == "rate":
        got.update({f"{k} ms": float(v) for k, v in lat.items()})
    else:
        got["msg/s"] = float(re.search(r"-> (\d+) msgs/s", out).group(1))
    return got


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--peers", default=str(ROOT.parent / "shared" / "peers"))
    ap.add_argument("--tern", default=str(ROOT / "target" / "release" / "tern"))
    ap.add_argument("--quick", action="store_true", help="smaller and shorter, to check it runs")
    args = ap.parse_args()
    modes = [("idle", 5000, 10), ("rate", 1000, 1000, 20), ("saturate", 100, 16, 10)]
    if args.quick:
        modes = [("idle", 50, 1), ("rate", 20, 50, 2), ("saturate", 10, 2, 2)]
    if not Path(args.tern).exists():
        raise SystemExit(f"{args.tern} is missing: cargo build --release -p tern-server")

    work = Path(tempfile.mkdtemp(prefix="peer-bench-"))
    try:
        shutil.copy(Path(args.peers) / "socketio_server.js", work / "server.js")
        shutil.copy(Path(args.peers) / "socketio_load.js", work / "load.js")
        shutil.copy(ROOT / "web" / "bench" / "tern_load.mjs", work / "tern_load.mjs")
        subprocess.run(["npm", "init", "-y"], cwd=work, check=True, stdout=subprocess.DEVNULL)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "socket.io@4.8",
                        "socket.io-client@4.8", "ws@8"], cwd=work, check=True,
                       stdout=subprocess.DEVNULL)
        base = {k: v for k, v in os.environ.items() if not k.startswith("TERN_")}
        results = {}
        for mode, n, *rest in modes:
            params = [mode, str(n)] + [str(x) for x in rest]
            relay_env = dict(base, PORT="3911")
            results[("relay", mode)] = figures(mode, n, *measure(
                ["node", "server.js"], relay_env, ["node", "load.js", *params], relay_env,
                work, 3911))
            data = Path(tempfile.mkdtemp(prefix="tern-", dir=work))
            tern_env = dict(base, TERN_SERVER_LISTEN="127.0.0.1:3912",
                            TERN_SERVER_DATA_DIR=str(data), TERN_SERVER_LOG="warn",
                            TERN_SECURITY_ARGON2_MEMORY_KIB="1024")
            results[("tern", mode)] = figures(mode, n, *measure(
                [args.tern], tern_env, ["node", "tern_load.mjs", *params], dict(base, PORT="3912"),
                work, 3912))
            print(f"  {mode} done", file=sys.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"| same run, {time.strftime('%Y-%m-%d')} | Socket.IO 4.8 relay | tern (SQLite, durable) | tern / relay |")
    print("|---|---|---|---|")
    for mode, n, *rest in modes:
        relay, tern = results[("relay", mode)], results[("tern", mode)]
        for key in relay:
            r, t = relay[key], tern.get(key, float("nan"))
            print(f"| {mode} {n} {' '.join(map(str, rest))}: {key} | {r:.2f} | {t:.2f} | {t / r if r else float('nan'):.2f} |")


if __name__ == "__main__":
    main()
