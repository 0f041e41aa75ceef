import { runTshark } from '../../helpers/tshark';

/** One block of `tshark -q -z follow,tcp,raw,N`: bytes sent by node 0 or node 1, or a gap. */
export interface TsharkFollowBlock {
  node: 0 | 1;
  /** null for "[N bytes missing in capture file]", which tshark writes into the raw output as text. */
  bytes: Uint8Array | null;
  length: number;
}

export interface TsharkFollow {
  node0: string;
  node1: string;
  blocks: TsharkFollowBlock[];
}

const GAP = /^\[(\d+) bytes missing in capture file\]\0?$/;

/**
 * tshark's follow of one TCP stream in raw mode: a header naming the nodes, then one hex line per block,
 * node 1's indented by a tab (ui/cli/tap-follow.c).
 */
export async function tsharkFollowRaw(file: string, stream: number): Promise<TsharkFollow> {
  const run = await runTshark(['-r', file, '-q', '-z', `follow,tcp,raw,${stream}`]);
  if (run.exitCode !== 0) throw new Error(`tshark follow failed on ${file}: ${run.stderr}`);
  const lines = run.stdout.split('\n');
  const node0 = lines.find((l) => l.startsWith('Node 0: '))?.slice(8) ?? '';
  const node1 = lines.find((l) => l.startsWith('Node 1: '))?.slice(8) ?? '';
  const start = lines.findIndex((l) => l.startsWith('Node 1: ')) + 1;
  const blocks: TsharkFollowBlock[] = [];
  for (const line of lines.slice(start)) {
    if (line.startsWith('=====') || line === '') continue;
    const node = line.startsWith('\t') ? 1 : 0;
    const bytes = Uint8Array.from(Buffer.from(line.trim(), 'hex'));
    const gap = GAP.exec(Buffer.from(bytes).toString('latin1'));
    blocks.push(gap ? { node, bytes: null, length: Number(gap[1]) } : { node, bytes, length: bytes.length });
  }
  return { node0, node1, blocks };
}

/** The bytes one node sent, gaps left out, and the bytes missing. */
export function nodeBytes(follow: TsharkFollow, node: 0 | 1): { bytes: Buffer; missing: number } {
  const parts: Buffer[] = [];
  let missing = 0;
  for (const block of follow.blocks) {
    if (block.node !== node) continue;
    if (block.bytes) parts.push(Buffer.from(block.bytes));
    else missing += block.length;
  }
  return { bytes: Buffer.concat(parts), missing };
}
