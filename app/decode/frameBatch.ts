import type { RawFrame } from '../capture/types';
import { DISABLED_FIELD_TREE } from '../fields/tree';
import { DOUBLE_ZERO, formatIpv4, onesComplementSum, signed32, u16, u32 } from './bytes';
import { newDissection, type CaptureState, type Dissection, type IpRepr, type NextLayer, type TcpOptionsRepr, type TcpRepr, type TransportObserver, type UdpRepr } from './dissection';
import { decodeLayersFrom } from './frame';
import type { DecodeIssue } from './issue';
import { TCP_DNS_PORTS, TCP_OPTION_KIND as KIND } from './tcp';

/*
 * Decoded frames in a compact, transferable form, so that decoding runs on one thread and the
 * conversation analysis on another. A batch carries what the analysis and the capture counts read from a
 * dissection: the frame, its protocol stack, its first problem, the outer IP header and the TCP or UDP
 * header (no field trees, no Ethernet, ARP, ICMP or DNS reprs). Numbers go in one Float64Array, a row per
 * frame; addresses and protocol stacks are sent once and then named by their index.
 *
 * The analysis decides whether a TCP payload is decoded (not for retransmissions; DNS over TCP from the
 * byte stream), so the decoding side stops at the TCP layer when it has a payload to hand on
 * (DeferringObserver) and the frame travels with its bytes: the analysing side decodes that payload after
 * the analysis, exactly as the one-thread pipeline (app/decode/frame.ts) does.
 */

/** Column of each value in a frame's row. */
const enum Col {
  number,
  linkType,
  interfaceId,
  tsSeconds,
  tsNanos,
  originalLength,
  capturedLength,
  stack,
  /** 0: no IP layer; 4 or 6. */
  ipVersion,
  ipSrc,
  ipDst,
  ipProtocol,
  ipTtl,
  ipPayloadLength,
  /** Bit 0: reassembled, bit 1: fragment. */
  ipFlags,
  /** The IP pseudo-header address sum; -1 when not computed. */
  ipAddressSum,
  /** 0: none, 1: TCP, 2: UDP. */
  transport,
  srcPort,
  dstPort,
  /** TCP: seq; UDP: the length field. */
  seqOrLength,
  ack,
  headerLength,
  tcpFlags,
  window,
  urgentPointer,
  payloadLength,
  payloadSource,
  payloadOffset,
  capturedPayloadLength,
  checksumStatus,
  mss,
  windowScale,
  sackPermitted,
  tsVal,
  tsEcr,
  sackEdges,
  /** The frame's first problem: its index in the batch's issue table, or ABSENT. */
  issue,
  /** Up to four SACK blocks: a TCP header has room for no more (RFC 2018 section 3). */
  sack,
  stride = sack + 8,
}

const TRANSPORT_NONE = 0;
const TRANSPORT_TCP = 1;
const TRANSPORT_UDP = 2;
const ABSENT = -1;
const MAX_SACK_EDGES = 8;
const CHECKSUM_STATUSES = ['good', 'bad', 'unverified', 'none'] as const;
const CHECKSUM_UNVERIFIED = checksumCode('unverified');

/** The stacks of addCommonTcp's frames (decodeFrame names the payload of a TCP segment "data"). */
const ETH_IPV4_TCP = ['eth', 'ethertype', 'ip', 'tcp'];
const ETH_IPV4_TCP_DATA = ['eth', 'ethertype', 'ip', 'tcp', 'data'];
const LINKTYPE_ETHERNET = 1;
/** Where addCommonTcp's frames have their headers: Ethernet II (14 bytes), IPv4 without options (20), TCP. */
const IPV4_AT = 14;
const TCP_AT = 34;
const OPTIONS_AT = 54;
const TCP_RST = 0x004;
const MAX_IPV4_IDS = 1 << 16;

/** Frames per batch: large enough that messages are few, small enough that the two threads overlap. */
export const FRAMES_PER_BATCH = 4096;
/** The first batch is smaller, and each next one twice as large up to FRAMES_PER_BATCH, so the analysis starts early. */
const FIRST_BATCH_FRAMES = 256;

