import { defineField, type FieldDef } from '../fields/registry';
import type { FieldTree } from '../fields/tree';
import { sumWithoutChecksumField, u16, u32 } from './bytes';
import { markMalformed, type Dissection, type LayerDecoder, type LayerInput, type TcpOptionsRepr } from './dissection';
import { asciiText } from './dns';
import { CHECKSUM_STATUS_NAMES, recordUnverifiedChecksum, recordVerifiedChecksum } from './udp';

/*
 * TCP header (RFC 9293 section 3.1):
 *   [0,2) source port  [2,4) destination port  [4,8) sequence number  [8,12) acknowledgment number
 *   [12] data offset (high 4 bits, in 32-bit words) | reserved  [12,14) flags (low 12 bits)
 *   [14,16) window  [16,18) checksum  [18,20) urgent pointer  [20, data offset * 4) options
 *
 * The header fields only: relative sequence numbers, tcp.stream, tcp.nxtseq, the window scaling and the
 * tcp.analysis.* fields belong to the conversation analysis (app/tcp). SACK edges (tcp.options.sack_le/re)
 * are recorded raw; tshark prints them relative to the same base as tcp.ack, which the analysis knows.
 *
 * What tshark 4.0 does, and so do we (checked on corpus and crafted captures):
 * - 'tcp' is announced before anything is read; with fewer than 20 bytes captured only the ports show;
 * - tcp.len (generated, shown right after the ports) is the IP payload length less the header length,
 *   whatever was captured; it is absent when the header claims more than the IP payload holds;
 * - a data offset below 5 words is bogus: the fields stop after tcp.seq_raw and tcp.hdr_len;
 * - options are decoded as far as they were captured. An option whose length is 0 or 1, or runs past the
 *   header, ends the options (malformed here; Wireshark flags it as an expert error); an option of a known
 *   kind with another length than its own shows its kind and length only. EOL does not end the list when
 *   only zeros follow (each is another EOL); any other byte after it ends the list as non-zero padding.
 *   A SACK option without a whole first block is malformed (Wireshark reads that block regardless);
 * - the payload goes to DNS over TCP on port 53 or 5353 (either side, the lower one first); any other
 *   captured payload is 'data' (where Wireshark would name the protocol of its port, HTTP on 80, ...),
 *   except a RST's, which Wireshark shows as text (tcp.reset_cause). Wireshark does not decode the payload
 *   of retransmissions: that is the analysis's call, not the decoder's.
 *
 * Deliberate difference: like UDP's, the checksum is verified (pseudo-header of RFC 9293 3.1 / RFC 8200 8.1)
 * when the whole segment was captured; tshark's default leaves it 'Unverified'.
 */

const MIN_HEADER_LENGTH = 20;
const TCP_PROTOCOL = 6;

const OPTION_KIND_NAMES: Readonly<Record<number, string>> = {
  0: 'End of Option List', 1: 'No-Operation', 2: 'Maximum Segment Size', 3: 'Window Scale', 4: 'SACK Permitted',
  5: 'SACK', 6: 'Echo', 7: 'Echo Reply', 8: 'Time Stamp Option', 9: 'Partial Order Connection Permitted',
  10: 'Partial Order Service Profile', 11: 'CC', 12: 'CC.NEW', 13: 'CC.ECHO', 14: 'TCP Alternate Checksum Request',
  15: 'TCP Alternate Checksum Data', 16: 'Skeeter', 17: 'Bubba', 18: 'Trailer Checksum Option', 19: 'MD5 Signature Option',
  20: 'SCPS Capabilities', 21: 'Selective Negative Acknowledgements', 22: 'Record Boundaries',
  23: 'Corruption experienced', 24: 'SNAP', 25: 'Unassigned', 26: 'TCP Compression Filter',
  27: 'Quick-Start Response', 28: 'User Timeout Option', 29: 'The TCP Authentication Option', 30: 'Multipath TCP',
  34: 'TCP Fast Open Cookie', 76: 'Riverbed Probe', 78: 'Riverbed Transparency', 172: 'Accurate ECN Order 0',
  174: 'Accurate ECN Order 1', 253: 'RFC3692-style Experiment 1', 254: 'RFC3692-style Experiment 2',
};

/*
 * Option nodes: Wireshark registers each option as a protocol, but `tshark -T fields` prints an option
 * node as its bytes (-e tcp.options.mss gives 020405b4), so they are byte fields here.
 */
