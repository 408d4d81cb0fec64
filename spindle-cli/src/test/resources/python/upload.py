"""The seeds' file-transfer client: struct.pack('i', len(header)), a JSON header, then the body.

usage: upload.py HOST PORT FILE [NAME]    prints the server's one-line JSON answer
"""
import json
import os
import socket
import struct
import sys

host, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
name = sys.argv[4] if len(sys.argv) > 4 else os.path.basename(path)
header = json.dumps({"filename": name, "file_size": os.path.getsize(path)}).encode("utf-8")

with socket.create_connection((host, port), timeout=30) as sock:
    sock.sendall(struct.pack("i", len(header)))
    sock.sendall(header)
    with open(path, "rb") as f:
        sock.sendfile(f)
    reply = sock.makefile("rb").readline()
print(reply.decode("utf-8").strip())
