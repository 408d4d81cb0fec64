"""The seeds' ThreadingUDPServer echo, for spindle-bench's datagram benchmark.

Usage: udp_echo_server.py PORT  -- prints "listening PORT", serves until stdin closes.
"""
import socketserver
import sys
import threading


class Echo(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        sock.sendto(data, self.client_address)


def main():
    server = socketserver.ThreadingUDPServer(("127.0.0.1", int(sys.argv[1])), Echo)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print("listening", server.server_address[1], flush=True)
    sys.stdin.read()
    server.shutdown()


if __name__ == "__main__":
    main()
