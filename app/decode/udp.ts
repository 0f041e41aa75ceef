import { defineField, type FieldDef } from '../fields/registry';
import type { FieldTree } from '../fields/tree';
import { finishChecksum, sumWithoutChecksumField, u16 } from './bytes';
import { markMalformed, type Dissection, type LayerDecoder, type LayerInput } from './dissection';
import { looksLikeDns } from './dns';

/*
 * UDP (RFC 768):
 *   [0,2) source port  [2,4) destination port  [4,6) length (header and data)  [6,8) checksum
 *
 * What tshark 4.0 does, and so do we (checked on corpus and crafted captures):
 * - the layer is announced ('udp' in frame.protocols) before anything is read; both ports are read
 *   before the first field is shown, so fewer than 4 captured bytes show no UDP fields at all;
 * - a length below 8 is bogus: decoding stops after the length field (RFC 768: the length counts the
 *   header). A length beyond the IP payload is flagged by Wireshark but decoding goes on;
 * - the payload is what both the UDP length and the IP payload length cover;
 * - a zero checksum means "none" over IPv4 (RFC 768) and is illegal over IPv6 (RFC 8200 section 8.1);
 *   inside an ICMP error it is just absent;
 * - the payload goes to DNS on port 53, mDNS on 5353, LLMNR on 5355, trying the lower port first as
 *   Wireshark does; between ports no Wireshark dissector claims, a payload that passes Wireshark's DNS
 *   heuristic is DNS too, and any other payload is 'data'.
 *
 * Deliberate difference: we verify the checksum (over the pseudo-header of RFC 768 / RFC 8200 8.1) when the
 * whole datagram was captured, where tshark's default preference leaves it 'Unverified'; with
 * `-o udp.check_checksum:TRUE` tshark agrees with us.
 */

const UDP_HEADER_LENGTH = 8;
const UDP_PROTOCOL = 17;

/** Wireshark's proto_checksum_vals, shared by the UDP and TCP checksum status fields. */
export const CHECKSUM_STATUS_NAMES: Readonly<Record<number, string>> = {
  0: 'Bad',
  1: 'Good',
  2: 'Unverified',
  3: 'Not present',
  4: 'Illegal',
};

/** Values of udp.checksum.status and tcp.checksum.status (Wireshark's PROTO_CHECKSUM_E_*). */
export const TRANSPORT_CHECKSUM_STATUS = { bad: 0, good: 1, unverified: 2, notPresent: 3, illegal: 4 } as const;

export const UDP_FIELDS = {
  udp: defineField('udp', 'User Datagram Protocol', 'protocol'),
  srcport: defineField('udp.srcport', 'Source Port', 'uint', { bits: 16 }),
  dstport: defineField('udp.dstport', 'Destination Port', 'uint', { bits: 16 }),
  /** Either port; Wireshark adds it (hidden) under both, so a filter on udp.port matches either. */
  port: defineField('udp.port', 'Source or Destination Port', 'uint', { bits: 16 }),
  length: defineField('udp.length', 'Length', 'uint', { bits: 16 }),
  checksum: defineField('udp.checksum', 'Checksum', 'uint', { base: 'hex', bits: 16 }),
  checksumCalculated: defineField('udp.checksum_calculated', 'Calculated Checksum', 'uint', { base: 'hex', bits: 16 }),
  checksumStatus: defineField('udp.checksum.status', 'Checksum Status', 'uint', { bits: 8, strings: CHECKSUM_STATUS_NAMES }),
  payload: defineField('udp.payload', 'Payload', 'bytes'),
};

/** Decoders of the UDP ports we know (Wireshark's udp.port table for DNS, mDNS and LLMNR). */
const PORT_DECODERS: Readonly<Record<number, string>> = { 53: 'dns', 5353: 'mdns', 5355: 'llmnr' };

/**
 * Every port of tshark 4.0.17's udp.port table (`tshark -G decodes`): a datagram to or from one of them
 * belongs to that protocol (NBNS on 137, NTP on 123, ...) unless a lower port claims it first, so it is
 * neither tried as DNS by the heuristic nor shown as plain data.
 */