export const TCP_FIELDS = {
  tcp: defineField('tcp', 'Transmission Control Protocol', 'protocol'),
  srcport: defineField('tcp.srcport', 'Source Port', 'uint', { bits: 16 }),
  dstport: defineField('tcp.dstport', 'Destination Port', 'uint', { bits: 16 }),
  /** Either port; Wireshark adds it (hidden) under both. */
  port: defineField('tcp.port', 'Source or Destination Port', 'uint', { bits: 16 }),
  len: defineField('tcp.len', 'TCP Segment Len', 'uint', { bits: 32 }),
  seqRaw: defineField('tcp.seq_raw', 'Sequence Number (raw)', 'uint', { bits: 32 }),
  ackRaw: defineField('tcp.ack_raw', 'Acknowledgment number (raw)', 'uint', { bits: 32 }),
  hdrLen: defineField('tcp.hdr_len', 'Header Length', 'uint', { bits: 8 }),
  flags: defineField('tcp.flags', 'Flags', 'uint', { base: 'hex', bits: 16, mask: 0x0fff }),
  flagsRes: defineField('tcp.flags.res', 'Reserved', 'bool', { bits: 12, mask: 0x0e00 }),
  flagsAe: defineField('tcp.flags.ae', 'Accurate ECN', 'bool', { bits: 12, mask: 0x0100 }),
  flagsCwr: defineField('tcp.flags.cwr', 'Congestion Window Reduced', 'bool', { bits: 12, mask: 0x0080 }),
  flagsEce: defineField('tcp.flags.ece', 'ECN-Echo', 'bool', { bits: 12, mask: 0x0040 }),
  flagsUrg: defineField('tcp.flags.urg', 'Urgent', 'bool', { bits: 12, mask: 0x0020 }),
  flagsAck: defineField('tcp.flags.ack', 'Acknowledgment', 'bool', { bits: 12, mask: 0x0010 }),
  flagsPush: defineField('tcp.flags.push', 'Push', 'bool', { bits: 12, mask: 0x0008 }),
  flagsReset: defineField('tcp.flags.reset', 'Reset', 'bool', { bits: 12, mask: 0x0004 }),
  flagsSyn: defineField('tcp.flags.syn', 'Syn', 'bool', { bits: 12, mask: 0x0002 }),
  flagsFin: defineField('tcp.flags.fin', 'Fin', 'bool', { bits: 12, mask: 0x0001 }),
  flagsStr: defineField('tcp.flags.str', 'TCP Flags', 'string'),
  windowSizeValue: defineField('tcp.window_size_value', 'Window', 'uint', { bits: 16 }),
  checksum: defineField('tcp.checksum', 'Checksum', 'uint', { base: 'hex', bits: 16 }),
  checksumCalculated: defineField('tcp.checksum_calculated', 'Calculated Checksum', 'uint', { base: 'hex', bits: 16 }),
  checksumStatus: defineField('tcp.checksum.status', 'Checksum Status', 'uint', { bits: 8, strings: CHECKSUM_STATUS_NAMES }),
  urgentPointer: defineField('tcp.urgent_pointer', 'Urgent Pointer', 'uint', { bits: 16 }),
  options: defineField('tcp.options', 'Options', 'bytes'),
  optionKind: defineField('tcp.option_kind', 'Kind', 'uint', { bits: 8, strings: OPTION_KIND_NAMES }),
  optionLen: defineField('tcp.option_len', 'Length', 'uint', { bits: 8 }),
  eol: defineField('tcp.options.eol', 'TCP Option - End of Option List (EOL)', 'bytes'),
  nop: defineField('tcp.options.nop', 'TCP Option - No-Operation (NOP)', 'bytes'),
  mss: defineField('tcp.options.mss', 'TCP Option - Maximum segment size', 'bytes'),
  mssVal: defineField('tcp.options.mss_val', 'MSS Value', 'uint', { bits: 16 }),
  wscale: defineField('tcp.options.wscale', 'TCP Option - Window scale', 'bytes'),
  wscaleShift: defineField('tcp.options.wscale.shift', 'Shift count', 'uint', { bits: 8 }),
  wscaleMultiplier: defineField('tcp.options.wscale.multiplier', 'Multiplier', 'uint', { bits: 16 }),
  sackPerm: defineField('tcp.options.sack_perm', 'TCP Option - SACK permitted', 'bytes'),
  sack: defineField('tcp.options.sack', 'TCP Option - SACK', 'bytes'),
  sackLe: defineField('tcp.options.sack_le', 'TCP SACK Left Edge', 'uint', { bits: 32 }),
  sackRe: defineField('tcp.options.sack_re', 'TCP SACK Right Edge', 'uint', { bits: 32 }),
  sackCount: defineField('tcp.options.sack.count', 'TCP SACK Count', 'uint', { bits: 8 }),
  timestamp: defineField('tcp.options.timestamp', 'TCP Option - Timestamps', 'bytes'),
  tsval: defineField('tcp.options.timestamp.tsval', 'Timestamp value', 'uint', { bits: 32 }),
  tsecr: defineField('tcp.options.timestamp.tsecr', 'Timestamp echo reply', 'uint', { bits: 32 }),
  md5: defineField('tcp.options.md5', 'TCP Option - TCP MD5 signature', 'bytes'),
  md5Digest: defineField('tcp.options.md5.digest', 'MD5 digest', 'bytes'),
  experimental: defineField('tcp.options.experimental', 'TCP Option - Experimental', 'bytes'),
  experimentalExid: defineField('tcp.options.experimental.exid', 'Experiment Identifier', 'uint', { base: 'hex', bits: 16 }),
  experimentalData: defineField('tcp.options.experimental.data', 'Data', 'bytes'),
  echo: defineField('tcp.options.echo', 'TCP Option - Echo', 'bytes'),
  echoReply: defineField('tcp.options.echoreply', 'TCP Option - Echo reply', 'bytes'),
  cc: defineField('tcp.options.cc', 'TCP Option - CC', 'bytes'),
  ccNew: defineField('tcp.options.ccnew', 'TCP Option - CC.NEW', 'bytes'),
  ccEcho: defineField('tcp.options.ccecho', 'TCP Option - CC.ECHO', 'bytes'),
  scps: defineField('tcp.options.scps', 'TCP Option - SCPS capabilities', 'bytes'),
  snack: defineField('tcp.options.snack', 'TCP Option - Selective Negative Acknowledgment', 'bytes'),
  scpsRecord: defineField('tcp.options.scpsrec', 'TCP Option - SCPS record boundary', 'bytes'),
  scpsCorruption: defineField('tcp.options.scpscor', 'TCP Option - SCPS corruption experienced', 'bytes'),
  quickStart: defineField('tcp.options.qs', 'TCP Option - Quick-Start', 'bytes'),
  userTimeout: defineField('tcp.options.user_to', 'TCP Option - User Timeout', 'bytes'),
  authentication: defineField('tcp.options.ao', 'TCP Option - TCP AO', 'bytes'),
  fastOpen: defineField('tcp.options.tfo', 'TCP Option - TCP Fast Open', 'bytes'),
  accurateEcn: defineField('tcp.options.acc_ecn', 'TCP Option - Accurate ECN', 'bytes'),
  riverbedProbe: defineField('tcp.options.rvbd.probe', 'TCP Option - Riverbed Probe', 'bytes'),
  riverbedTransparency: defineField('tcp.options.rvbd.trpy', 'TCP Option - Riverbed Transparency', 'bytes'),
  /** Multipath TCP (RFC 8684): Wireshark decodes kind 30 as its own protocol, listed in frame.protocols. */
  mptcp: defineField('mptcp', 'Multipath Transmission Control Protocol', 'protocol'),
  unknown: defineField('tcp.options.unknown', 'TCP Option - Unknown', 'bytes'),
  unknownPayload: defineField('tcp.options.unknown.payload', 'Payload', 'bytes'),
  payload: defineField('tcp.payload', 'TCP payload', 'bytes'),
  resetCause: defineField('tcp.reset_cause', 'Reset cause', 'string'),
};

