"""UDP datagrams at a steady rate, for the live-capture throughput measurement (run inside a namespace).

    python3 udpFlood.py DESTINATION PORT PACKETS_PER_SECOND SECONDS PAYLOAD_BYTES

Prints how many datagrams it sent. Standard library only.
"""
import socket
import sys
import time

destination, port, rate, seconds, size = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
payload = b'w' * size
address = (destination, port)
sent = 0
start = time.perf_counter()
while True:
    elapsed = time.perf_counter() - start
    if elapsed >= seconds:
        break
    due = int(elapsed * rate)
    while sent < due:
        sock.sendto(payload, address)
        sent += 1
print(sent, round(time.perf_counter() - start, 3))
