import { newDissection, type CaptureState, type Dissection } from '../../../app/decode/dissection';
import { recordFrameFields } from '../../../app/decode/framefields';
import { defineField, fieldByName } from '../../../app/fields/registry';
import type { FieldDef, FieldOptions, FieldType } from '../../../app/fields/registry';
import { FieldTree } from '../../../app/fields/tree';

/*
 * Two real frames of pcapplusplus/Pcap++Test/PcapExamples/example.pcap with the field trees Wireshark
 * shows for them, and a third made from the second with TCP analysis fields. The decoders' own fields
 * are used when they are loaded; otherwise the fields are defined here with Wireshark's names and types.
 */

function field(name: string, type: FieldType, options: FieldOptions = {}): FieldDef {
  return fieldByName(name) ?? defineField(name, name, type, options);
}

export const F = {
  eth: field('eth', 'protocol'),
  ethDst: field('eth.dst', 'ether'),
  ethSrc: field('eth.src', 'ether'),
  ethType: field('eth.type', 'uint', { base: 'hex', bits: 16 }),
  ip: field('ip', 'protocol'),
  ipLen: field('ip.len', 'uint', { bits: 16 }),
  ipFlagsDf: field('ip.flags.df', 'bool', { bits: 8, mask: 0x40, strings: { 0: 'Not set', 1: 'Set' } }),
  ipTtl: field('ip.ttl', 'uint', { bits: 8 }),
  ipProto: field('ip.proto', 'uint', { bits: 8, strings: { 1: 'ICMP', 6: 'TCP', 17: 'UDP' } }),
  ipSrc: field('ip.src', 'ipv4'),
  ipDst: field('ip.dst', 'ipv4'),
  ipv6Src: field('ipv6.src', 'ipv6'),
  ipv6Dst: field('ipv6.dst', 'ipv6'),
  udp: field('udp', 'protocol'),
  udpSrcport: field('udp.srcport', 'uint', { bits: 16 }),
  udpDstport: field('udp.dstport', 'uint', { bits: 16 }),
  dns: field('dns', 'protocol'),
  dnsId: field('dns.id', 'uint', { base: 'hex', bits: 16 }),
  dnsResponse: field('dns.flags.response', 'bool', { bits: 16, mask: 0x8000, strings: { 0: 'Message is a query', 1: 'Message is a response' } }),
  dnsQryName: field('dns.qry.name', 'string'),
  dnsQryType: field('dns.qry.type', 'uint', { bits: 16 }),
  tcp: field('tcp', 'protocol'),
  tcpSrcport: field('tcp.srcport', 'uint', { bits: 16 }),
  tcpDstport: field('tcp.dstport', 'uint', { bits: 16 }),
  tcpStream: field('tcp.stream', 'uint', { bits: 32 }),
  tcpLen: field('tcp.len', 'uint', { bits: 32 }),
  tcpSeqRaw: field('tcp.seq_raw', 'uint', { bits: 32 }),
  tcpFlags: field('tcp.flags', 'uint', { base: 'hex', bits: 16, mask: 0x0fff }),
  tcpFlagsSyn: field('tcp.flags.syn', 'bool', { bits: 12, mask: 0x002, strings: { 0: 'Not set', 1: 'Set' } }),
  tcpFlagsAck: field('tcp.flags.ack', 'bool', { bits: 12, mask: 0x010, strings: { 0: 'Not set', 1: 'Set' } }),
  tcpMss: field('tcp.options.mss_val', 'uint', { bits: 16 }),
  tcpAnalysis: field('tcp.analysis', 'label'),
  tcpAnalysisFlags: field('tcp.analysis.flags', 'label'),
  tcpRetransmission: field('tcp.analysis.retransmission', 'label'),
  tcpAckRtt: field('tcp.analysis.ack_rtt', 'rel_time'),
};

const STATE = {} as CaptureState;

function dissection(number: number, seconds: number, nanos: number, hex: string): Dissection {
  const bytes = Uint8Array.from(hex.replace(/\s+/g, '').match(/../g) ?? [], (pair) => parseInt(pair, 16));
  const frame = { number, linkType: 1, interfaceId: 0, tsSeconds: seconds, tsNanos: nanos, originalLength: bytes.length, capturedLength: bytes.length };
  const d = newDissection(frame, [bytes], new FieldTree(true), STATE);
  recordFrameFields(d);
  return d;
}