const F = TCP_FIELDS;

export const TCP_OPTION_KIND = { EOL: 0, NOP: 1, MSS: 2, WSCALE: 3, SACK_PERM: 4, SACK: 5, TIMESTAMP: 8, MD5: 19, MPTCP: 30, EXPERIMENT_1: 253, EXPERIMENT_2: 254 } as const;

/** Option kinds Wireshark 4.0 has a dissector for, beyond those decoded below: we show their kind and length. */
const OTHER_KNOWN_OPTIONS: Readonly<Record<number, FieldDef>> = {
  6: F.echo, 7: F.echoReply, 11: F.cc, 12: F.ccNew, 13: F.ccEcho, 20: F.scps, 21: F.snack, 22: F.scpsRecord,
  23: F.scpsCorruption, 27: F.quickStart, 28: F.userTimeout, 29: F.authentication, 34: F.fastOpen,
  76: F.riverbedProbe, 78: F.riverbedTransparency, 172: F.accurateEcn, 174: F.accurateEcn,
};

/** Experiment identifiers (RFC 6994) Wireshark decodes itself: TCP Fast Open and Accurate ECN. */
const DECODED_EXPERIMENTS = new Set([0xf989, 0xacc0, 0xacc1]);

/** Lengths of the options whose size is fixed (RFC 9293 3.2, RFC 2018, RFC 7323, RFC 2385). */
const FIXED_LENGTHS: Readonly<Record<number, number>> = { [TCP_OPTION_KIND.MSS]: 4, [TCP_OPTION_KIND.WSCALE]: 3, [TCP_OPTION_KIND.SACK_PERM]: 2, [TCP_OPTION_KIND.TIMESTAMP]: 10, [TCP_OPTION_KIND.MD5]: 18 };

