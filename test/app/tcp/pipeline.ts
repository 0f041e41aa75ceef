import type { RawFrame } from '../../../app/capture/types';
import type { CaptureState, Dissection, NextLayer } from '../../../app/decode/dissection';
import { decodeFrame, decodeLayer, LINK_TYPE_DECODERS } from '../../../app/decode/frame';
import type { TcpAnalyzer } from '../../../app/tcp/analyzer';
import { readCaptureFile } from '../../../main/io/readCapture';

/*
 * The frame pipeline with the TCP analysis wired in where it belongs (proposed for app/decode/frame.ts):
 * right after the outermost TCP or UDP layer, before its payload, so that the analysis can decide the
 * payload layer (no payload dissection for retransmissions; DNS over TCP from the byte stream).
 */

const MAX_LAYERS = 32;

export function decodeWithAnalysis(state: CaptureState, analyzer: TcpAnalyzer, raw: RawFrame, withTree: boolean): Dissection {
  const first = LINK_TYPE_DECODERS[raw.linkType];
  // decodeFrame builds the dissection and the frame fields; with no link decoder it stops there.
  const d = decodeFrame(state, { ...raw, linkType: -1 }, withTree);
  d.frame.linkType = raw.linkType;
  if (first === undefined) return d;
  let next: NextLayer | null = { decoder: first, source: 0, offset: 0, end: raw.data.length, embedded: false };
  for (let depth = 0; next && depth < MAX_LAYERS; depth++) {
    const { decoder, embedded } = next;
    next = decodeLayer(d, next);
    if ((decoder === 'tcp' || decoder === 'udp') && !embedded) next = analyzer.observeLayer(d, next);
  }
  return d;
}

/** Reads a capture and decodes every frame with the analysis wired in; the reader's problem, if any, is returned. */
export async function analyzeCaptureWithTcp(
  path: string,
  state: CaptureState,
  analyzer: TcpAnalyzer,
  withTree: boolean,
  onFrame: (d: Dissection) => void,
): Promise<{ format: 'pcap' | 'pcapng' | null }> {
  const { format } = await readCaptureFile(path, {
    frame: (raw) => onFrame(decodeWithAnalysis(state, analyzer, raw, withTree)),
    problem: () => undefined,
  });
  analyzer.finish();
  return { format };
}
