"""Python multiprocessing side of spindle-bench's queue and lock benchmark.

Measures, with the same shapes as dev.spindle.bench.QueueBench (every queue and lock is created
in the parent, as the seeds do, and used by child processes):
  * Queue throughput, items per second from go to the last consumer's last get: 1 producer to
    1 consumer and 4 producers to 4 consumers, for small objects (a tuple of an int and a short
    string) and 64-byte byte strings;
  * JoinableQueue round trips per second: the parent puts one item, a child gets it and calls
    task_done, the parent's join returns;
  * Lock acquire + release per second: uncontended (one child), and contended (two children at once).
Prints one JSON object per line. Every loop is bounded by its count.
"""
import argparse
import json
import multiprocessing as mp
import sys
import time

CTX = mp.get_context("fork")


def item(kind, i):
    return (i, "baozi") if kind == "objects" else b"x" * 64


def produce(q, go, kind, n):
    go.wait()
    for i in range(n):
        q.put(item(kind, i))


def consume(q, done, n):
    for _ in range(n):
        q.get()
    done.put(1)


def queue_rate(kind, n, producers, consumers):
    q = CTX.Queue()
    go = CTX.Event()
    done = CTX.Queue()
    each_p = n // producers
    each_c = n // consumers
    procs = [CTX.Process(target=produce, args=(q, go, kind, each_p)) for _ in range(producers)]
    procs += [CTX.Process(target=consume, args=(q, done, each_c)) for _ in range(consumers)]
    for p in procs:
        p.start()
    t0 = time.perf_counter()
    go.set()
    for _ in range(consumers):
        done.get()
    elapsed = time.perf_counter() - t0
    for p in procs:
        p.join()
    return {"what": "queue", "name": "python", "shape": "%dx%d" % (producers, consumers), "payload": kind,
            "items": each_p * producers, "per_s": each_p * producers / elapsed}


def task_doer(q, n):
    for _ in range(n):
        q.get()
        q.task_done()


def joinable(n):
    q = CTX.JoinableQueue()
    p = CTX.Process(target=task_doer, args=(q, 2 * n))
    p.start()
    rate = 0.0
    for _ in range(2):  # a warm-up batch, then the measured one
        t0 = time.perf_counter()
        for i in range(n):
            q.put(i)
            q.join()
        rate = n / (time.perf_counter() - t0)
    p.join()
    return {"what": "joinable", "name": "python", "round_trips": n, "per_s": rate}


def locker(lock, go, done, n):
    go.wait()
    t0 = time.perf_counter()
    for _ in range(n):
        lock.acquire()
        lock.release()
    done.put(time.perf_counter() - t0)


def lock_rate(n, children):
    lock = CTX.Lock()
    go = CTX.Event()
    done = CTX.Queue()
    procs = [CTX.Process(target=locker, args=(lock, go, done, n)) for _ in range(children)]
    for p in procs:
        p.start()
    t0 = time.perf_counter()
    go.set()
    for _ in range(children):
        done.get()
    elapsed = time.perf_counter() - t0
    for p in procs:
        p.join()
    return {"what": "lock", "name": "python", "children": children, "per_s": n * children / elapsed}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=200000)
    parser.add_argument("--round-trips", type=int, default=5000)
    parser.add_argument("--locks", type=int, default=200000)
    args = parser.parse_args()
    for producers, consumers in ((1, 1), (4, 4)):
        for kind in ("objects", "bytes64"):
            print(json.dumps(queue_rate(kind, args.items, producers, consumers)), flush=True)
    print(json.dumps(joinable(args.round_trips)), flush=True)
    for children in (1, 2):
        print(json.dumps(lock_rate(args.locks, children)), flush=True)


if __name__ == "__main__":
    sys.exit(main())
