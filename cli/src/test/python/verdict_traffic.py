#!/usr/bin/env python3
"""Traffic for the user-verdict live test, run inside the test's namespaces; every loop and wait is bounded.

    verdict_traffic.py server --seconds S
        TCP echo on ports 5001 and 5002, UDP echo on 6001 and 6002; prints "listening", then one line per accepted
        TCP connection ("accepted PORT"); ends after S seconds.
    verdict_traffic.py blocked-tcp HOST PORT       prints "blocked" if the connection attempt times out, else "connected"
    verdict_traffic.py tcp-echo HOST PORT BYTES [--pace-ms MS]
        sends BYTES pattern bytes in 16 KiB chunks (MS between chunks) and reads the echo; prints "ok BYTES" when the
        echo is the bytes sent, byte for byte, else "mismatch ..."
    verdict_traffic.py udp-echo HOST PORT COUNT    one datagram at a time, each waiting for its echo: "SENT_HEX ECHO_HEX"
    verdict_traffic.py udp-stream HOST PORT SECONDS INTERVAL_MS
        datagrams every INTERVAL_MS for SECONDS, each waiting for its echo; prints "sent N echoed M lost L maxgap_ms G"
        where G is the longest time between two echoes
"""

import socket
import sys
import threading
import time

CHUNK = 16384


def pattern(length):
    return bytes((i * 7 + (i >> 8)) & 0xFF for i in range(length))


def server(seconds):
    deadline = time.monotonic() + seconds
    lock = threading.Lock()

    def say(line):
        with lock:
            print(line, flush=True)

    def tcp(port):
        listener = socket.create_server(("0.0.0.0", port))
        listener.settimeout(0.2)
        while time.monotonic() < deadline:
            try:
                connection, _ = listener.accept()
            except socket.timeout:
                continue
            say("accepted %d" % port)
            threading.Thread(target=echo_stream, args=(connection,), daemon=True).start()

    def echo_stream(connection):
        connection.settimeout(10)
        with connection:
            try:
                while True:
                    data = connection.recv(65536)
                    if not data:
                        return
                    connection.sendall(data)
            except OSError:
                return

    def udp(port):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("0.0.0.0", port))
        sock.settimeout(0.2)
        while time.monotonic() < deadline:
            try:
                data, peer = sock.recvfrom(65536)
            except socket.timeout:
                continue
            sock.sendto(data, peer)

    threads = [threading.Thread(target=tcp, args=(p,), daemon=True) for p in (5001, 5002)]
    threads += [threading.Thread(target=udp, args=(p,), daemon=True) for p in (6001, 6002)]
    for thread in threads:
        thread.start()
    say("listening")
    for thread in threads:
        thread.join()


def blocked_tcp(host, port):
    try:
        socket.create_connection((host, port), timeout=1.5).close()
        print("connected")
    except socket.timeout:
        print("blocked")


def tcp_echo(host, port, length, pace_ms):
    data = pattern(length)
    received = bytearray()
    with socket.create_connection((host, port), timeout=5) as sock:
        def read():
            while len(received) < length:
                chunk = sock.recv(65536)
                if not chunk:
                    return
                received.extend(chunk)

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        for offset in range(0, length, CHUNK):
            sock.sendall(data[offset:offset + CHUNK])
            if pace_ms:
                time.sleep(pace_ms / 1000)
        reader.join(30)
    if bytes(received) == data:
        print("ok %d" % length)
    else:
        print("mismatch: sent %d, echoed %d" % (length, len(received)))


def udp_echo(host, port, count):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(2)
        for i in range(count):
            payload = b"%04d MARKER datagram MARKER end" % i
            sock.sendto(payload, (host, port))
            try:
                echo, _ = sock.recvfrom(65536)
            except socket.timeout:
                echo = b""
            print(payload.hex(), echo.hex() or "-")


def udp_stream(host, port, seconds, interval_ms):
    sent = echoed = 0
    gap = 0.0
    last = time.monotonic()
    end = last + seconds
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(2)
        while time.monotonic() < end:
            payload = b"%06d stream" % sent
            sock.sendto(payload, (host, port))
            sent += 1
            try:
                echo, _ = sock.recvfrom(65536)
                if echo == payload:
                    echoed += 1
                    now = time.monotonic()
                    gap = max(gap, now - last)
                    last = now
            except socket.timeout:
                pass
            time.sleep(interval_ms / 1000)
    print("sent %d echoed %d lost %d maxgap_ms %d" % (sent, echoed, sent - echoed, gap * 1000))


def main(argv):
    command = argv[1]
    if command == "server":
        server(float(argv[3]))
    elif command == "blocked-tcp":
        blocked_tcp(argv[2], int(argv[3]))
    elif command == "tcp-echo":
        pace = int(argv[6]) if len(argv) > 6 and argv[5] == "--pace-ms" else 0
        tcp_echo(argv[2], int(argv[3]), int(argv[4]), pace)
    elif command == "udp-echo":
        udp_echo(argv[2], int(argv[3]), int(argv[4]))
    elif command == "udp-stream":
        udp_stream(argv[2], int(argv[3]), float(argv[4]), int(argv[5]))
    else:
        raise SystemExit("unknown command " + command)


if __name__ == "__main__":
    main(sys.argv)
