"""Python multiprocessing side of spindle-bench's manager benchmark.

Measures, with the same shapes as dev.spindle.bench.ManagerBench:
  * Manager().dict() from a child process: `d[k] = i` then `d[k]`, operations per second (each
    assignment and each read is one operation), measured inside the child;
  * the same against a BaseManager served on 127.0.0.1 (a server process) by a client process
    that connects with the address and authkey, as an unrelated program would.
Prints one JSON object per line. Every loop is bounded by its count.
"""
import argparse
import json
import multiprocessing as mp
import time
from multiprocessing.managers import BaseManager, DictProxy

CTX = mp.get_context("fork")
KEYS = 1000


def set_get(d, n, out):
    t0 = time.perf_counter()
    for i in range(n):
        k = i % KEYS
        d[k] = i
        d[k]
    out.put(2 * n / (time.perf_counter() - t0))


def local_rate(n):
    with CTX.Manager() as manager:
        d = manager.dict()
        out = CTX.Queue()
        p = CTX.Process(target=set_get, args=(d, n, out))
        p.start()
        p.join()
        rate = out.get(timeout=5)
    return {"what": "manager-dict", "where": "local", "ops": 2 * n, "per_s": rate}


SHARED = {}


def get_shared():
    return SHARED


class DictManager(BaseManager):
    pass


DictManager.register("get_shared", callable=get_shared, proxytype=DictProxy)


def serve(port, key, ready):
    manager = DictManager(address=("127.0.0.1", port), authkey=key)
    server = manager.get_server()
    ready.put(server.address[1])
    server.serve_forever()


def remote_client(port, key, n, out):
    manager = DictManager(address=("127.0.0.1", port), authkey=key)
    manager.connect()
    set_get(manager.get_shared(), n, out)


def remote_rate(n):
    key = b"spindle-bench-key-0123456789"
    ready = CTX.Queue()
    server = CTX.Process(target=serve, args=(0, key, ready), daemon=True)
    server.start()
    port = ready.get()
    out = CTX.Queue()
    client = CTX.Process(target=remote_client, args=(port, key, n, out))
    client.start()
    client.join()
    rate = out.get(timeout=5)
    server.terminate()
    server.join()
    return {"what": "manager-dict", "where": "remote", "ops": 2 * n, "per_s": rate}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ops", type=int, default=20000, help="set + get pairs per measurement")
    args = parser.parse_args()
    for row in (local_rate(args.ops), remote_rate(args.ops)):
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