function ethernetAndIp(d: Dissection, proto: number, ipLen: number): void {
  const t = d.tree;
  t.open(F.eth, 0, 14);
  t.add(F.ethDst, 0, 6);
  t.add(F.ethSrc, 6, 6);
  t.add(F.ethType, 12, 2, 0x0800);
  t.close();
  t.open(F.ip, 14, 20);
  t.add(F.ipLen, 16, 2, ipLen);
  t.add(F.ipFlagsDf, 20, 1, true);
  t.add(F.ipTtl, 22, 1, 64);
  t.add(F.ipProto, 23, 1, proto);
  t.add(F.ipSrc, 26, 4);
  t.add(F.ipDst, 30, 4);
  t.close();
}

/**
 * Frame 1, a DNS query for daisy.ubuntu.com from 10.0.0.6:21536 to 10.0.0.138:53:
 * 0000  30 46 9a 23 fb fa 08 00 27 19 1c 78 08 00 45 00   0F.#....'..x..E.
 * 0010  00 3e 00 00 40 00 40 11 26 20 0a 00 00 06 0a 00   .>..@.@.& ......
 * 0020  00 8a 54 20 00 35 00 2a 14 cb 39 27 01 00 00 01   ..T .5.*..9'....
 * 0030  00 00 00 00 00 00 05 64 61 69 73 79 06 75 62 75   .......daisy.ubu
 * 0040  6e 74 75 03 63 6f 6d 00 00 01 00 01               ntu.com.....
 */
export function dnsQuery(): Dissection {
  const d = dissection(
    1,
    1367526033,
    491822000,
    `30 46 9a 23 fb fa 08 00 27 19 1c 78 08 00 45 00
     00 3e 00 00 40 00 40 11 26 20 0a 00 00 06 0a 00
     00 8a 54 20 00 35 00 2a 14 cb 39 27 01 00 00 01
     00 00 00 00 00 00 05 64 61 69 73 79 06 75 62 75
     6e 74 75 03 63 6f 6d 00 00 01 00 01`,
  );
  ethernetAndIp(d, 17, 62);
  const t = d.tree;
  t.open(F.udp, 34, 8);
  t.add(F.udpSrcport, 34, 2, 21536);
  t.add(F.udpDstport, 36, 2, 53);
  t.close();
  t.open(F.dns, 42, 34);
  t.add(F.dnsId, 42, 2, 0x3927);
  t.add(F.dnsResponse, 44, 2, false);
  t.add(F.dnsQryName, 54, 18, 'daisy.ubuntu.com');
  t.add(F.dnsQryType, 72, 2, 1);
  t.close();
  return d;
}

/**
 * Frame 6 (renumbered 2), a SYN from 10.0.0.6:44147 to 212.199.202.9:80 with MSS 1460:
 * 0000  30 46 9a 23 fb fa 08 00 27 19 1c 78 08 00 45 00   0F.#....'..x..E.
 * 0010  00 3c 37 74 40 00 40 06 5a 71 0a 00 00 06 d4 c7   .<7t@.@.Zq......
 * 0020  ca 09 ac 73 00 50 2e 50 cd 6d 00 00 00 00 a0 02   ...s.P.P.m......
 * 0030  39 08 a9 05 00 00 02 04 05 b4 04 02 08 0a 00 02   9...............
 * 0040  fa 19 00 00 00 00 01 03 03 04                     ..........
 */
export function tcpSyn(number = 2, analysis = false): Dissection {
  const d = dissection(
    number,
    1367526036,
    616804000,
    `30 46 9a 23 fb fa 08 00 27 19 1c 78 08 00 45 00
     00 3c 37 74 40 00 40 06 5a 71 0a 00 00 06 d4 c7
     ca 09 ac 73 00 50 2e 50 cd 6d 00 00 00 00 a0 02
     39 08 a9 05 00 00 02 04 05 b4 04 02 08 0a 00 02
     fa 19 00 00 00 00 01 03 03 04`,
  );
  ethernetAndIp(d, 6, 60);
  const t = d.tree;
  t.open(F.tcp, 34, 40);
  t.add(F.tcpSrcport, 34, 2, 44147);
  t.add(F.tcpDstport, 36, 2, 80);
  t.addGenerated(F.tcpStream, analysis ? 3 : 0);
  t.addGenerated(F.tcpLen, 0);
  t.add(F.tcpSeqRaw, 38, 4, 0x2e50cd6d);
  t.open(F.tcpFlags, 46, 2, 0x002);
  t.add(F.tcpFlagsAck, 46, 2, false);
  t.add(F.tcpFlagsSyn, 46, 2, true);
  t.close();
  t.add(F.tcpMss, 56, 2, 1460);
  if (analysis) {
    t.open(F.tcpAnalysis, 0, 0);
    t.addGenerated(F.tcpAckRtt, { seconds: 0, nanos: 125_000_000 });
    t.open(F.tcpAnalysisFlags, 0, 0);
    t.addGenerated(F.tcpRetransmission, null);
    t.close();
    t.close();
  }
  t.close();
  return d;
}
