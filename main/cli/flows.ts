import { mergeSummaries, type ConversationSummary, type Endpoint } from '../../app/tcp/conversation';
import { TcpAnalyzer } from '../../app/tcp/analyzer';
import type { RttEstimate } from '../../app/tcp/rtt';
import type { FlightSummary } from '../../app/tcp/flight';
import { analyzeFile, BUNDLED_DECODE_WORKER } from '../io/analyzeFile';
import type { DecodeThread } from '../io/decodeThread';
import { CaptureFileError } from '../io/readCapture';

export interface FlowsOptions {
  json: boolean;
}

/**
 * `wirelens flows FILE [--json]`: every TCP and UDP conversation (tcp.stream / udp.stream numbering), with
 * frames and bytes per direction, times, and for TCP the handshake, who closed, both ends' RFC 9293 states
 * and the RTT of each direction's data. TCP first, then UDP, each by stream number. `decoding`: the decoding
 * thread already started on the file, if the caller started it.
 */
export async function runFlows(file: string, options: FlowsOptions, write: (text: string) => void, decoding?: DecodeThread): Promise<void> {
  const conversations = new Map<string, ConversationSummary>();
  const analyzer = new TcpAnalyzer({
    onConversationEnd(summary) {
      const key = `${summary.protocol} ${summary.stream}`;
      const earlier = conversations.get(key);
      conversations.set(key, earlier ? mergeSummaries(earlier, summary) : summary);
    },
  });
  let captureStart: { seconds: number; nanos: number } | null = null;
  const { problem } = await analyzeFile(file, {
    withTree: false,
    tcp: analyzer,
    decodeWorker: decoding ?? BUNDLED_DECODE_WORKER,
    onFrame(d) {
      captureStart ??= { seconds: d.frame.tsSeconds, nanos: d.frame.tsNanos };
    },
  });
  const list = [...conversations.values()].sort((x, y) => (x.protocol === y.protocol ? x.stream - y.stream : x.protocol === 'tcp' ? -1 : 1));
  const start = (captureStart as { seconds: number; nanos: number } | null) ?? { seconds: 0, nanos: 0 };
  write(options.json ? `${JSON.stringify({ file, conversations: list }, null, 2)}\n` : flowsText(list, start));
  // Like tshark, what could be read is shown, then the damage is reported.
  if (problem) throw new CaptureFileError(`${file}: ${problem.message}`, null, file);
}

function endpointText(e: Endpoint): string {
  return e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}

function secondsSince(seconds: number, nanos: number, from: { seconds: number; nanos: number }): number {
  return seconds - from.seconds + (nanos - from.nanos) / 1e9;
}

function rttText(rtt: RttEstimate): string {
  return rtt.srttNs === null ? '-' : `${(rtt.srttNs / 1e6).toFixed(3)} ms`;
}

function nsText(ns: number | null): string {
  return ns === null ? '-' : `${(ns / 1e6).toFixed(3)} ms`;
}

/** Little's law for one direction: mean bytes in flight beside throughput x mean RTT. */
function flightText(flight: FlightSummary): string {
  const predicted = flight.littlesLawBytes === null ? '-' : Math.round(flight.littlesLawBytes).toString();
  return `in flight ${Math.round(flight.meanBytesInFlight)} B vs throughput x mean RTT ${predicted} B`;
}

function flowsText(list: readonly ConversationSummary[], start: { seconds: number; nanos: number }): string {
  const lines = [`${list.filter((c) => c.protocol === 'tcp').length} TCP and ${list.filter((c) => c.protocol === 'udp').length} UDP conversations`];
  for (const c of list) {
    const client = c.clientIsA ? c.a : c.b;
    const server = c.clientIsA ? c.b : c.a;
    const [framesOut, bytesOut, framesIn, bytesIn] = c.clientIsA
      ? [c.packetsAtoB, c.bytesAtoB, c.packetsBtoA, c.bytesBtoA]
      : [c.packetsBtoA, c.bytesBtoA, c.packetsAtoB, c.bytesAtoB];
    const begin = secondsSince(c.firstSeconds, c.firstNanos, start);
    const duration = secondsSince(c.lastSeconds, c.lastNanos, { seconds: c.firstSeconds, nanos: c.firstNanos });
    let line =
      `${c.protocol} ${c.stream}  ${endpointText(client)} -> ${endpointText(server)}  ` +
      `frames ${framesOut}/${framesIn}  bytes ${bytesOut}/${bytesIn}  start ${begin.toFixed(6)}  duration ${duration.toFixed(6)}`;
    const tcp = c.tcp;
    if (tcp) {
      const handshake = tcp.handshakeCompleted ? 'complete' : tcp.synAckSeen ? 'SYN, SYN-ACK' : tcp.synSeen ? 'SYN only' : 'not seen';
      const clientSide = c.clientIsA ? 'a' : 'b';
      const closer = tcp.closedBy === null ? 'open' : `closed by ${tcp.closedBy === clientSide ? 'client' : 'server'}`;
      const resets = tcp.rstFromA || tcp.rstFromB ? ' (reset)' : '';
      const [clientState, serverState] = c.clientIsA ? [tcp.stateA, tcp.stateB] : [tcp.stateB, tcp.stateA];
      const [rttOut, rttIn] = c.clientIsA ? [tcp.rttAtoB, tcp.rttBtoA] : [tcp.rttBtoA, tcp.rttAtoB];
      const [retransOut, retransIn] = c.clientIsA ? [tcp.retransmissionsAtoB, tcp.retransmissionsBtoA] : [tcp.retransmissionsBtoA, tcp.retransmissionsAtoB];
      line +=
        `  handshake ${handshake}  ${closer}${resets}  states ${clientState}/${serverState}` +
        `  retransmissions ${retransOut}/${retransIn}  srtt ${rttText(rttOut)}/${rttText(rttIn)}` +
        `  min rtt ${nsText(rttOut.minRttNs)}/${nsText(rttIn.minRttNs)}  queueing ${nsText(rttOut.queueingDelayNs)}/${nsText(rttIn.queueingDelayNs)}`;
      const [flightOut, flightIn] = c.clientIsA ? [tcp.flightAtoB, tcp.flightBtoA] : [tcp.flightBtoA, tcp.flightAtoB];
      line += `\n    Little's law client->server: ${flightText(flightOut)};  server->client: ${flightText(flightIn)}`;
    }
    lines.push(line);
  }
  return `${lines.join('\n')}\n`;
}