/** RFC 7323 section 2.3: shifts above 14 are taken as 14. */
const MAX_WINDOW_SHIFT = 14;

/** Ports whose payload Wireshark decodes as DNS over TCP (its tcp.port table). */
export const TCP_DNS_PORTS = new Set([53, 5353]);

/** tshark's tcp.flags.str: one letter per flag bit, high bit first, a middle dot when clear. */
const FLAG_LETTERS = 'RRRACEUAPRSF';

export const decodeTcp: LayerDecoder = (d, at) => {
  const b = d.sources[at.source];
  const t = d.tree;
  const start = at.offset;
  const captured = at.end - start;
  d.protocols.push('tcp');
  // Wireshark reads both ports before it shows anything, and the whole fixed header before the rest.
  if (captured < 4) return truncated(d, at.end, 'TCP header');
  const srcPort = u16(b, start);
  const dstPort = u16(b, start + 2);
  // The title is text for the tree only: not built for frames decoded without one.
  t.open(F.tcp, start, captured, t.enabled ? `Transmission Control Protocol, Src Port: ${srcPort}, Dst Port: ${dstPort}` : null);
  t.add(F.srcport, start, 2, srcPort);
  t.add(F.dstport, start + 2, 2, dstPort);
  t.add(F.port, start, 2, srcPort);
  t.add(F.port, start + 2, 2, dstPort);
  if (captured < MIN_HEADER_LENGTH) return truncated(d, at.end, 'TCP header');
  const seq = u32(b, start + 4);
  const ack = u32(b, start + 8);
  const headerLength = (b[start + 12] >> 4) * 4;
  const flags = u16(b, start + 12) & 0x0fff;
  const window = u16(b, start + 14);
  const checksum = u16(b, start + 16);
  const urgentPointer = u16(b, start + 18);
  // The bytes the IP layer announces for this segment; inside an ICMP error only what is quoted.
  const reported = at.embedded ? captured : Math.max(d.ip?.payloadLength ?? captured, captured);
  const payloadLength = headerLength <= reported ? reported - headerLength : 0;
  if (headerLength <= reported) t.addGenerated(F.len, payloadLength);
  t.add(F.seqRaw, start + 4, 4, seq);
  if (headerLength < MIN_HEADER_LENGTH) {
    t.add(F.hdrLen, start + 12, 1, headerLength);
    return markMalformed(d, {
      code: 'bad-length',
      layer: 'tcp',
      offset: start + 12,
      message: `bogus TCP header length ${headerLength}, must be at least ${MIN_HEADER_LENGTH}`,
    });
  }
  t.add(F.ackRaw, start + 8, 4, ack);
  t.add(F.hdrLen, start + 12, 1, headerLength);
  recordFlags(t, start + 12, flags);
  t.add(F.windowSizeValue, start + 14, 2, window);
  const checksumStatus = recordChecksum(d, at, checksum, reported);
  t.add(F.urgentPointer, start + 18, 2, urgentPointer);

  const options: TcpOptionsRepr = { mss: null, windowScale: null, sackPermitted: false, sack: [], tsVal: null, tsEcr: null };
  const headerEnd = start + headerLength;
  const payloadOffset = Math.min(headerEnd, at.end);
  const capturedPayloadLength = headerLength <= reported ? Math.max(Math.min(payloadLength, at.end - headerEnd), 0) : 0;
  if (!at.embedded) {
    d.tcp = {
      srcPort,
      dstPort,
      seq,
      ack,
      headerLength,
      flags,
      window,
      urgentPointer,
      options,
      payloadLength,
      payloadSource: at.source,
      payloadOffset,
      capturedPayloadLength,
      checksumStatus,
    };
  }
  if (headerLength > MIN_HEADER_LENGTH) {
    if (headerLength > reported) {
      // Wireshark: "Short segment. Segment/fragment does not contain a full TCP header".
      return markMalformed(d, {
        code: 'bad-length',
        layer: 'tcp',
        offset: start + MIN_HEADER_LENGTH,
        message: `TCP header length ${headerLength} is more than the ${reported} bytes of the segment`,
      });
    }
    const optionsStart = start + MIN_HEADER_LENGTH;
    t.open(F.options, optionsStart, Math.min(headerEnd, at.end) - optionsStart);
    const complete = decodeOptions(d, b, optionsStart, headerEnd, at.end, options);
    t.close();
    if (!complete) return truncated(d, at.end, 'TCP options');
  }
  if (capturedPayloadLength === 0) {
    t.close();
    return null;
  }
  if (flags & 0x004) {
    // RFC 9293 section 3.5.3 (RFC 1122 4.2.2.12): a RST may carry text explaining it. Wireshark shows that
    // text as the reset cause instead of decoding the payload.
    t.add(F.resetCause, headerEnd, capturedPayloadLength, asciiText(b, headerEnd, headerEnd + capturedPayloadLength));
    t.close();
    return null;
  }
  t.add(F.payload, headerEnd, capturedPayloadLength);
  t.close();
  const low = Math.min(srcPort, dstPort);
  const high = Math.max(srcPort, dstPort);
  if (TCP_DNS_PORTS.has(low) || TCP_DNS_PORTS.has(high)) {
    return { decoder: 'dns-tcp', source: at.source, offset: headerEnd, end: headerEnd + capturedPayloadLength, embedded: at.embedded };
  }
  d.protocols.push('data');
  return null;
};

