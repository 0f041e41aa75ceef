import type { RawFrame } from '../capture/types';
import { DISABLED_FIELD_TREE, FieldTree } from '../fields/tree';
import { newDissection, type CaptureState, type Dissection, type LayerDecoder, type NextLayer, type TransportObserver } from './dissection';
import type { DecodeIssue } from './issue';
import { FragmentTable } from './defrag';
import { FRAME_FIELDS, recordFrameFields, recordFrameProtocols } from './framefields';
import { decodeEthernet, decodeVlan } from './ethernet';
import { decodeSll, decodeSll2 } from './sll';
import { decodeNull, decodeLoop, decodeRawIp } from './null';
import { decodeArp } from './arp';
import { decodeIpv4 } from './ipv4';
import { decodeIpv6 } from './ipv6';
import { decodeIcmp } from './icmp';
import { decodeIcmpv6 } from './icmpv6';
import { decodeUdp } from './udp';
import { decodeTcp } from './tcp';
import { decodeDns, decodeDnsOverTcp, decodeLlmnr, decodeMdns } from './dns';

/** Decoders by the name a previous layer (or the link type) hands on (a Map: looked up for every layer of every frame). */
const DECODERS: ReadonlyMap<string, LayerDecoder> = new Map(Object.entries({
  eth: decodeEthernet,
  vlan: decodeVlan,
  sll: decodeSll,
  sll2: decodeSll2,
  null: decodeNull,
  loop: decodeLoop,
  raw: decodeRawIp,
  arp: decodeArp,
  ip: decodeIpv4,
  ipv6: decodeIpv6,
  icmp: decodeIcmp,
  icmpv6: decodeIcmpv6,
  udp: decodeUdp,
  tcp: decodeTcp,
  dns: decodeDns,
  'dns-tcp': decodeDnsOverTcp,
  mdns: decodeMdns,
  llmnr: decodeLlmnr,
} satisfies Record<string, LayerDecoder>));

/** LINKTYPE_* values we decode, and their first decoder. */
export const LINK_TYPE_DECODERS: Readonly<Record<number, string>> = {
  0: 'null',
  1: 'eth',
  12: 'raw',
  101: 'raw',
  108: 'loop',
  113: 'sll',
  228: 'raw',
  229: 'raw',
  276: 'sll2',
};

/** Tunnels, ICMP errors and extension headers never nest deeper than this in real traffic. */
const MAX_LAYERS = 32;

export function newCaptureState(tcp: TransportObserver | null = null): CaptureState {
  return { ipv4Fragments: new FragmentTable(), ipv6Fragments: new FragmentTable(), tcp };
}

/**
 * Decodes one frame through link -> network -> transport -> application. Never throws: a bug in a
 * decoder becomes malformed{code:'internal'} and the layers decoded before it stay.
 */
export function decodeFrame(state: CaptureState, raw: RawFrame, withTree: boolean): Dissection {
  const meta = {
    number: raw.number,
    linkType: raw.linkType,
    interfaceId: raw.interfaceId,
    tsSeconds: raw.tsSeconds,
    tsNanos: raw.tsNanos,
    originalLength: raw.originalLength,
    capturedLength: raw.data.length,
  };
  const d = newDissection(meta, [raw.data], withTree ? new FieldTree(true) : DISABLED_FIELD_TREE, state);
  const frameNode = recordFrameFields(d);
  const first = LINK_TYPE_DECODERS[raw.linkType];
  if (first === undefined) {
    recordFrameProtocols(d, frameNode);
    return d;
  }
  let next: NextLayer | null = { decoder: first, source: 0, offset: 0, end: raw.data.length, embedded: false };
  try {
    for (let depth = 0; next && depth < MAX_LAYERS; depth++) {
      const { decoder, embedded } = next;
      next = decodeLayer(d, next);
      if (state.tcp && !embedded && (decoder === 'tcp' || decoder === 'udp')) next = state.tcp.observeLayer(d, next);
    }
  } catch (error) {
    d.malformed ??= internalIssue(next, error);
  }
  recordFrameProtocols(d, frameNode);
  return d;
}

/**
 * Decodes `next` and the layers after it, without the transport step: the payload of a TCP layer that the
 * analysis, run on another thread's decoding, let through (app/decode/frameBatch.ts).
 */
export function decodeLayersFrom(d: Dissection, next: NextLayer | null): void {
  try {
    for (let depth = 0; next && depth < MAX_LAYERS; depth++) next = decodeLayer(d, next);
  } catch (error) {
    d.malformed ??= internalIssue(next, error);
  }
}

/** A decoder bug, as the frame's problem: the layers decoded before it stay. */
function internalIssue(next: NextLayer | null, error: unknown): DecodeIssue {
  return {
    code: 'internal',
    layer: next?.decoder ?? 'frame',
    offset: next?.offset ?? 0,
    message: `internal decoder error: ${error instanceof Error ? error.message : String(error)}`,
  };
}

/** Runs the decoder an earlier layer asked for; ICMP errors call this for the packet they embed. */
export function decodeLayer(d: Dissection, next: NextLayer): NextLayer | null {
  const decoder = DECODERS.get(next.decoder);
  if (!decoder) return null;
  d.tree.source = next.source;
  d.tree.closeAll();
  return decoder(d, next);
}

export { FRAME_FIELDS };
