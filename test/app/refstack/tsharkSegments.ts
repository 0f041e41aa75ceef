import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { ObservedSegment } from '../../../app/refstack/events';

/*
 * Builds the reference stack's input from tshark's own dissection, so the models can be measured against
 * the kernel-truth captures independently of our decoders. Raw sequence numbers everywhere
 * (tcp.relative_sequence_numbers:FALSE also makes the SACK edges raw); tcp.window_size is the scaled window.
 */

export const TSHARK = '/usr/bin/tshark';

export function tsharkAvailable(): boolean {
  return existsSync(TSHARK);
}

const FIELDS = [
  'frame.time_epoch',
  'ip.src',
  'ipv6.src',
  'tcp.srcport',
  'ip.dst',
  'ipv6.dst',
  'tcp.dstport',
  'tcp.stream',
  'tcp.seq_raw',
  'tcp.ack_raw',
  'tcp.len',
  'tcp.flags',
  'tcp.window_size',
  'tcp.options.sack_le',
  'tcp.options.sack_re',
  'tcp.options.timestamp.tsval',
  'tcp.options.timestamp.tsecr',
  'tcp.options.mss_val',
  'tcp.options.wscale.shift',
  'tcp.options.sack_perm',
];

function endpoint(ip4: string, ip6: string, port: string): string {
  return ip6 ? `[${ip6}]:${port}` : `${ip4}:${port}`;
}

function numbers(list: string): number[] {
  return list ? list.split(',').map(Number) : [];
}

function optionalNumber(value: string): number | null {
  return value === '' ? null : Number(value.split(',')[0]);
}

/** Every TCP segment of the capture, grouped by tcp.stream, in capture order. */
export function tsharkSegments(file: string): Map<number, ObservedSegment[]> {
  const args = ['-r', file, '-o', 'tcp.relative_sequence_numbers:FALSE', '-Y', 'tcp', '-T', 'fields', '-E', 'separator=\t'];
  for (const f of FIELDS) args.push('-e', f);
  const run = spawnSync(TSHARK, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (run.status !== 0) throw new Error(`tshark failed on ${file}: ${run.stderr}`);
  const streams = new Map<number, ObservedSegment[]>();
  for (const line of run.stdout.split('\n')) {
    if (!line) continue;
    const c = line.split('\t');
    const flags = Number(c[11]);
    const left = numbers(c[13]);
    const right = numbers(c[14]);
    const sack: number[] = [];
    for (let i = 0; i < Math.min(left.length, right.length); i++) sack.push(left[i] >>> 0, right[i] >>> 0);
    const isSyn = (flags & 0x002) !== 0;
    const segment: ObservedSegment = {
      time: Number(c[0]),
      src: endpoint(c[1], c[2], c[3]),
      dst: endpoint(c[4], c[5], c[6]),
      seq: Number(c[8]) >>> 0,
      ack: Number(c[9]) >>> 0,
      len: Number(c[10]),
      flags,
      window: Number(c[12]),
      sack,
      tsVal: optionalNumber(c[15]),
      tsEcr: optionalNumber(c[16]),
      syn: isSyn
        ? { mss: optionalNumber(c[17]), windowScale: optionalNumber(c[18]), sackPermitted: c[19] !== '', timestamps: c[15] !== '' }
        : null,
    };
    const stream = Number(c[7]);
    let list = streams.get(stream);
    if (!list) streams.set(stream, (list = []));
    list.push(segment);
  }
  return streams;
}
