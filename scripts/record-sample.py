#!/usr/bin/env python3
"""Records samples/handshake-dns.pcapng: real traffic between two network namespaces.

    sudo python3 scripts/record-sample.py [OUTPUT]        (default: samples/handshake-dns.pcapng)

Needs root, iproute2 and dumpcap (Wireshark); uses only the Python standard library. It creates the
namespaces wl-client and wl-server joined by a veth pair (10.93.0.1/24 and fd93::1/64 on the client,
10.93.0.2/24 and fd93::2/64 on the server), captures on the client's end with dumpcap (pcapng), and makes:

  1. ARP and ICMP echo (ping 10.93.0.2), ICMPv6 echo with neighbour discovery (ping fd93::2);
  2. DNS over UDP to a small responder in this file: A, AAAA, CNAME (+A), MX, TXT, SRV, PTR, one
     NXDOMAIN, and the AAAA query once more over IPv6;
  3. DNS over TCP (an A query with its 2-byte length prefix);
  4. an HTTP-like request and response over TCP, IPv4 then IPv6: handshake, data, FIN close;
  5. one TCP connection reset (the client closes with SO_LINGER 0 after an exchange);
  6. a UDP datagram to a closed port, answered with ICMP (and ICMPv6) port unreachable.

The namespaces are removed afterwards, also on failure. Nothing leaves them.
"""

import os
import selectors
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

CLIENT_NS, SERVER_NS = 'wl-client', 'wl-server'
CLIENT_IF, SERVER_IF = 'veth-client', 'veth-server'
CLIENT_V4, SERVER_V4 = '10.93.0.1', '10.93.0.2'
CLIENT_V6, SERVER_V6 = 'fd93::1', 'fd93::2'
HTTP_PORT, RESET_PORT, CLOSED_PORT = 8080, 8081, 9

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUTPUT = os.path.join(ROOT, 'samples', 'handshake-dns.pcapng')

# ---------------------------------------------------------------- DNS (RFC 1035, RFC 3596, RFC 2782)

TYPE_A, TYPE_NS, TYPE_CNAME, TYPE_PTR, TYPE_MX, TYPE_TXT, TYPE_AAAA, TYPE_SRV = 1, 2, 5, 12, 15, 16, 28, 33
CLASS_IN = 1
TTL = 300

# name -> list of (type, rdata description); answers for the zone example.test.
ZONE = {
    'www.example.test': [(TYPE_A, SERVER_V4), (TYPE_AAAA, SERVER_V6)],
    'alias.example.test': [(TYPE_CNAME, 'www.example.test')],
    'example.test': [(TYPE_MX, (10, 'mail.example.test')), (TYPE_TXT, ['v=spf1 -all', 'wirelens sample'])],
    'mail.example.test': [(TYPE_A, '10.93.0.25')],
    '_http._tcp.example.test': [(TYPE_SRV, (0, 5, HTTP_PORT, 'www.example.test'))],
    '2.0.93.10.in-addr.arpa': [(TYPE_PTR, 'www.example.test')],
}


class NameWriter:
    """Writes names with RFC 1035 section 4.1.4 compression: a known suffix becomes a pointer."""

    def __init__(self):
        self.out = bytearray()
        self.offsets = {}

    def name(self, name):
        labels = name.rstrip('.').split('.') if name else []
        for i in range(len(labels)):
            suffix = '.'.join(labels[i:]).lower()
            if suffix in self.offsets:
                self.out += struct.pack('!H', 0xC000 | self.offsets[suffix])
                return
            if len(self.out) < 0x3FFF:
                self.offsets[suffix] = len(self.out)
            label = labels[i].encode()
            self.out += bytes([len(label)]) + label
        self.out.append(0)

    def raw(self, data):
        self.out += data


def read_name(message, at):
    """Returns (name, offset after the name in place), following pointers (bounded)."""
    labels, jumps, end = [], 0, None
    while True:
        length = message[at]
        if length & 0xC0 == 0xC0:
            if end is None:
                end = at + 2
            at = ((length & 0x3F) << 8) | message[at + 1]
            jumps += 1
            if jumps > 16:
                raise ValueError('pointer loop')
            continue
        if length == 0:
            return '.'.join(labels), (end if end is not None else at + 1)
        labels.append(message[at + 1:at + 1 + length].decode())
        at += 1 + length