export interface FrameBatch {
  count: number;
  /** count rows of Col.stride values (its buffer is transferred, not copied). */
  rows: Float64Array;
  /** Addresses first named in this batch, numbered on from those of earlier batches. */
  newAddresses: string[];
  newStacks: string[][];
  /**
   * The distinct problems of the batch's frames (rows name theirs by index). Malformed frames often come by
   * the thousand with the same problem: one object each would be copied between the threads one by one.
   */
  issues: DecodeIssue[];
  /** Row index, byte sources and the layer still to decode, of frames whose TCP payload waits for the analysis. */
  deferred: [number, Uint8Array[], NextLayer][];
}

/**
 * The decoding side's transport step: TCP payloads that go to a decoder (DNS) wait for the analysis on
 * the other side; everything else is decoded at once.
 */
export class DeferringObserver implements TransportObserver {
  /** The payload layer the current frame's TCP layer handed on, if any. */
  deferred: NextLayer | null = null;

  observeLayer(d: Dissection, next: NextLayer | null): NextLayer | null {
    if (!d.tcp || !next) return next;
    this.deferred = next;
    return null;
  }
}

/** Builds batches on the decoding side. */
export class FrameBatchWriter {
  private rows: Float64Array = new Float64Array(FRAMES_PER_BATCH * Col.stride);
  private count = 0;
  private batchFrames = FIRST_BATCH_FRAMES;
  private readonly addresses = new Map<string, number>();
  private newAddresses: string[] = [];
  /** The two addresses looked up last, and their numbers. */
  private readonly lastAddresses = ['', ''];
  private readonly lastAddressIds = [0, 0];
  private lastAddressSlot = 0;
  private readonly stacks = new Map<string, number>();
  private newStacks: string[][] = [];
  /** The previous frame's stack and its number: most frames repeat it. */
  private lastStack: readonly string[] | null = null;
  private lastStackId = ABSENT;
  private issues: DecodeIssue[] = [];
  /** The batch's issue table by issue (code, layer, offset, message). */
  private readonly issueIndex = new Map<string, number>();
  private deferred: [number, Uint8Array[], NextLayer][] = [];
  /** Address numbers of IPv4 addresses by their value as a signed 32-bit integer (addCommonTcp). */
  private readonly ipv4Ids = new Map<number, number>();
  /** The numbers of addCommonTcp's two stacks, once they have one. */
  private tcpStackId: number | null = null;
  private tcpDataStackId: number | null = null;
  /** Rows the reading side is done with, to fill again: batches allocate nothing once the first few are back. */
  private readonly spareRows: Float64Array[] = [];

  get full(): boolean {
    return this.count === this.batchFrames;
  }

  get empty(): boolean {
    return this.count === 0;
  }

