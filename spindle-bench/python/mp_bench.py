"""Python multiprocessing side of spindle-bench's process benchmark.

Measures, with the same shapes as dev.spindle.bench.ProcessBench:
  * start + join of a process running an empty function, per start method (fork, spawn, forkserver),
    and of 8 started at once (fork, forkserver);
  * Pipe throughput, child to parent, for 64-byte byte strings (send_bytes/recv_bytes), small
    objects (send/recv of a tuple (i, "hello", 3.14)) and 64 KiB byte strings; and parent to child
    for 64-byte byte strings (timed until the child says it has received them all).
Prints one JSON object per line. Every loop is bounded by its count.
"""
import argparse
import json
import multiprocessing as mp
import statistics
import sys
import time


def noop():
    pass


def producer(conn, kind, n):
    payload64 = b"x" * 64
    payload64k = b"x" * 65536
    for _ in range(2):  # a warm-up batch, then the measured one, as on the Java side
        conn.recv()
        if kind == "bytes64":
            for _ in range(n):
                conn.send_bytes(payload64)
        elif kind == "bytes64k":
            for _ in range(n):
                conn.send_bytes(payload64k)
        else:
            for i in range(n):
                conn.send((i, "hello", 3.14))
    conn.close()


def consumer(conn, n):
    for _ in range(2):  # a warm-up batch, then the measured one
        conn.recv()
        for _ in range(n):
            conn.recv_bytes()
        conn.send("done")
    conn.close()


def pipe_down(n):
    ctx = mp.get_context("fork")
    left, right = ctx.Pipe()
    p = ctx.Process(target=consumer, args=(right, n))
    p.start()
    right.close()
    payload64 = b"x" * 64
    rate = 0.0
    for _ in range(2):
        t0 = time.perf_counter()
        left.send("go")
        for _ in range(n):
            left.send_bytes(payload64)
        left.recv()
        rate = n / (time.perf_counter() - t0)
    p.join()
    return {"what": "pipe", "name": "python", "payload": "down64", "messages": n, "msgs_per_s": rate}


def start_join(method, runs):
    ctx = mp.get_context(method)
    samples = []
    for i in range(runs + 3):
        t0 = time.perf_counter()
        p = ctx.Process(target=noop)
        p.start()
        p.join()
        t1 = time.perf_counter()
        if i >= 3:
            samples.append((t1 - t0) * 1000.0)
    samples.sort()
    return {"what": "start+join", "name": "python " + method, "runs": runs,
            "median_ms": statistics.median(samples),
            "p90_ms": samples[min(len(samples) - 1, int(len(samples) * 0.9))]}


def start_join_burst(method, bursts, size=8):
    """size processes started one after another from one thread, then joined in turn; each one's
    time runs from its start() call to its join() returning. A warm-up burst is not counted."""
    ctx = mp.get_context(method)
    samples = []
    for b in range(bursts + 1):
        started = []
        for _ in range(size):
            t0 = time.perf_counter()
            p = ctx.Process(target=noop)
            p.start()
            started.append((t0, p))
        for t0, p in started:
            p.join()
            if b > 0:
                samples.append((time.perf_counter() - t0) * 1000.0)
    samples.sort()
    return {"what": "start+join", "name": "python %s, %d at once" % (method, size), "runs": len(samples),
            "median_ms": statistics.median(samples),
            "p90_ms": samples[min(len(samples) - 1, int(len(samples) * 0.9))]}


def pipe(kind, n):
    ctx = mp.get_context("fork")
    left, right = ctx.Pipe()
    p = ctx.Process(target=producer, args=(right, kind, n))
    p.start()
    right.close()
    receive = left.recv if kind == "objects" else left.recv_bytes
    rate = 0.0
    for _ in range(2):
        t0 = time.perf_counter()
        left.send("go")
        for _ in range(n):
            receive()
        rate = n / (time.perf_counter() - t0)
    p.join()
    return {"what": "pipe", "name": "python", "payload": kind, "messages": n, "msgs_per_s": rate}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--part", choices=["start", "pipe"], required=True)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--messages", type=int, default=200000)
    args = parser.parse_args()
    if args.part == "start":
        for method in ("fork", "spawn", "forkserver"):
            print(json.dumps(start_join(method, args.runs)), flush=True)
        for method in ("fork", "forkserver"):
            print(json.dumps(start_join_burst(method, max(1, args.runs // 8))), flush=True)
    else:
        for kind, n in (("bytes64", args.messages), ("objects", args.messages), ("bytes64k", args.messages // 20)):
            print(json.dumps(pipe(kind, n)), flush=True)
        print(json.dumps(pipe_down(args.messages)), flush=True)


if __name__ == "__main__":
    sys.exit(main())