const WIRESHARK_UDP_PORTS: ReadonlySet<number> = new Set([
  0, 7, 13, 19, 37, 49, 53, 67, 68, 69, 88, 111, 123, 137, 138, 161, 162, 173, 177, 213, 269, 319, 320, 389,
  427, 434, 464, 473, 496, 500, 502, 513, 514, 520, 521, 524, 525, 539, 546, 547, 573, 623, 631, 646, 654,
  664, 698, 699, 701, 750, 853, 854, 910, 921, 925, 1001, 1044, 1052, 1069, 1089, 1090, 1091, 1101, 1113,
  1153, 1194, 1293, 1547, 1628, 1629, 1645, 1646, 1700, 1701, 1718, 1719, 1745, 1755, 1812, 1813, 1900, 1985,
  2029, 2048, 2055, 2067, 2099, 2123, 2152, 2157, 2190, 2221, 2222, 2231, 2246, 2268, 2269, 2313, 2345, 2424,
  2427, 2428, 2727, 2887, 2944, 2945, 2948, 2949, 2960, 3000, 3121, 3130, 3205, 3222, 3250, 3333, 3343, 3357,
  3386, 3389, 3452, 3455, 3478, 3483, 3503, 3540, 3544, 3567, 3622, 3671, 3784, 3785, 3792, 3799, 3804, 3819,
  3863, 3956, 4000, 4011, 4058, 4305, 4306, 4307, 4341, 4342, 4500, 4533, 4534, 4551, 4555, 4556, 4569, 4665,
  4672, 4713, 4729, 4739, 4754, 4784, 4789, 4790, 4791, 4991, 5000, 5001, 5031, 5050, 5060, 5072, 5094, 5246,
  5247, 5264, 5265, 5350, 5351, 5353, 5355, 5404, 5405, 5436, 5555, 5567, 5678, 5683, 5684, 5868, 6060, 6073,
  6081, 6084, 6087, 6118, 6160, 6343, 6543, 6635, 6666, 6696, 6784, 6970, 7000, 7001, 7002, 7003, 7004, 7005,
  7006, 7007, 7008, 7009, 7010, 7021, 7074, 7075, 7255, 7275, 7784, 8000, 8116, 8161, 8200, 8211, 8600, 8611,
  8612, 8613, 8614, 8755, 8767, 8805, 8848, 9003, 9200, 9201, 9202, 9203, 9214, 9600, 9875, 9877, 9899, 9901,
  9955, 9956, 9996, 9999, 10253, 10500, 11211, 11273, 11898, 12000, 12001, 12002, 12003, 12004, 12220, 12222,
  12223, 13400, 13819, 13907, 13910, 17220, 17500, 17754, 17755, 17756, 18246, 19132, 19788, 19948, 19999,
  20000, 20561, 22222, 23272, 24576, 24577, 25826, 26000, 27036, 27500, 27910, 27950, 27951, 27952, 27953,
  27960, 27961, 27962, 27963, 30030, 32000, 32512, 34962, 34980, 37008, 41170, 44818, 45564, 47000, 47808,
  49999, 54328, 56000, 56001, 56500, 56501, 57000, 57001, 57032, 57033, 57500, 57501, 57532, 57533, 59000,
  59001, 59032, 59033, 59500, 59501, 59532, 59533, 60001
]);

/**
 * The decoder of a datagram between two ports, as Wireshark's decode_udp_ports picks it: the lower port's
 * dissector, else the higher port's (port 0 is never tried). Null when a protocol we do not decode takes
 * it; undefined when no port does, so heuristics may.
 */
function portDecoder(srcPort: number, dstPort: number): string | null | undefined {
  const low = portClaim(Math.min(srcPort, dstPort));
  return low === undefined ? portClaim(Math.max(srcPort, dstPort)) : low;
}

function portClaim(port: number): string | null | undefined {
  if (port === 0) return undefined;
  return PORT_DECODERS[port] ?? (WIRESHARK_UDP_PORTS.has(port) ? null : undefined);
}

export const decodeUdp: LayerDecoder = (d, at) => {
  const b = d.sources[at.source];
  const t = d.tree;
  const F = UDP_FIELDS;
  const start = at.offset;
  const captured = at.end - start;
  d.protocols.push('udp');
  if (captured < 4) return truncated(d, at.end);
  const srcPort = u16(b, start);
  const dstPort = u16(b, start + 2);
  // The title is text for the tree only: not built for frames decoded without one.
  const title = t.enabled ? `User Datagram Protocol, Src Port: ${srcPort}, Dst Port: ${dstPort}` : null;
  t.open(F.udp, start, Math.min(UDP_HEADER_LENGTH, captured), title);
  t.add(F.srcport, start, 2, srcPort);
  t.add(F.dstport, start + 2, 2, dstPort);
  t.add(F.port, start, 2, srcPort);
  t.add(F.port, start + 2, 2, dstPort);
  if (captured < 6) return truncated(d, at.end);
  const lengthField = u16(b, start + 4);
  t.add(F.length, start + 4, 2, lengthField);
  // The bytes the IP layer announces for this datagram; inside an ICMP error only what is quoted.
  const reported = at.embedded ? captured : Math.max(d.ip?.payloadLength ?? captured, captured);
  // RFC 2675 section 4: a zero length over IPv6 is a jumbogram, whose length is the IP payload's.
  const length = lengthField === 0 && !at.embedded && d.ip?.version === 6 ? reported : lengthField;
  if (length < UDP_HEADER_LENGTH) {
    return markMalformed(d, {
      code: 'bad-length',
      layer: 'udp',
      offset: start + 4,
      message: `bogus UDP length ${length}, must be at least ${UDP_HEADER_LENGTH}`,
    });
  }
  if (captured < UDP_HEADER_LENGTH) return truncated(d, at.end);
  const checksumStatus = recordChecksum(d, at, length, reported);

  const payloadOffset = start + UDP_HEADER_LENGTH;
  const payloadLength = Math.max(Math.min(length, reported) - UDP_HEADER_LENGTH, 0);
  const capturedPayloadLength = Math.max(Math.min(payloadLength, at.end - payloadOffset), 0);
  if (!at.embedded) {
    d.udp = {
      srcPort,
      dstPort,
      length: lengthField,
      payloadSource: at.source,
      payloadOffset,
      capturedPayloadLength,
      checksumStatus,
    };
  }
  // An empty datagram ends here; a quoted one ends where the ICMP error's quote does.
  if (length === UDP_HEADER_LENGTH || (at.embedded && capturedPayloadLength === 0)) {
    t.close();
    return null;
  }
  // Wireshark's udp.payload spans the rest of the IP payload; the layer after it gets what the length covers.
  t.add(F.payload, payloadOffset, Math.max(at.end - payloadOffset, 0));
  t.close();
  const payloadEnd = payloadOffset + capturedPayloadLength;
  const byPort = portDecoder(srcPort, dstPort);
  const decoder = byPort === undefined && looksLikeDns(b, payloadOffset, payloadEnd, payloadLength) ? 'dns' : byPort;
  if (decoder) return { decoder, source: at.source, offset: payloadOffset, end: payloadEnd, embedded: at.embedded };
  if (decoder === undefined && capturedPayloadLength > 0) d.protocols.push('data');
  return null;
};