  /** Adds a frame decoded without a tree; `deferred` is the payload layer left to the analysing side. */
  add(d: Dissection, deferred: NextLayer | null): void {
    const r = this.rows;
    const at = this.count * Col.stride;
    const f = d.frame;
    r[at + Col.number] = f.number;
    r[at + Col.linkType] = f.linkType;
    r[at + Col.interfaceId] = f.interfaceId;
    r[at + Col.tsSeconds] = f.tsSeconds;
    r[at + Col.tsNanos] = f.tsNanos;
    r[at + Col.originalLength] = f.originalLength;
    r[at + Col.capturedLength] = f.capturedLength;
    r[at + Col.stack] = this.stackId(d.protocols);
    const ip = d.ip;
    r[at + Col.ipVersion] = ip ? ip.version : 0;
    if (ip) {
      r[at + Col.ipSrc] = this.addressId(ip.src);
      r[at + Col.ipDst] = this.addressId(ip.dst);
      r[at + Col.ipProtocol] = ip.protocol;
      r[at + Col.ipTtl] = ip.ttl;
      r[at + Col.ipPayloadLength] = ip.payloadLength;
      r[at + Col.ipFlags] = (ip.reassembled ? 1 : 0) | (ip.fragment ? 2 : 0);
      r[at + Col.ipAddressSum] = ip.pseudoHeaderAddressSum ?? ABSENT;
    }
    const tcp = d.tcp;
    const udp = d.udp;
    if (tcp) {
      r[at + Col.transport] = TRANSPORT_TCP;
      r[at + Col.srcPort] = tcp.srcPort;
      r[at + Col.dstPort] = tcp.dstPort;
      r[at + Col.seqOrLength] = tcp.seq;
      r[at + Col.ack] = tcp.ack;
      r[at + Col.headerLength] = tcp.headerLength;
      r[at + Col.tcpFlags] = tcp.flags;
      r[at + Col.window] = tcp.window;
      r[at + Col.urgentPointer] = tcp.urgentPointer;
      r[at + Col.payloadLength] = tcp.payloadLength;
      r[at + Col.payloadSource] = tcp.payloadSource;
      r[at + Col.payloadOffset] = tcp.payloadOffset;
      r[at + Col.capturedPayloadLength] = tcp.capturedPayloadLength;
      r[at + Col.checksumStatus] = checksumCode(tcp.checksumStatus);
      const o = tcp.options;
      r[at + Col.mss] = o.mss ?? ABSENT;
      r[at + Col.windowScale] = o.windowScale ?? ABSENT;
      r[at + Col.sackPermitted] = o.sackPermitted ? 1 : 0;
      r[at + Col.tsVal] = o.tsVal ?? ABSENT;
      r[at + Col.tsEcr] = o.tsEcr ?? ABSENT;
      const edges = Math.min(o.sack.length, MAX_SACK_EDGES);
      r[at + Col.sackEdges] = edges;
      for (let i = 0; i < edges; i++) r[at + Col.sack + i] = o.sack[i];
    } else if (udp) {
      r[at + Col.transport] = TRANSPORT_UDP;
      r[at + Col.srcPort] = udp.srcPort;
      r[at + Col.dstPort] = udp.dstPort;
      r[at + Col.seqOrLength] = udp.length;
      r[at + Col.payloadSource] = udp.payloadSource;
      r[at + Col.payloadOffset] = udp.payloadOffset;
      r[at + Col.capturedPayloadLength] = udp.capturedPayloadLength;
      r[at + Col.checksumStatus] = checksumCode(udp.checksumStatus);
    } else {
      r[at + Col.transport] = TRANSPORT_NONE;
    }
    r[at + Col.issue] = d.malformed ? this.issueId(d.malformed) : ABSENT;
    // The frame's bytes are views into the reader's buffer: the payload's decoder gets copies.
    if (deferred) this.deferred.push([this.count, d.sources.map((s) => s.slice()), deferred]);
    this.count++;
  }

