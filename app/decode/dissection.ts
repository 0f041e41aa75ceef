import type { FieldTree } from '../fields/tree';
import type { DecodeIssue } from './issue';
import type { FragmentTable } from './defrag';

/*
 * Plain, frozen-able representations ("reprs") of the layers of one frame. They hold what later
 * stages (index, conversations, TCP analysis) need without re-reading bytes. Only the outermost
 * packet fills them: headers embedded in ICMP errors appear in the field tree only.
 */

export interface EthernetRepr {
  src: string; // 'aa:bb:cc:dd:ee:ff'
  dst: string;
  /** EtherType after any VLAN tags. */
  etherType: number;
  vlanIds: number[];
}

export interface ArpRepr {
  opcode: number;
  senderMac: string;
  senderIp: string;
  targetMac: string;
  targetIp: string;
}

/** IPv4 or IPv6 header of the packet that carried the transport layer. */
export interface IpRepr {
  version: 4 | 6;
  src: string; // dotted quad, or RFC 5952 text for IPv6
  dst: string;
  /** Transport protocol (after IPv6 extension headers). */
  protocol: number;
  ttl: number; // hop limit for IPv6
  /** Bytes of the IP payload as the header announces them (after extension headers for IPv6). */
  payloadLength: number;
  /** True when this frame completed a fragmented datagram (the transport layer is the reassembled one). */
  reassembled: boolean;
  /** True for a fragment that did not (yet) complete a datagram: no transport layer follows. */
  fragment: boolean;
  /**
   * Unfolded one's-complement sum of the source and destination address words: the address part of the
   * pseudo-header that TCP, UDP (RFC 768, RFC 9293 3.1) and ICMPv6 (RFC 8200 8.1) checksums cover. Add
   * the protocol and the upper-layer length, then fold with finishChecksum (app/decode/bytes.ts).
   */
  pseudoHeaderAddressSum?: number;
}

export interface TcpOptionsRepr {
  mss: number | null;
  windowScale: number | null;
  sackPermitted: boolean;
  /** SACK blocks as raw 32-bit sequence numbers: [left0, right0, left1, right1, ...]. */
  sack: number[];
  tsVal: number | null;
  tsEcr: number | null;
}

export interface TcpRepr {
  srcPort: number;
  dstPort: number;
  /** Raw 32-bit sequence and acknowledgment numbers (tcp.seq_raw, tcp.ack_raw). */
  seq: number;
  ack: number;
  headerLength: number;
  /** The 12 flag bits (tcp.flags): FIN 0x001, SYN 0x002, RST 0x004, PSH 0x008, ACK 0x010, URG 0x020, ECE 0x040, CWR 0x080, AE 0x100. */
  flags: number;
  /** Unscaled window field (tcp.window_size_value). */
  window: number;
  urgentPointer: number;
  options: TcpOptionsRepr;
  /** tcp.len: payload bytes announced by the IP length (may be more than were captured). */
  payloadLength: number;
  /** Where the payload starts in its source, and how many of its bytes were captured. */
  payloadSource: number;
  payloadOffset: number;
  capturedPayloadLength: number;
  checksumStatus: 'good' | 'bad' | 'unverified';
}

export interface UdpRepr {
  srcPort: number;
  dstPort: number;
  length: number;
  payloadSource: number;
  payloadOffset: number;
  capturedPayloadLength: number;
  checksumStatus: 'good' | 'bad' | 'unverified' | 'none';
}

export interface DnsQuestion {
  name: string;
  type: number;
  class: number;
}

export interface DnsRecord {
  name: string;
  type: number;
  class: number;
  ttl: number;
  /** Presentation text of the data: an address, a name, 'pref exchange', TXT strings, ... */
  data: string;
}

export interface DnsRepr {
  id: number;
  response: boolean;
  opcode: number;
  rcode: number;
  flags: number;
  questions: DnsQuestion[];
  answers: DnsRecord[];
  authorities: DnsRecord[];
  additionals: DnsRecord[];
  transport: 'udp' | 'tcp';
}

export interface IcmpRepr {
  version: 4 | 6;
  type: number;
  code: number;
}

/**
 * The pipeline's transport step, run right after the outermost TCP or UDP layer and before its payload:
 * returns the payload layer to decode, or null to leave it undecoded (the TCP analysis, app/tcp/analyzer.ts).
 */
export interface TransportObserver {
  observeLayer(d: Dissection, next: NextLayer | null): NextLayer | null;
}

/** Per-capture decoder state: what decoding one frame may need from earlier frames. */
export interface CaptureState {
  ipv4Fragments: FragmentTable;
  ipv6Fragments: FragmentTable;
  /**
   * The TCP/UDP conversation analysis, run right after the outermost transport layer and before its
   * payload (it decides whether the payload is decoded: not for retransmissions, DNS over TCP from the
   * byte stream). null decodes frames one by one without it (re-reading a page, fuzzing a decoder).
   */
  tcp: TransportObserver | null;
}

export interface FrameMeta {
  number: number;
  linkType: number;
  interfaceId: number;
  tsSeconds: number;
  tsNanos: number;
  originalLength: number;
  capturedLength: number;
}

export interface Dissection {
  frame: FrameMeta;
  /** Byte sources: [0] is the frame's captured bytes; reassembled buffers are appended. */
  sources: Uint8Array[];
  tree: FieldTree;
  state: CaptureState;
  /** tshark's frame.protocols elements, e.g. ['eth', 'ethertype', 'ip', 'tcp']. */
  protocols: string[];
  /** The first layer that could not be decoded completely, if any. */
  malformed: DecodeIssue | null;
  eth: EthernetRepr | null;
  arp: ArpRepr | null;
  ip: IpRepr | null;
  icmp: IcmpRepr | null;
  tcp: TcpRepr | null;
  udp: UdpRepr | null;
  dns: DnsRepr | null;
}

/** Where the next layer starts: the decoder to run, on which source and byte range. */
export interface LayerInput {
  source: number;
  offset: number;
  /** Exclusive end of the layer's bytes in the source (captured bytes only). */
  end: number;
  /** Inside an ICMP error: decode headers into the tree only, fill no reprs, no reassembly. */
  embedded: boolean;
}

export interface NextLayer extends LayerInput {
  /** Key of the decoder in app/decode/frame.ts's table, e.g. 'ip', 'ipv6', 'tcp', 'dns'. */
  decoder: string;
}

/**
 * A layer decoder: reads its header from d.sources[at.source] within [at.offset, at.end), records fields
 * in d.tree, fills its repr (unless at.embedded), and says what comes next. On bad input it sets
 * d.malformed (via markMalformed) and returns null; it never throws.
 */
export type LayerDecoder = (d: Dissection, at: LayerInput) => NextLayer | null;

/** A dissection before any layer is decoded. */
export function newDissection(frame: FrameMeta, sources: Uint8Array[], tree: FieldTree, state: CaptureState): Dissection {
  return { frame, sources, tree, state, protocols: [], malformed: null, eth: null, arp: null, ip: null, icmp: null, tcp: null, udp: null, dns: null };
}

export function markMalformed(d: Dissection, issue: DecodeIssue): null {
  d.malformed ??= issue;
  return null;
}