function recordFlags(t: FieldTree, at: number, flags: number): void {
  // Fields only: a disabled tree would drop every one of them.
  if (!t.enabled) return;
  t.open(F.flags, at, 2, flags);
  t.add(F.flagsRes, at, 1, (flags & 0x0e00) !== 0);
  t.add(F.flagsAe, at, 1, (flags & 0x0100) !== 0);
  t.add(F.flagsCwr, at + 1, 1, (flags & 0x0080) !== 0);
  t.add(F.flagsEce, at + 1, 1, (flags & 0x0040) !== 0);
  t.add(F.flagsUrg, at + 1, 1, (flags & 0x0020) !== 0);
  t.add(F.flagsAck, at + 1, 1, (flags & 0x0010) !== 0);
  t.add(F.flagsPush, at + 1, 1, (flags & 0x0008) !== 0);
  t.add(F.flagsReset, at + 1, 1, (flags & 0x0004) !== 0);
  t.add(F.flagsSyn, at + 1, 1, (flags & 0x0002) !== 0);
  t.add(F.flagsFin, at + 1, 1, (flags & 0x0001) !== 0);
  let text = '';
  for (let bit = 11; bit >= 0; bit--) text += flags & (1 << bit) ? FLAG_LETTERS[11 - bit] : '\u00b7';
  t.add(F.flagsStr, at, 2, text);
  t.close();
}

/**
 * Records tcp.checksum and its status, verifying it when the whole segment is there (not a fragment, not
 * quoted in an ICMP error, captured completely), over the pseudo-header and the IP payload's bytes.
 */