def rdata(writer, rtype, value):
    """Appends RDLENGTH and RDATA for one record (names compressed against the message so far)."""
    start = len(writer.out)
    writer.raw(b'\0\0')
    if rtype == TYPE_A:
        writer.raw(socket.inet_pton(socket.AF_INET, value))
    elif rtype == TYPE_AAAA:
        writer.raw(socket.inet_pton(socket.AF_INET6, value))
    elif rtype in (TYPE_CNAME, TYPE_PTR, TYPE_NS):
        writer.name(value)
    elif rtype == TYPE_MX:
        writer.raw(struct.pack('!H', value[0]))
        writer.name(value[1])
    elif rtype == TYPE_TXT:
        for text in value:
            data = text.encode()
            writer.raw(bytes([len(data)]) + data)
    elif rtype == TYPE_SRV:
        writer.raw(struct.pack('!HHH', *value[:3]))
        writer.name(value[3])
    struct.pack_into('!H', writer.out, start, len(writer.out) - start - 2)


def answer(query):
    """A response to one query message: authoritative, with the CNAME chain followed inside the zone."""
    query_id, flags = struct.unpack('!HH', query[:4])
    name, after = read_name(query, 12)
    qtype, qclass = struct.unpack('!HH', query[after:after + 4])
    records, owner = [], name.lower()
    for _ in range(8):  # a bounded CNAME chain
        matches = ZONE.get(owner, [])
        direct = [(owner, t, v) for t, v in matches if t == qtype]
        if direct:
            records += direct
            break
        cname = next((v for t, v in matches if t == TYPE_CNAME), None)
        if cname is None:
            break
        records.append((owner, TYPE_CNAME, cname))
        owner = cname
    exists = any(n == name.lower() or n.endswith('.' + name.lower()) for n in ZONE)
    rcode = 0 if records or exists else 3  # NXDOMAIN for names outside the zone's tree
    # QR, opcode 0, AA, RD copied from the query, RA.
    response_flags = 0x8000 | 0x0400 | (flags & 0x0100) | 0x0080 | rcode
    writer = NameWriter()
    writer.raw(struct.pack('!HHHHHH', query_id, response_flags, 1, len(records), 0, 0))
    writer.name(name)
    writer.raw(struct.pack('!HH', qtype, qclass))
    for owner_name, rtype, value in records:
        writer.name(owner_name)
        writer.raw(struct.pack('!HHI', rtype, CLASS_IN, TTL))
        rdata(writer, rtype, value)
    return bytes(writer.out)


def query(query_id, name, qtype):
    writer = NameWriter()
    writer.raw(struct.pack('!HHHHHH', query_id, 0x0100, 1, 0, 0, 0))  # RD
    writer.name(name)
    writer.raw(struct.pack('!HH', qtype, CLASS_IN))
    return bytes(writer.out)


def reverse_name(ipv4):
    return '.'.join(reversed(ipv4.split('.'))) + '.in-addr.arpa'


# ---------------------------------------------------------------- the two sides


def serve():
    """Server namespace: DNS on UDP and TCP 53 (v4 and v6), HTTP-like on 8080, a chat on 8081."""
    selector = selectors.DefaultSelector()
    for family, address in ((socket.AF_INET, SERVER_V4), (socket.AF_INET6, SERVER_V6)):
        udp = socket.socket(family, socket.SOCK_DGRAM)
        udp.bind((address, 53))
        selector.register(udp, selectors.EVENT_READ, 'dns-udp')
        for port, role in ((53, 'dns-tcp'), (HTTP_PORT, 'http'), (RESET_PORT, 'chat')):
            listener = socket.socket(family, socket.SOCK_STREAM)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((address, port))
            listener.listen(4)
            selector.register(listener, selectors.EVENT_READ, role)
    print('ready', flush=True)
    while True:
        for key, _ in selector.select():
            sock, role = key.fileobj, key.data
            if role == 'dns-udp':
                message, peer = sock.recvfrom(4096)
                sock.sendto(answer(message), peer)
                continue
            conn, _ = sock.accept()
            with conn:
                if role == 'dns-tcp':
                    length = struct.unpack('!H', recv_exactly(conn, 2))[0]
                    response = answer(recv_exactly(conn, length))
                    conn.sendall(struct.pack('!H', len(response)) + response)
                    conn.recv(1)  # wait for the client's FIN, then close
                elif role == 'http':
                    request = b''
                    while b'\r\n\r\n' not in request:
                        chunk = conn.recv(4096)
                        if not chunk:
                            break
                        request += chunk
                    body = b'Hello from the wirelens sample server.\n'
                    conn.sendall(b'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n' % len(body) + body)
                else:
                    conn.sendall(b'hello ' + conn.recv(64))
                    try:
                        conn.recv(64)
                    except ConnectionResetError:
                        pass  # the client aborts the connection: that reset is the point


