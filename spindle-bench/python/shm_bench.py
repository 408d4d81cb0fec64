"""Python multiprocessing side of spindle-bench's shared-memory benchmark.

Measures, with the same shapes as dev.spindle.bench.ShmBench:
  * a shared counter incremented by 2 processes at once, as Python's documentation does it:
    `with v.get_lock(): v.value += 1` on a `Value('q', 0)`; increments per second, both together;
  * a bulk write of 1 MiB into shared memory and a read of it back, repeated: through
    `shared_memory.SharedMemory` (`buf[:] = data`, `bytes(buf)`) and through `Array('b', n,
    lock=False)` (a slice assignment and a slice read); MiB per second, both copies counted.
Prints one JSON object per line. Every loop is bounded by its count.
"""
import argparse
import json
import multiprocessing as mp
import time
from multiprocessing import shared_memory

CTX = mp.get_context("fork")


def increment(v, go, n):
    go.wait()
    for _ in range(n):
        with v.get_lock():
            v.value += 1


def counter_rate(n):
    v = CTX.Value("q", 0)
    go = CTX.Event()
    procs = [CTX.Process(target=increment, args=(v, go, n)) for _ in range(2)]
    for p in procs:
        p.start()
    time.sleep(0.2)
    t0 = time.perf_counter()
    go.set()
    for p in procs:
        p.join()
    elapsed = time.perf_counter() - t0
    assert v.value == 2 * n, v.value
    return {"what": "counter", "name": "python", "ops": 2 * n, "per_s": 2 * n / elapsed}


def bulk_shared_memory(size, rounds):
    block = shared_memory.SharedMemory(create=True, size=size)
    try:
        data = bytes(range(256)) * (size // 256)
        for _ in range(rounds // 10):
            block.buf[:size] = data
            back = bytes(block.buf[:size])
        t0 = time.perf_counter()
        for _ in range(rounds):
            block.buf[:size] = data
            back = bytes(block.buf[:size])
        elapsed = time.perf_counter() - t0
        assert back == data
    finally:
        block.close()
        block.unlink()
    return {"what": "bulk", "name": "python shared_memory", "mib_per_s": 2.0 * rounds * size / (1 << 20) / elapsed}


def bulk_array(size, rounds):
    array = CTX.Array("b", size, lock=False)
    data = bytes(range(128)) * (size // 128)
    for _ in range(max(1, rounds // 100)):
        array[:] = data
        back = array[:]
    n = max(1, rounds // 10)
    t0 = time.perf_counter()
    for _ in range(n):
        array[:] = data
        back = array[:]
    elapsed = time.perf_counter() - t0
    return {"what": "bulk", "name": "python Array", "mib_per_s": 2.0 * n * size / (1 << 20) / elapsed}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--increments", type=int, default=500000, help="per process")
    parser.add_argument("--size", type=int, default=1 << 20)
    parser.add_argument("--rounds", type=int, default=2000)
    args = parser.parse_args()
    for row in (counter_rate(args.increments), bulk_shared_memory(args.size, args.rounds),
                bulk_array(args.size, args.rounds)):
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