  /**
   * The decoding thread's shortcut for the commonest frame, Ethernet II + IPv4 without options + TCP (most
   * frames of a large capture): its row straight from the bytes, without a dissection. It writes nothing
   * and returns false for any other frame or anything unusual in one (cut short, a fragment, a zero IP
   * length, a TCP option other than MSS, window scale, SACK-permitted, SACK, timestamps, NOP and EOL, or of
   * an odd length, a payload to DNS ports or in a RST): decodeFrame and add then take the frame. For the
   * frames it takes, its row is the one decodeFrame (without a tree) and add write: test/app/decode/
   * frameBatch.test.ts compares them frame by frame over every capture of the tests and mutated frames.
   */
  addCommonTcp(raw: RawFrame): boolean {
    const b = raw.data;
    const captured = b.length;
    if (raw.linkType !== LINKTYPE_ETHERNET || captured !== raw.originalLength || captured < OPTIONS_AT) return false;
    // EtherType IPv4, version 4 with a 20-byte header, protocol TCP.
    if (b[12] !== 0x08 || b[13] !== 0x00 || b[IPV4_AT] !== 0x45 || b[IPV4_AT + 9] !== 6) return false;
    const totalLength = u16(b, IPV4_AT + 2);
    // Not a fragment (MF clear, offset 0), and the whole datagram with a whole TCP header in the frame.
    if ((u16(b, IPV4_AT + 6) & 0x3fff) !== 0 || totalLength < 40 || IPV4_AT + totalLength > captured) return false;
    const segmentLength = totalLength - 20;
    const headerLength = (b[TCP_AT + 12] >> 4) * 4;
    if (headerLength < 20 || headerLength > segmentLength) return false;
    const srcPort = u16(b, TCP_AT);
    const dstPort = u16(b, TCP_AT + 2);
    const flags = u16(b, TCP_AT + 12) & 0x0fff;
    const payloadLength = segmentLength - headerLength;
    if (payloadLength > 0 && (flags & TCP_RST || TCP_DNS_PORTS.has(srcPort) || TCP_DNS_PORTS.has(dstPort))) return false;

    // The options, first occurrence of each, as decodeTcp reads them.
    let mss = ABSENT;
    let windowScale = ABSENT;
    let sackPermitted = 0;
    let tsVal = ABSENT;
    let tsEcr = ABSENT;
    let sackAt = 0;
    let sackEdges = 0;
    const optionsEnd = TCP_AT + headerLength;
    for (let at = OPTIONS_AT; at < optionsEnd; ) {
      const kind = b[at];
      if (kind === KIND.EOL) break;
      if (kind === KIND.NOP) {
        at++;
        continue;
      }
      if (at + 1 >= optionsEnd) return false;
      const length = b[at + 1];
      if (length < 2 || at + length > optionsEnd) return false;
      switch (kind) {
        case KIND.MSS:
          if (length !== 4) return false;
          if (mss === ABSENT) mss = u16(b, at + 2);
          break;
        case KIND.WSCALE:
          if (length !== 3) return false;
          if (windowScale === ABSENT) windowScale = b[at + 2];
          break;
        case KIND.SACK_PERM:
          if (length !== 2) return false;
          sackPermitted = 1;
          break;
        case KIND.TIMESTAMP:
          if (length !== 10) return false;
          if (tsVal === ABSENT) {
            tsVal = u32(b, at + 2);
            tsEcr = u32(b, at + 6);
          }
          break;
        case KIND.SACK:
          if (length < 10 || (length - 2) % 8 !== 0) return false;
          if (sackEdges === 0) {
            sackAt = at + 2;
            sackEdges = Math.min((length - 2) / 4, MAX_SACK_EDGES);
          }
          break;
        default:
          return false;
      }
      at += length;
    }

    const r = this.rows;
    const row = this.count * Col.stride;
    r[row + Col.number] = raw.number;
    r[row + Col.linkType] = LINKTYPE_ETHERNET;
    r[row + Col.interfaceId] = raw.interfaceId;
    r[row + Col.tsSeconds] = raw.tsSeconds;
    r[row + Col.tsNanos] = raw.tsNanos;
    r[row + Col.originalLength] = raw.originalLength;
    r[row + Col.capturedLength] = captured;
    r[row + Col.stack] = payloadLength > 0 ? (this.tcpDataStackId ??= this.stackId(ETH_IPV4_TCP_DATA)) : (this.tcpStackId ??= this.stackId(ETH_IPV4_TCP));
    r[row + Col.ipVersion] = 4;
    r[row + Col.ipSrc] = this.ipv4AddressId(b, IPV4_AT + 12);
    r[row + Col.ipDst] = this.ipv4AddressId(b, IPV4_AT + 16);
    r[row + Col.ipProtocol] = 6;
    r[row + Col.ipTtl] = b[IPV4_AT + 8];
    r[row + Col.ipPayloadLength] = segmentLength;
    r[row + Col.ipFlags] = 0;
    r[row + Col.ipAddressSum] = onesComplementSum(b, IPV4_AT + 12, IPV4_AT + 20);
    r[row + Col.transport] = TRANSPORT_TCP;
    r[row + Col.srcPort] = srcPort;
    r[row + Col.dstPort] = dstPort;
    r[row + Col.seqOrLength] = u32(b, TCP_AT + 4);
    r[row + Col.ack] = u32(b, TCP_AT + 8);
    r[row + Col.headerLength] = headerLength;
    r[row + Col.tcpFlags] = flags;
    r[row + Col.window] = u16(b, TCP_AT + 14);
    r[row + Col.urgentPointer] = u16(b, TCP_AT + 18);
    r[row + Col.payloadLength] = payloadLength;
    r[row + Col.payloadSource] = 0;
    r[row + Col.payloadOffset] = optionsEnd;
    r[row + Col.capturedPayloadLength] = payloadLength;
    r[row + Col.checksumStatus] = CHECKSUM_UNVERIFIED;
    r[row + Col.mss] = mss;
    r[row + Col.windowScale] = windowScale;
    r[row + Col.sackPermitted] = sackPermitted;
    r[row + Col.tsVal] = tsVal;
    r[row + Col.tsEcr] = tsEcr;
    r[row + Col.sackEdges] = sackEdges;
    r[row + Col.issue] = ABSENT;
    for (let i = 0; i < sackEdges; i++) r[row + Col.sack + i] = u32(b, sackAt + 4 * i);
    this.count++;
    return true;
  }

