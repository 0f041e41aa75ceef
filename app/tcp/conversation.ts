import type { FlightSummary } from './flight';
import type { RttEstimate } from './rtt';

/** One end of a conversation. */
export interface Endpoint {
  address: string;
  port: number;
}

/** TCP-specific part of a conversation summary. */
export interface TcpConversationSummary {
  /** A pure SYN, a SYN-ACK, and the ACK completing the handshake (RFC 9293 section 3.5) were seen. */
  synSeen: boolean;
  synAckSeen: boolean;
  handshakeCompleted: boolean;
  /** FIN and RST sent by A and by B. */
  finFromA: boolean;
  finFromB: boolean;
  rstFromA: boolean;
  rstFromB: boolean;
  /** Who started the close: the first FIN or RST sender. */
  closedBy: 'a' | 'b' | null;
  /** RFC 9293 states of A and B after the last segment (state.ts names). */
  stateA: string;
  stateB: string;
  /** tcp.completeness after the last segment. */
  completeness: number;
  /** Segments Wireshark flags as retransmissions (any kind), per direction. */
  retransmissionsAtoB: number;
  retransmissionsBtoA: number;
  /** RTT of the data sent A->B (measured from B's ACKs) and B->A. */
  rttAtoB: RttEstimate;
  rttBtoA: RttEstimate;
  /** Little's law per direction: mean bytes in flight beside throughput x mean RTT. */
  flightAtoB: FlightSummary;
  flightBtoA: FlightSummary;
}

/** One line of `wirelens flows`: a TCP or UDP conversation (one tcp.stream / udp.stream). */
export interface ConversationSummary {
  protocol: 'tcp' | 'udp';
  stream: number;
  /** A is the source of the conversation's first packet. */
  a: Endpoint;
  b: Endpoint;
  /** The client: the side that sent the first SYN (else the side a SYN-ACK went to, else A). */
  clientIsA: boolean;
  firstSeconds: number;
  firstNanos: number;
  lastSeconds: number;
  lastNanos: number;
  packetsAtoB: number;
  packetsBtoA: number;
  /** Frame bytes (frame.len), as Wireshark's conversation table counts them. */
  bytesAtoB: number;
  bytesBtoA: number;
  /** Transport payload bytes (tcp.len / UDP payload). */
  payloadAtoB: number;
  payloadBtoA: number;
  /** True for the part of a conversation seen after its state was evicted (memory bound); merge by stream. */
  continued: boolean;
  tcp: TcpConversationSummary | null;
}

export function newSummary(protocol: 'tcp' | 'udp', stream: number, a: Endpoint, b: Endpoint, seconds: number, nanos: number): ConversationSummary {
  return {
    protocol,
    stream,
    a,
    b,
    clientIsA: true,
    firstSeconds: seconds,
    firstNanos: nanos,
    lastSeconds: seconds,
    lastNanos: nanos,
    packetsAtoB: 0,
    packetsBtoA: 0,
    bytesAtoB: 0,
    bytesBtoA: 0,
    payloadAtoB: 0,
    payloadBtoA: 0,
    continued: false,
    tcp: null,
  };
}

/** Adds one packet to a summary. */
export function countPacket(s: ConversationSummary, direction: 0 | 1, seconds: number, nanos: number, frameBytes: number, payloadBytes: number): void {
  s.lastSeconds = seconds;
  s.lastNanos = nanos;
  if (direction === 0) {
    s.packetsAtoB++;
    s.bytesAtoB += frameBytes;
    s.payloadAtoB += payloadBytes;
  } else {
    s.packetsBtoA++;
    s.bytesBtoA += frameBytes;
    s.payloadBtoA += payloadBytes;
  }
}

/** Conversation key: the two endpoints in a fixed order, so both directions find the same entry. */
export function conversationKey(src: string, srcPort: number, dst: string, dstPort: number): string {
  const first = src < dst || (src === dst && srcPort <= dstPort);
  return first ? `${src} ${srcPort} ${dst} ${dstPort}` : `${dst} ${dstPort} ${src} ${srcPort}`;
}

