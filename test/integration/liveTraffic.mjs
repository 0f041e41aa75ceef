// Traffic for the live-capture integration test, run inside its network namespaces (ip netns exec ...):
//   node liveTraffic.mjs serve ADDRESS    TCP echo on 8080, UDP echo on 9090, a DNS server on 53 (A records)
//   node liveTraffic.mjs client ADDRESS   rounds of: a TCP connection (handshake, data, echo, FIN close),
//                                         a UDP datagram and its echo, a DNS query for www<N>.wirelens.test
// Prints "ready" once serving (server) and runs until killed (the client stops after 10 000 rounds).
import dgram from 'node:dgram';
import net from 'node:net';

const [mode, address] = process.argv.slice(2);
const TCP_PORT = 8080;
const UDP_PORT = 9090;
const DNS_PORT = 53;

/** A DNS query (RFC 1035 section 4.1): recursion desired, one question of type A, class IN. */
function dnsQuery(id, name) {
  const labels = name.split('.').map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label)]));
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x0100, 2);
  header.writeUInt16BE(1, 4);
  return Buffer.concat([header, ...labels, Buffer.from([0, 0, 1, 0, 1])]);
}

/** The answer to a query: the question echoed, one A record (name compressed to the question, offset 12). */
function dnsAnswer(query, ip) {
  const header = Buffer.from(query.subarray(0, 12));
  header.writeUInt16BE(0x8580, 2); // QR, AA, RD, RA, NOERROR
  header.writeUInt16BE(1, 6);
  const record = Buffer.alloc(16);
  record.writeUInt16BE(0xc00c, 0);
  record.writeUInt16BE(1, 2);
  record.writeUInt16BE(1, 4);
  record.writeUInt32BE(60, 6);
  record.writeUInt16BE(4, 10);
  Buffer.from(ip.split('.').map(Number)).copy(record, 12);
  return Buffer.concat([header, query.subarray(12), record]);
}

if (mode === 'serve') {
  let listening = 0;
  const ready = () => {
    if (++listening === 3) process.stdout.write('ready\n');
  };
  net.createServer((socket) => socket.on('data', (data) => socket.write(data)).on('end', () => socket.end()).on('error', () => undefined)).listen(TCP_PORT, address, ready);
  const udp = dgram.createSocket('udp4');
  udp.on('message', (message, from) => udp.send(message, from.port, from.address));
  udp.bind(UDP_PORT, address, ready);
  const dns = dgram.createSocket('udp4');
  dns.on('message', (message, from) => dns.send(dnsAnswer(message, address), from.port, from.address));
  dns.bind(DNS_PORT, address, ready);
} else if (mode === 'client') {
  const udp = dgram.createSocket('udp4');
  const replies = [];
  udp.on('message', () => replies.shift()?.());
  const reply = () => new Promise((resolve) => {
    replies.push(resolve);
    setTimeout(resolve, 500);
  });
  const tcpRound = (n) => new Promise((resolve) => {
    const socket = net.connect(TCP_PORT, address, () => socket.write(`hello ${n}\n`));
    socket.once('data', () => socket.end());
    socket.on('close', resolve);
    socket.on('error', resolve);
  });
  for (let n = 0; n < 10_000; n++) {
    await tcpRound(n);
    udp.send(`ping ${n}`, UDP_PORT, address);
    await reply();
    udp.send(dnsQuery(n & 0xffff, `www${n}.wirelens.test`), DNS_PORT, address);
    await reply();
  }
  process.exit(0);
} else {
  process.stderr.write(`liveTraffic: unknown mode ${mode}\n`);
  process.exit(2);
}