  /** The batch so far (its rows are handed over: transfer rows.buffer); the writer starts a new one. */
  take(): FrameBatch {
    const batch: FrameBatch = {
      count: this.count,
      rows: this.rows,
      newAddresses: this.newAddresses,
      newStacks: this.newStacks,
      issues: this.issues,
      deferred: this.deferred,
    };
    this.rows = this.spareRows.pop() ?? new Float64Array(FRAMES_PER_BATCH * Col.stride);
    this.count = 0;
    this.batchFrames = Math.min(2 * this.batchFrames, FRAMES_PER_BATCH);
    this.newAddresses = [];
    this.newStacks = [];
    this.issues = [];
    this.issueIndex.clear();
    this.deferred = [];
    return batch;
  }

  /** Gives back the rows of a batch the reading side has read. */
  recycle(rows: Float64Array): void {
    if (rows.length === FRAMES_PER_BATCH * Col.stride) this.spareRows.push(rows);
  }

  /** addressId of the IPv4 address at b[at], by its value: no text looked up for addresses met before. */
  private ipv4AddressId(b: Uint8Array, at: number): number {
    const value = signed32(b, at);
    let id = this.ipv4Ids.get(value);
    if (id === undefined) {
      id = this.addressId(formatIpv4(b, at));
      // Bounded like the address texts: a scan over many addresses keeps memory flat.
      if (this.ipv4Ids.size >= MAX_IPV4_IDS) this.ipv4Ids.clear();
      this.ipv4Ids.set(value, id);
    }
    return id;
  }

  private addressId(address: string): number {
    // A frame's source is often the previous frame's source or destination: skip the map for those.
    if (address === this.lastAddresses[0]) return this.lastAddressIds[0];
    if (address === this.lastAddresses[1]) return this.lastAddressIds[1];
    let id = this.addresses.get(address);
    if (id === undefined) {
      id = this.addresses.size;
      this.addresses.set(address, id);
      this.newAddresses.push(address);
    }
    this.lastAddresses[this.lastAddressSlot] = address;
    this.lastAddressIds[this.lastAddressSlot] = id;
    this.lastAddressSlot ^= 1;
    return id;
  }

  private issueId(issue: DecodeIssue): number {
    const key = `${issue.code} ${issue.layer} ${issue.offset} ${issue.message}`;
    let id = this.issueIndex.get(key);
    if (id === undefined) {
      id = this.issues.length;
      this.issueIndex.set(key, id);
      this.issues.push(issue);
    }
    return id;
  }

  private stackId(protocols: readonly string[]): number {
    if (this.lastStack && sameStrings(protocols, this.lastStack)) return this.lastStackId;
    const key = protocols.join(',');
    let id = this.stacks.get(key);
    if (id === undefined) {
      id = this.stacks.size;
      this.stacks.set(key, id);
      this.newStacks.push([...protocols]);
    }
    this.lastStack = protocols;
    this.lastStackId = id;
    return id;
  }
}