function recordChecksum(d: Dissection, at: LayerInput, checksum: number, reported: number): 'good' | 'bad' | 'unverified' {
  const b = d.sources[at.source];
  const t = d.tree;
  const start = at.offset;
  const ip = d.ip;
  const addressSum = ip?.pseudoHeaderAddressSum;
  // Summing every payload byte costs as much as reading the file again, so the indexing pass (no tree)
  // leaves payload checksums unverified, as Wireshark does by default; details and `fields` verify them.
  if (at.embedded || !t.enabled || !ip || ip.fragment || addressSum === undefined || at.end - start < reported) {
    return recordUnverifiedChecksum(t, F, start + 16, checksum);
  }
  const pseudoHeader = addressSum + TCP_PROTOCOL + (reported >>> 16) + (reported & 0xffff);
  return recordVerifiedChecksum(t, F, start + 16, checksum, sumWithoutChecksumField(b, start, start + reported, start + 16, pseudoHeader));
}

/**
 * Decodes the options in [start, end) of which [start, capturedEnd) was captured, as Wireshark 4.0's
 * tcp_dissect_options does, into the tree and `repr` (first occurrence of each). Returns false when the
 * capture ended inside them. Every turn advances at least one byte, so the loop is bounded by the 40 bytes.
 */
function decodeOptions(d: Dissection, b: Uint8Array, start: number, end: number, capturedEnd: number, repr: TcpOptionsRepr): boolean {
  const t = d.tree;
  let offset = start;
  while (offset < end) {
    if (offset >= capturedEnd) return false;
    const kind = b[offset];
    if (kind === TCP_OPTION_KIND.EOL || kind === TCP_OPTION_KIND.NOP) {
      t.open(kind === TCP_OPTION_KIND.EOL ? F.eol : F.nop, offset, 1);
      t.add(F.optionKind, offset, 1, kind);
      t.close();
      offset++;
      // Zeros after EOL are more EOLs to Wireshark; anything else is non-zero padding that ends the list.
      if (kind === TCP_OPTION_KIND.EOL && !onlyZeros(b, offset, Math.min(end, capturedEnd))) return true;
      continue;
    }
    if (offset + 1 >= end) return badOption(d, offset, `TCP option ${kind} has no length byte`);
    if (offset + 1 >= capturedEnd) return false;
    const length = b[offset + 1];
    if (length < 2) return badOption(d, offset, `TCP option ${kind} has the impossible length ${length}`);
    if (offset + length > end) return badOption(d, offset, `TCP option ${kind} of ${length} bytes runs past the header`);
    const complete = kind === TCP_OPTION_KIND.SACK
      ? decodeSack(d, b, offset, length, capturedEnd, repr)
      : decodeOption(d, b, offset, kind, length, capturedEnd, repr);
    if (!complete) return false;
    offset += length;
  }
  return true;
}

/** One option other than SACK, of `length` bytes (2 or more, within the header) at `offset`; false when it was cut short. */
function decodeOption(d: Dissection, b: Uint8Array, offset: number, kind: number, length: number, capturedEnd: number, repr: TcpOptionsRepr): boolean {
  const t = d.tree;
  const end = offset + length;
  const shown = Math.min(length, capturedEnd - offset);
  const node = kind === TCP_OPTION_KIND.MPTCP ? F.mptcp : (OPTION_NODES[kind] ?? OTHER_KNOWN_OPTIONS[kind] ?? F.unknown);
  t.open(node, offset, shown);
  if (kind === TCP_OPTION_KIND.MPTCP) d.protocols.push('mptcp');
  t.add(F.optionKind, offset, 1, kind);
  t.add(F.optionLen, offset + 1, 1, length);
  const fixed = FIXED_LENGTHS[kind];
  // An option of a fixed size with another length shows its kind and length only (Wireshark: "option
  // length should be N").
  if (fixed !== undefined && length !== fixed) {
    t.close();
    return true;
  }
  const value = offset + 2;
  if (end > capturedEnd) {
    // Wireshark shows what it could read before the capture ended: of a timestamp, perhaps TSval.
    if (kind === TCP_OPTION_KIND.TIMESTAMP && value + 4 <= capturedEnd) t.add(F.tsval, value, 4, u32(b, value));
    t.close();
    return false;
  }
  switch (kind) {
    case TCP_OPTION_KIND.MSS:
      repr.mss ??= u16(b, value);
      t.add(F.mssVal, value, 2, u16(b, value));
      break;
    case TCP_OPTION_KIND.WSCALE: {
      const shift = b[value];
      repr.windowScale ??= shift;
      t.add(F.wscaleShift, value, 1, shift);
      t.addGenerated(F.wscaleMultiplier, 1 << Math.min(shift, MAX_WINDOW_SHIFT));
      break;
    }
    case TCP_OPTION_KIND.SACK_PERM:
      repr.sackPermitted = true;
      break;
    case TCP_OPTION_KIND.TIMESTAMP:
      if (repr.tsVal === null) {
        repr.tsVal = u32(b, value);
        repr.tsEcr = u32(b, value + 4);
      }
      t.add(F.tsval, value, 4, u32(b, value));
      t.add(F.tsecr, value + 4, 4, u32(b, value + 4));
      break;
    case TCP_OPTION_KIND.MD5:
      t.add(F.md5Digest, value, 16);
      break;
    case TCP_OPTION_KIND.EXPERIMENT_1:
    case TCP_OPTION_KIND.EXPERIMENT_2:
      decodeExperiment(d, b, offset, length);
      break;
    default:
      if (node === F.unknown && length > 2) t.add(F.unknownPayload, value, length - 2);
      break;
  }
  t.close();
  return true;
}