def checksum(data):
    """RFC 1071 Internet checksum."""
    if len(data) % 2:
        data += b'\0'
    total = sum(struct.unpack(f'!{len(data) // 2}H', data))
    while total > 0xFFFF:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def ping(family, address, count=2):
    """ICMP or ICMPv6 echo requests on a raw socket, each waiting for its reply (ping(8) is not needed)."""
    v6 = family == socket.AF_INET6
    sock = socket.socket(family, socket.SOCK_RAW, socket.IPPROTO_ICMPV6 if v6 else socket.IPPROTO_ICMP)
    sock.settimeout(2)
    identifier, request_type, reply_type = 0x574C, (128 if v6 else 8), (129 if v6 else 0)
    for sequence in range(1, count + 1):
        payload = b'wirelens sample echo %d' % sequence
        header = struct.pack('!BBHHH', request_type, 0, 0, identifier, sequence)
        # The kernel fills in the ICMPv6 checksum (it covers a pseudo-header); ICMPv4's is ours.
        if not v6:
            header = struct.pack('!BBHHH', request_type, 0, checksum(header + payload), identifier, sequence)
        sock.sendto(header + payload, (address, 0))
        while True:
            packet = sock.recv(1024)
            icmp = packet if v6 else packet[(packet[0] & 0x0F) * 4:]
            kind, _, _, reply_id, reply_sequence = struct.unpack('!BBHHH', icmp[:8])
            if kind == reply_type and reply_id == identifier and reply_sequence == sequence:
                break
        time.sleep(0.2)
    sock.close()


def recv_exactly(conn, count):
    data = b''
    while len(data) < count:
        chunk = conn.recv(count - len(data))
        if not chunk:
            raise ConnectionError('peer closed early')
        data += chunk
    return data


def client():
    """Client namespace: every exchange of the sample, one after the other."""
    ping(socket.AF_INET, SERVER_V4)
    ping(socket.AF_INET6, SERVER_V6)

    questions = [
        ('www.example.test', TYPE_A),
        ('www.example.test', TYPE_AAAA),
        ('alias.example.test', TYPE_A),
        ('example.test', TYPE_MX),
        ('example.test', TYPE_TXT),
        ('_http._tcp.example.test', TYPE_SRV),
        (reverse_name(SERVER_V4), TYPE_PTR),
        ('nope.example.test', TYPE_A),
    ]
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.settimeout(2)
    for i, (name, qtype) in enumerate(questions):
        udp.sendto(query(0x5100 + i, name, qtype), (SERVER_V4, 53))
        udp.recvfrom(4096)
    udp6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    udp6.settimeout(2)
    udp6.sendto(query(0x5200, 'www.example.test', TYPE_AAAA), (SERVER_V6, 53))
    udp6.recvfrom(4096)

    with socket.create_connection((SERVER_V4, 53), timeout=2) as tcp:
        message = query(0x5300, 'www.example.test', TYPE_A)
        tcp.sendall(struct.pack('!H', len(message)) + message)
        length = struct.unpack('!H', recv_exactly(tcp, 2))[0]
        recv_exactly(tcp, length)
        tcp.shutdown(socket.SHUT_WR)
        tcp.recv(1)

    for address in (SERVER_V4, SERVER_V6):
        with socket.create_connection((address, HTTP_PORT), timeout=2) as http:
            http.sendall(b'GET / HTTP/1.0\r\nHost: www.example.test\r\nUser-Agent: wirelens-sample\r\n\r\n')
            while http.recv(4096):
                pass

    chat = socket.create_connection((SERVER_V4, RESET_PORT), timeout=2)
    chat.sendall(b'wirelens')
    chat.recv(64)
    # SO_LINGER on with a zero timeout: close() aborts the connection with a RST (RFC 9293 3.10.4 ABORT).
    chat.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
    chat.close()

    for family, address in ((socket.AF_INET, SERVER_V4), (socket.AF_INET6, SERVER_V6)):
        with socket.socket(family, socket.SOCK_DGRAM) as closed:
            closed.sendto(b'is anyone there?', (address, CLOSED_PORT))
        time.sleep(0.2)


