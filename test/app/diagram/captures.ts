import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Ladder, LadderArrow } from '../../../app/diagram/ladder';
import { streamLadder } from '../../../main/cli/diagram';
import { buildPcap } from '../../helpers/captureBuilder';
import { tcpFrameBytes, type TcpFrameSpec } from '../tcp/frames';

/*
 * Ladders for the diagram tests, always through the real adapter (main/cli/diagram.ts streamLadder:
 * reader, decoders, TCP analyzer, LadderBuilder): corpus captures as they are, and built connections
 * written to a temporary pcap first (so tshark can be asked about them too).
 */

export const client = { src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 80 };
export const server = { src: '10.0.0.2', dst: '10.0.0.1', sport: 80, dport: 40000 };

/** A built segment and when it is captured, in ms after the first. */
export interface TimedSpec {
  ms: number;
  spec: TcpFrameSpec;
}

let directory: string | null = null;

/** Writes built segments as a microsecond pcap (Ethernet) under a temporary directory; returns its path. */
export function writeCapture(name: string, frames: readonly TimedSpec[]): string {
  directory ??= mkdtempSync(join(tmpdir(), 'wirelens-diagram-test-'));
  const path = join(directory, `${name}.pcap`);
  const records = frames.map(({ ms, spec }) => {
    const us = Math.round(ms * 1000);
    return { seconds: 1_700_000_000 + Math.floor(us / 1e6), fraction: us % 1e6, data: tcpFrameBytes(spec) };
  });
  writeFileSync(path, buildPcap({}, records));
  return path;
}

export async function ladderOfFile(path: string, stream: number): Promise<Ladder> {
  const { ladder, damaged } = await streamLadder(path, stream);
  if (damaged) throw damaged;
  if (!ladder) throw new Error(`no stream ${stream} in ${path}`);
  return ladder;
}

export function arrows(ladder: Ladder): LadderArrow[] {
  return ladder.elements.filter((e): e is LadderArrow => e.kind === 'arrow');
}

/** The drawing as a short text: 'c>s syn #1', 's<c ...', 'summary #12-#17', 'gap'. */
export function outline(ladder: Ladder): string[] {
  return ladder.elements.map((e) => {
    if (e.kind === 'gap') return 'gap';
    if (e.kind === 'summary') return `summary #${e.firstFrame}-#${e.lastFrame}`;
    const frames = e.firstFrame === e.lastFrame ? `#${e.firstFrame}` : `#${e.firstFrame}-#${e.lastFrame}`;
    return `${e.from === 'client' ? 'c>s' : 's>c'} ${e.role} ${frames}`;
  });
}