const OPTION_NODES: Readonly<Record<number, FieldDef>> = {
  [TCP_OPTION_KIND.MSS]: F.mss, [TCP_OPTION_KIND.WSCALE]: F.wscale, [TCP_OPTION_KIND.SACK_PERM]: F.sackPerm,
  [TCP_OPTION_KIND.TIMESTAMP]: F.timestamp, [TCP_OPTION_KIND.MD5]: F.md5, [TCP_OPTION_KIND.EXPERIMENT_1]: F.experimental, [TCP_OPTION_KIND.EXPERIMENT_2]: F.experimental,
};

/**
 * SACK (RFC 2018 section 3): blocks of left and right edges, raw. A partial block ends the list (Wireshark:
 * "suboption would go past end of option"). Wireshark then reads the first block again to look for a D-SACK
 * (RFC 2883), so an option without a whole first block is malformed, as in tshark. Its D-SACK findings
 * depend on the conversation and are left to the analysis.
 */
function decodeSack(d: Dissection, b: Uint8Array, offset: number, length: number, capturedEnd: number, repr: TcpOptionsRepr): boolean {
  const t = d.tree;
  t.open(F.sack, offset, Math.min(length, capturedEnd - offset));
  t.add(F.optionKind, offset, 1, TCP_OPTION_KIND.SACK);
  t.add(F.optionLen, offset + 1, 1, length);
  const blocks: number[] = [];
  let at = offset + 2;
  let remaining = length - 2;
  let count = 0;
  while (remaining >= 4) {
    if (at + 4 > capturedEnd) {
      t.close();
      return false;
    }
    blocks.push(u32(b, at));
    t.add(F.sackLe, at, 4, u32(b, at));
    remaining -= 4;
    if (remaining < 4) break;
    if (at + 8 > capturedEnd) {
      t.close();
      return false;
    }
    blocks.push(u32(b, at + 4));
    t.add(F.sackRe, at + 4, 4, u32(b, at + 4));
    remaining -= 4;
    count++;
    at += 8;
  }
  t.addGenerated(F.sackCount, count);
  t.close();
  if (repr.sack.length === 0) repr.sack = blocks.slice(0, count * 2);
  if (length < 10) badOption(d, offset, `TCP SACK option of ${length} bytes holds no whole block`);
  return true;
}

/** RFC 6994 shared experimental options: an experiment identifier, then its data. */
function decodeExperiment(d: Dissection, b: Uint8Array, offset: number, length: number): void {
  const t = d.tree;
  if (length < 4) {
    if (length > 2) badOption(d, offset, `TCP experimental option of ${length} bytes has no whole identifier`);
    return;
  }
  const exid = u16(b, offset + 2);
  t.add(F.experimentalExid, offset + 2, 2, exid);
  if (!DECODED_EXPERIMENTS.has(exid) && length > 4) t.add(F.experimentalData, offset + 4, length - 4);
}

function onlyZeros(b: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (b[i] !== 0) return false;
  return true;
}

/** A malformed option ends the option list; the segment's payload is still decoded, as Wireshark does. */
function badOption(d: Dissection, offset: number, message: string): true {
  markMalformed(d, { code: 'bad-length', layer: 'tcp', offset, message });
  return true;
}

function truncated(d: Dissection, offset: number, what: string): null {
  return markMalformed(d, { code: 'truncated', layer: 'tcp', offset, message: `${what} truncated` });
}