# ---------------------------------------------------------------- orchestration


def run(command, **kwargs):
    return subprocess.run(command, check=True, stdout=subprocess.DEVNULL, **kwargs)


def in_namespace(namespace, *arguments):
    return ['ip', 'netns', 'exec', namespace, *arguments]


def remove_namespaces():
    for namespace in (CLIENT_NS, SERVER_NS):
        subprocess.run(['ip', 'netns', 'del', namespace], stderr=subprocess.DEVNULL)


def create_namespaces():
    remove_namespaces()
    run(['ip', 'netns', 'add', CLIENT_NS])
    run(['ip', 'netns', 'add', SERVER_NS])
    run(['ip', 'link', 'add', CLIENT_IF, 'netns', CLIENT_NS, 'type', 'veth', 'peer', 'name', SERVER_IF, 'netns', SERVER_NS])
    for namespace, interface, v4, v6 in ((CLIENT_NS, CLIENT_IF, CLIENT_V4, CLIENT_V6), (SERVER_NS, SERVER_IF, SERVER_V4, SERVER_V6)):
        # No duplicate address detection: the addresses are usable at once and the capture stays quiet.
        run(in_namespace(namespace, 'sysctl', '-qw', f'net.ipv6.conf.{interface}.accept_dad=0'))
        run(in_namespace(namespace, 'sysctl', '-qw', f'net.ipv6.conf.{interface}.dad_transmits=0'))
        run(in_namespace(namespace, 'ip', 'addr', 'add', f'{v4}/24', 'dev', interface))
        run(in_namespace(namespace, 'ip', 'addr', 'add', f'{v6}/64', 'dev', interface, 'nodad'))
        run(in_namespace(namespace, 'ip', 'link', 'set', 'lo', 'up'))
        run(in_namespace(namespace, 'ip', 'link', 'set', interface, 'up'))


def record(output):
    if os.geteuid() != 0:
        sys.exit('record-sample: needs root (network namespaces and capturing)')
    for tool in ('ip', 'dumpcap'):
        if shutil.which(tool) is None:
            sys.exit(f'record-sample: {tool} is not installed')
    me = os.path.abspath(__file__)
    workdir = tempfile.mkdtemp(prefix='wirelens-sample-')
    capture_file = os.path.join(workdir, 'capture.pcapng')
    server = capture = None
    try:
        create_namespaces()
        time.sleep(1)  # let the link settle (IPv6 router solicitations and MLD reports go out now)
        server = subprocess.Popen(in_namespace(SERVER_NS, sys.executable, me, 'serve'), stdout=subprocess.PIPE, text=True)
        if server.stdout.readline().strip() != 'ready':
            sys.exit('record-sample: the server did not start')
        capture = subprocess.Popen(in_namespace(CLIENT_NS, 'dumpcap', '-q', '-i', CLIENT_IF, '-w', capture_file), stderr=subprocess.PIPE, text=True)
        for line in capture.stderr:
            if line.startswith('Capturing on'):
                break
        time.sleep(0.5)
        run(in_namespace(CLIENT_NS, sys.executable, me, 'client'))
        time.sleep(0.5)
        capture.send_signal(signal.SIGINT)
        capture.wait(timeout=10)
        os.makedirs(os.path.dirname(os.path.abspath(output)), exist_ok=True)
        shutil.copyfile(capture_file, output)
        print(f'record-sample: wrote {output} ({os.path.getsize(output)} bytes)')
    finally:
        for process in (capture, server):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()
        remove_namespaces()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == '__main__':
    if sys.argv[1:2] == ['serve']:
        serve()
    elif sys.argv[1:2] == ['client']:
        client()
    else:
        record(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_OUTPUT)