/** Tuples whose keys TupleKeyCache keeps; past this it starts again (a key is only rebuilt, never wrong). */
const MAX_CACHED_TUPLES = 1 << 16;

/**
 * conversationKey of the tuples seen recently, either way round: building and hashing a new key string
 * for every packet cost more than the rest of the lookup, while looking up the address texts (the decoders
 * hand out the same string for the same address, its hash computed once) and a number for the ports is cheap.
 */
export class TupleKeyCache {
  private readonly keys = new Map<string, Map<string, Map<number, string>>>();
  private size = 0;
  /** The last tuple asked for: packets of one direction often come in runs. */
  private lastSrc = '';
  private lastDst = '';
  private lastPorts = -1;
  private lastKey = '';

  of(src: string, srcPort: number, dst: string, dstPort: number): string {
    const ports = srcPort * 0x10000 + dstPort;
    if (ports === this.lastPorts && src === this.lastSrc && dst === this.lastDst) return this.lastKey;
    const key = this.lookUp(src, srcPort, dst, dstPort, ports);
    this.lastSrc = src;
    this.lastDst = dst;
    this.lastPorts = ports;
    this.lastKey = key;
    return key;
  }

  private lookUp(src: string, srcPort: number, dst: string, dstPort: number, ports: number): string {
    let byDst = this.keys.get(src);
    if (!byDst) this.keys.set(src, (byDst = new Map()));
    let byPorts = byDst.get(dst);
    if (!byPorts) byDst.set(dst, (byPorts = new Map()));
    let key = byPorts.get(ports);
    if (key === undefined) {
      if (this.size >= MAX_CACHED_TUPLES) {
        this.keys.clear();
        this.size = 0;
        return this.lookUp(src, srcPort, dst, dstPort, ports);
      }
      key = conversationKey(src, srcPort, dst, dstPort);
      byPorts.set(ports, key);
      this.size++;
    }
    return key;
  }
}

/** The key of one endpoint ("address port"), which the conversation key is made of. */
export function endpointKey(address: string, port: number): string {
  return `${address} ${port}`;
}

/** The two endpoints of a conversation key, in key order. */
export function endpointsOfKey(key: string): [Endpoint, Endpoint] {
  const [a, aPort, b, bPort] = key.split(' ');
  return [
    { address: a, port: Number(aPort) },
    { address: b, port: Number(bPort) },
  ];
}

/**
 * Adds the later part of a conversation (reported again after its state was evicted for memory, marked
 * `continued`) to the earlier one: counts add up, the last part's times and states win.
 */
export function mergeSummaries(earlier: ConversationSummary, later: ConversationSummary): ConversationSummary {
  const merged: ConversationSummary = {
    ...earlier,
    lastSeconds: later.lastSeconds,
    lastNanos: later.lastNanos,
    packetsAtoB: earlier.packetsAtoB + later.packetsAtoB,
    packetsBtoA: earlier.packetsBtoA + later.packetsBtoA,
    bytesAtoB: earlier.bytesAtoB + later.bytesAtoB,
    bytesBtoA: earlier.bytesBtoA + later.bytesBtoA,
    payloadAtoB: earlier.payloadAtoB + later.payloadAtoB,
    payloadBtoA: earlier.payloadBtoA + later.payloadBtoA,
  };
  if (earlier.tcp && later.tcp) {
    const a = earlier.tcp;
    const b = later.tcp;
    merged.tcp = {
      ...b,
      synSeen: a.synSeen || b.synSeen,
      synAckSeen: a.synAckSeen || b.synAckSeen,
      handshakeCompleted: a.handshakeCompleted || b.handshakeCompleted,
      finFromA: a.finFromA || b.finFromA,
      finFromB: a.finFromB || b.finFromB,
      rstFromA: a.rstFromA || b.rstFromA,
      rstFromB: a.rstFromB || b.rstFromB,
      closedBy: a.closedBy ?? b.closedBy,
      completeness: a.completeness | b.completeness,
      retransmissionsAtoB: a.retransmissionsAtoB + b.retransmissionsAtoB,
      retransmissionsBtoA: a.retransmissionsBtoA + b.retransmissionsBtoA,
    };
  }
  return merged;
}