/**
 * Turns batches back into dissections on the analysing side, in frame order, keeping the address and
 * stack tables of the batches before. Each frame goes through the state's transport observer (the
 * conversation analysis) as it would right after its transport layer, and a deferred payload is decoded
 * after it. The dissection and its headers are the same objects for every frame (a million frames would
 * otherwise make millions of short-lived objects): onFrame must copy what it keeps, not keep them. Values
 * that always fit 31 bits are read back as small integers (`| 0`), as the decoders make them: V8 then keeps
 * those fields unboxed from the first frame, instead of widening them to doubles and throwing away the
 * analysis code it had optimised for integers.
 */
export class FrameBatchReader {
  private readonly addresses: string[] = [];
  private readonly stacks: string[][] = [];
  private readonly d: Dissection;
  private readonly ip: IpRepr = { version: 4, src: '', dst: '', protocol: 0, ttl: 0, payloadLength: 0, reassembled: false, fragment: false };
  /**
   * The TCP options of frames without and with timestamps. Those of the second kind keep TSval and TSecr as
   * doubles in place: a field that may hold null holds every new value boxed, two allocations per frame.
   */
  private readonly options: TcpOptionsRepr = { mss: null, windowScale: null, sackPermitted: false, sack: [], tsVal: null, tsEcr: null };
  private readonly timestampedOptions = new TimestampedOptions();
  private readonly tcp: TcpRepr = {
    srcPort: 0,
    dstPort: 0,
    seq: 0,
    ack: 0,
    headerLength: 0,
    flags: 0,
    window: 0,
    urgentPointer: 0,
    options: this.options,
    payloadLength: 0,
    payloadSource: 0,
    payloadOffset: 0,
    capturedPayloadLength: 0,
    checksumStatus: 'good',
  };
  private readonly udp: UdpRepr = { srcPort: 0, dstPort: 0, length: 0, payloadSource: 0, payloadOffset: 0, capturedPayloadLength: 0, checksumStatus: 'good' };

  constructor(private readonly state: CaptureState) {
    const frame = { number: 0, linkType: 0, interfaceId: 0, tsSeconds: 0, tsNanos: 0, originalLength: 0, capturedLength: 0 };
    this.d = newDissection(frame, [], DISABLED_FIELD_TREE, state);
  }

  read(batch: FrameBatch, onFrame: (d: Dissection) => void): void {
    for (const address of batch.newAddresses) this.addresses.push(address);
    for (const stack of batch.newStacks) this.stacks.push(stack);
    const r = batch.rows;
    const d = this.d;
    const f = d.frame;
    const observer = this.state.tcp;
    let nextDeferred = 0;
    for (let i = 0; i < batch.count; i++) {
      const at = i * Col.stride;
      const deferred = nextDeferred < batch.deferred.length && batch.deferred[nextDeferred][0] === i ? batch.deferred[nextDeferred++] : null;
      f.number = r[at + Col.number] | 0;
      f.linkType = r[at + Col.linkType] | 0;
      f.interfaceId = r[at + Col.interfaceId] | 0;
      f.tsSeconds = r[at + Col.tsSeconds];
      f.tsNanos = r[at + Col.tsNanos] | 0;
      f.originalLength = r[at + Col.originalLength] | 0;
      f.capturedLength = r[at + Col.capturedLength] | 0;
      const stack = this.stacks[r[at + Col.stack]];
      // Shared with every frame of the same stack, unless a payload is still to be decoded into it.
      d.protocols = deferred ? [...stack] : stack;
      d.sources = deferred ? deferred[1] : NO_SOURCES;
      const issue = r[at + Col.issue];
      d.malformed = issue === ABSENT ? null : batch.issues[issue];
      d.ip = r[at + Col.ipVersion] === 0 ? null : this.readIp(r, at);
      const transport = r[at + Col.transport];
      d.tcp = transport === TRANSPORT_TCP ? this.readTcp(r, at) : null;
      d.udp = transport === TRANSPORT_UDP ? this.readUdp(r, at) : null;
      d.dns = null;
      if (observer && transport !== TRANSPORT_NONE) decodeLayersFrom(d, observer.observeLayer(d, deferred ? deferred[2] : null));
      onFrame(d);
    }
  }