/**
 * Records udp.checksum and its status, verifying it when the whole datagram is there: not a fragment, not
 * quoted in an ICMP error, captured completely, and its length within the IP payload (as Wireshark).
 */
function recordChecksum(d: Dissection, at: LayerInput, length: number, reported: number): 'good' | 'bad' | 'unverified' | 'none' {
  const b = d.sources[at.source];
  const t = d.tree;
  const F = UDP_FIELDS;
  const start = at.offset;
  const checksum = u16(b, start + 6);
  if (checksum === 0) {
    const illegal = !at.embedded && d.ip?.version === 6;
    // Wireshark shows the status under the checksum here, beside it otherwise.
    t.open(F.checksum, start + 6, 2, checksum);
    t.addGenerated(F.checksumStatus, illegal ? TRANSPORT_CHECKSUM_STATUS.illegal : TRANSPORT_CHECKSUM_STATUS.notPresent);
    t.close();
    return illegal ? 'bad' : 'none';
  }
  const ip = d.ip;
  const captured = at.end - start;
  const addressSum = ip?.pseudoHeaderAddressSum;
  // Summing every payload byte costs as much as reading the file again, so the indexing pass (no tree)
  // leaves payload checksums unverified, as Wireshark does by default; details and `fields` verify them.
  if (at.embedded || !t.enabled || !ip || ip.fragment || addressSum === undefined || captured < reported || captured < length || reported < length) {
    return recordUnverifiedChecksum(t, F, start + 6, checksum);
  }
  const pseudoHeader = addressSum + UDP_PROTOCOL + (length >>> 16) + (length & 0xffff);
  return recordVerifiedChecksum(t, F, start + 6, checksum, sumWithoutChecksumField(b, start, start + length, start + 6, pseudoHeader));
}

/** A transport layer's checksum fields, shown alike by TCP and UDP. */
export interface ChecksumFields {
  checksum: FieldDef;
  checksumCalculated: FieldDef;
  checksumStatus: FieldDef;
}

/** The checksum at `at`, not verified (embedded, cut short, fragment, or the indexing pass). */
export function recordUnverifiedChecksum(t: FieldTree, fields: ChecksumFields, at: number, checksum: number): 'unverified' {
  t.add(fields.checksum, at, 2, checksum);
  t.addGenerated(fields.checksumStatus, TRANSPORT_CHECKSUM_STATUS.unverified);
  return 'unverified';
}

/** The checksum at `at`, verified against the one's-complement sum of everything else it covers. */
export function recordVerifiedChecksum(t: FieldTree, fields: ChecksumFields, at: number, checksum: number, sumWithoutChecksum: number): 'good' | 'bad' {
  const good = finishChecksum(sumWithoutChecksum + checksum) === 0;
  t.open(fields.checksum, at, 2, checksum);
  t.addGenerated(fields.checksumCalculated, good ? checksum : finishChecksum(sumWithoutChecksum));
  t.close();
  t.addGenerated(fields.checksumStatus, good ? TRANSPORT_CHECKSUM_STATUS.good : TRANSPORT_CHECKSUM_STATUS.bad);
  return good ? 'good' : 'bad';
}

function truncated(d: Dissection, offset: number): null {
  return markMalformed(d, { code: 'truncated', layer: 'udp', offset, message: 'UDP header truncated' });
}
