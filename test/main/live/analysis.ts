import { open } from 'node:fs/promises';
import type { DnsTransaction, FlowRow } from '../../../app/api/types';
import { CaptureSession } from '../../../app/index/session';
import { readCaptureFile } from '../../../main/io/readCapture';

/** What the engine concluded about a capture, in comparable form (no file offsets: they depend on the format). */
export interface Analysis {
  frames: number;
  times: string[];
  lengths: string[];
  protocols: string[];
  colours: string[];
  flags: number[];
  /** tcp.stream * 2 + direction per frame, -1 for non-TCP frames. */
  tcpStreamDirection: number[];
  /** TcpAnalysisFlag bits per frame. */
  tcpAnalysis: number[];
  flows: FlowRow[];
  dns: DnsTransaction[];
}

export function analysisOf(session: CaptureSession, from = 1): Analysis {
  const ix = session.index;
  const range = Array.from({ length: Math.max(0, ix.count - from + 1) }, (_, k) => k + from - 1);
  return {
    frames: range.length,
    times: range.map((i) => `${ix.tsSeconds[i]}.${String(ix.tsNanos[i]).padStart(9, '0')}`),
    lengths: range.map((i) => `${ix.originalLength[i]}/${ix.capturedLength[i]}`),
    protocols: range.map((i) => ix.protocolName(i)),
    colours: range.map((i) => ix.rowColour(i)),
    flags: range.map((i) => ix.flags[i]),
    tcpStreamDirection: range.map((i) => ix.tcpStreamDirection[i]),
    tcpAnalysis: range.map((i) => ix.tcpAnalysis[i]),
    flows: session.flows(),
    dns: session.dnsTransactions(),
  };
}

/** A capture file through the engine, as the capture worker indexes it. */
export async function analyseFile(path: string): Promise<{ session: CaptureSession; close(): Promise<void> }> {
  const handle = await open(path, 'r');
  const session = new CaptureSession({
    async read(offset, length) {
      const bytes = new Uint8Array(length);
      const { bytesRead } = await handle.read(bytes, 0, length, offset);
      return bytes.subarray(0, bytesRead);
    },
  });
  let problem = null;
  const { format } = await readCaptureFile(path, { frame: (raw) => session.addFrame(raw), problem: (p) => (problem = p) });
  session.finish(format, problem);
  return { session, close: () => handle.close() };
}