  private readIp(r: Float64Array, at: number): IpRepr {
    const ip = this.ip;
    const flags = r[at + Col.ipFlags];
    const sum = r[at + Col.ipAddressSum];
    ip.version = r[at + Col.ipVersion] === 4 ? 4 : 6;
    ip.src = this.addresses[r[at + Col.ipSrc]];
    ip.dst = this.addresses[r[at + Col.ipDst]];
    ip.protocol = r[at + Col.ipProtocol] | 0;
    ip.ttl = r[at + Col.ipTtl] | 0;
    ip.payloadLength = r[at + Col.ipPayloadLength] | 0;
    ip.reassembled = (flags & 1) !== 0;
    ip.fragment = (flags & 2) !== 0;
    ip.pseudoHeaderAddressSum = sum === ABSENT ? undefined : sum;
    return ip;
  }

  private readTcp(r: Float64Array, at: number): TcpRepr {
    const tcp = this.tcp;
    tcp.srcPort = r[at + Col.srcPort] | 0;
    tcp.dstPort = r[at + Col.dstPort] | 0;
    tcp.seq = r[at + Col.seqOrLength];
    tcp.ack = r[at + Col.ack];
    tcp.headerLength = r[at + Col.headerLength] | 0;
    tcp.flags = r[at + Col.tcpFlags] | 0;
    tcp.window = r[at + Col.window] | 0;
    tcp.urgentPointer = r[at + Col.urgentPointer] | 0;
    tcp.payloadLength = r[at + Col.payloadLength] | 0;
    tcp.payloadSource = r[at + Col.payloadSource] | 0;
    tcp.payloadOffset = r[at + Col.payloadOffset] | 0;
    tcp.capturedPayloadLength = r[at + Col.capturedPayloadLength] | 0;
    tcp.checksumStatus = CHECKSUM_STATUSES[r[at + Col.checksumStatus]] as TcpRepr['checksumStatus'];
    const tsVal = r[at + Col.tsVal];
    const o = tsVal === ABSENT ? this.options : this.timestampedOptions;
    tcp.options = o;
    o.mss = optional(r[at + Col.mss] | 0);
    o.windowScale = optional(r[at + Col.windowScale] | 0);
    o.sackPermitted = r[at + Col.sackPermitted] === 1;
    if (tsVal !== ABSENT) {
      o.tsVal = tsVal;
      o.tsEcr = r[at + Col.tsEcr];
    }
    // A new array when there are blocks: the analysis keeps a frame's SACK blocks.
    const edges = r[at + Col.sackEdges] | 0;
    o.sack = edges === 0 ? NO_SACK : [];
    for (let i = 0; i < edges; i++) o.sack.push(r[at + Col.sack + i]);
    return tcp;
  }

  private readUdp(r: Float64Array, at: number): UdpRepr {
    const udp = this.udp;
    udp.srcPort = r[at + Col.srcPort] | 0;
    udp.dstPort = r[at + Col.dstPort] | 0;
    udp.length = r[at + Col.seqOrLength] | 0;
    udp.payloadSource = r[at + Col.payloadSource] | 0;
    udp.payloadOffset = r[at + Col.payloadOffset] | 0;
    udp.capturedPayloadLength = r[at + Col.capturedPayloadLength] | 0;
    udp.checksumStatus = CHECKSUM_STATUSES[r[at + Col.checksumStatus]];
    return udp;
  }
}

const NO_SOURCES: Uint8Array[] = [];

/** TCP options with timestamps (see FrameBatchReader.timestampedOptions); a class, so its fields are its own. */
class TimestampedOptions implements TcpOptionsRepr {
  mss: number | null = null;
  windowScale: number | null = null;
  sackPermitted = false;
  sack: number[] = [];
  tsVal = DOUBLE_ZERO;
  tsEcr = DOUBLE_ZERO;
}
/** Frames without SACK blocks share this array; nothing adds to a decoded frame's blocks. */
const NO_SACK: number[] = [];

function checksumCode(status: UdpRepr['checksumStatus']): number {
  switch (status) {
    case 'good':
      return 0;
    case 'bad':
      return 1;
    case 'unverified':
      return 2;
    case 'none':
      return 3;
  }
}

function optional(value: number): number | null {
  return value === ABSENT ? null : value;
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
