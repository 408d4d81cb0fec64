"""Python multiprocessing side of spindle-bench's pool benchmark.

Measures, with the same shapes as dev.spindle.bench.PoolBench, on a Pool of --workers workers:
  * map of an identity function over --items ints with chunksize 1, and with the default chunks
    (items per second);
  * apply_async(f, (i,)).get() one after another: the round trip, in microseconds;
  * a CPU-bound map (each item a loop of --cpu-n multiply-adds) on 1 worker and on --workers
    workers: the speed-up;
  * concurrent.futures.ProcessPoolExecutor: submit --submits identity tasks, then wait for all
    (tasks per second).
Every measurement runs once to warm up, then once timed. Prints one JSON object per line.
"""
import argparse
import concurrent.futures as cf
import json
import multiprocessing as mp
import time

CTX = mp.get_context("fork")


def identity(x):
    return x


def burn(n):
    acc = 0
    for i in range(n):
        acc = (acc * 31 + i) & 0xFFFFFFFF
    return acc


def timed(fn):
    fn()
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--items", type=int, default=100_000)
    ap.add_argument("--round-trips", type=int, default=2_000)
    ap.add_argument("--cpu-items", type=int, default=16)
    ap.add_argument("--cpu-n", type=int, default=400_000)
    ap.add_argument("--submits", type=int, default=20_000)
    a = ap.parse_args()
    items = list(range(a.items))
    with CTX.Pool(a.workers) as pool:
        s = timed(lambda: pool.map(identity, items, chunksize=1))
        print(json.dumps({"what": "map-chunk-1", "per_s": a.items / s}), flush=True)
        s = timed(lambda: pool.map(identity, items))
        print(json.dumps({"what": "map-default", "per_s": a.items / s}), flush=True)
        def trips():
            for i in range(a.round_trips):
                pool.apply_async(identity, (i,)).get()
        s = timed(trips)
        print(json.dumps({"what": "apply-async-round-trip", "us": s / a.round_trips * 1e6}), flush=True)
        cpu = [a.cpu_n] * a.cpu_items
        many = timed(lambda: pool.map(burn, cpu))
    with CTX.Pool(1) as one:
        single = timed(lambda: one.map(burn, cpu))
    print(json.dumps({"what": "cpu-map-speedup", "speedup": single / many, "one_s": single,
                      "many_s": many}), flush=True)
    with cf.ProcessPoolExecutor(a.workers, mp_context=CTX) as ex:
        def submits():
            futures = [ex.submit(identity, i) for i in range(a.submits)]
            for f in futures:
                f.result()
        s = timed(submits)
        print(json.dumps({"what": "executor-submit", "per_s": a.submits / s}), flush=True)


if __name__ == "__main__":
    main()
