import { describe, expect, it } from 'vitest';
import { FragmentTable, type FragmentResult } from '../../../app/decode/defrag';
import { decode, decodeAll, first, firsts, hex, values } from './networkFixtures';

/*
 * Fragment reassembly. The table tests are {in, want} tables; the overlap cases reproduce what tshark 4.0
 * showed for the same fragments (crafted captures: ip.reassembled.data and the per-fragment flags).
 */

interface FragmentIn {
  frame: number;
  offset: number;
  /** Payload as text, one character per byte. */
  data: string;
  more: boolean;
}

interface Want {
  /** Status after each fragment. */
  statuses: FragmentResult['status'][];
  /** Reassembled payload as text, when the last fragment completes the datagram. */
  data?: string;
  /** Fragments as Wireshark lists them: frame and findings (o overlap, c conflict, t too long, m multiple tails). */
  fragments?: string[];
}

function text(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

function run(fragments: FragmentIn[], table = new FragmentTable()): { results: FragmentResult[]; table: FragmentTable } {
  const results = fragments.map((f) => table.add('key', f.frame, f.offset, text(f.data), f.more));
  return { results, table };
}

function describeFragments(result: FragmentResult | undefined): string[] | undefined {
  if (result?.status !== 'complete') return undefined;
  return result.datagram.fragments.map((f) => {
    const flags = `${f.overlap ? 'o' : ''}${f.overlapConflict ? 'c' : ''}${f.tooLong ? 't' : ''}${f.multipleTails ? 'm' : ''}`;
    return `#${f.frame}${flags ? ` ${flags}` : ''}`;
  });
}

const A16 = 'A'.repeat(16);
const B16 = 'B'.repeat(16);
const C8 = 'C'.repeat(8);

const CASES: { name: string; in: FragmentIn[]; want: Want }[] = [
  {
    name: 'in order',
    in: [{ frame: 1, offset: 0, data: A16, more: true }, { frame: 2, offset: 16, data: C8, more: false }],
    want: { statuses: ['incomplete', 'complete'], data: A16 + C8, fragments: ['#1', '#2'] },
  },
  {
    name: 'out of order: the last fragment first',
    in: [{ frame: 1, offset: 16, data: C8, more: false }, { frame: 2, offset: 0, data: A16, more: true }],
    want: { statuses: ['incomplete', 'complete'], data: A16 + C8, fragments: ['#2', '#1'] },
  },
  {
    name: 'duplicate with the same bytes: flagged overlap, no conflict',
    in: [
      { frame: 1, offset: 0, data: A16, more: true },
      { frame: 2, offset: 0, data: A16, more: true },
      { frame: 3, offset: 16, data: C8, more: false },
    ],
    want: { statuses: ['incomplete', 'incomplete', 'complete'], data: A16 + C8, fragments: ['#1', '#2 o', '#3'] },
  },
  {
    name: 'overlap: the lower offset wins (tshark: AAAAAAAAAAAAAAAA BBBBBBBB CCCCCCCC)',
    in: [
      { frame: 1, offset: 0, data: A16, more: true },
      { frame: 2, offset: 8, data: B16, more: true },
      { frame: 3, offset: 24, data: C8, more: false },
    ],
    want: { statuses: ['incomplete', 'incomplete', 'complete'], data: A16 + 'B'.repeat(8) + C8, fragments: ['#1', '#2 oc', '#3'] },
  },
  {
    name: 'overlap: at equal offsets the earlier arrival wins',
    in: [
      { frame: 1, offset: 0, data: A16, more: true },
      { frame: 2, offset: 0, data: B16, more: true },
      { frame: 3, offset: 16, data: C8, more: false },
    ],
    want: { statuses: ['incomplete', 'incomplete', 'complete'], data: A16 + C8, fragments: ['#1', '#2 oc', '#3'] },
  },
  {
    name: 'overlap: a lower offset arriving later still wins',
    in: [
      { frame: 1, offset: 8, data: A16, more: true },
      { frame: 2, offset: 0, data: B16, more: true },
      { frame: 3, offset: 24, data: C8, more: false },
    ],
    want: { statuses: ['incomplete', 'incomplete', 'complete'], data: B16 + 'A'.repeat(8) + C8, fragments: ['#2', '#1 oc', '#3'] },
  },
  {
    name: 'overlap: a fragment inside another is compared too',
    in: [
      { frame: 1, offset: 0, data: 'A'.repeat(24), more: true },
      { frame: 2, offset: 8, data: 'B'.repeat(8), more: true },
      { frame: 3, offset: 24, data: C8, more: false },
    ],
    want: { statuses: ['incomplete', 'incomplete', 'complete'], data: 'A'.repeat(24) + C8, fragments: ['#1', '#2 oc', '#3'] },
  },
  {
    name: 'too long: bytes past the end fixed by the last fragment are cut',
    in: [
      { frame: 1, offset: 0, data: 'A'.repeat(18), more: true },
      { frame: 2, offset: 48, data: 'X'.repeat(116), more: false },
      { frame: 3, offset: 0, data: 'Y'.repeat(304), more: true },
    ],
    want: {
      statuses: ['incomplete', 'incomplete', 'complete'],
      data: 'A'.repeat(18) + 'Y'.repeat(146),
      fragments: ['#1', '#3 oct', '#2 oc'],
    },
  },
  {
    name: 'multiple tails: the first one fixes the length',
    in: [
      { frame: 1, offset: 8, data: 'B'.repeat(8), more: false },
      { frame: 2, offset: 24, data: C8, more: false },
      { frame: 3, offset: 0, data: 'A'.repeat(8), more: true },
    ],
    want: { statuses: ['incomplete', 'incomplete', 'complete'], data: 'A'.repeat(8) + 'B'.repeat(8), fragments: ['#3', '#1', '#2 tm'] },
  },
  {
    name: 'never completed: a hole stays',
    in: [{ frame: 1, offset: 0, data: 'A'.repeat(18), more: true }, { frame: 2, offset: 48, data: 'X'.repeat(116), more: false }],
    want: { statuses: ['incomplete', 'incomplete'] },
  },
  {
    name: 'never completed: no last fragment',
    in: [{ frame: 1, offset: 0, data: A16, more: true }, { frame: 2, offset: 16, data: A16, more: true }],
    want: { statuses: ['incomplete', 'incomplete'] },
  },
  {
    name: 'a duplicate after completion starts a new datagram',
    in: [
      { frame: 1, offset: 0, data: A16, more: true },
      { frame: 2, offset: 16, data: C8, more: false },
      { frame: 3, offset: 0, data: A16, more: true },
      { frame: 4, offset: 16, data: C8, more: false },
    ],
    want: { statuses: ['incomplete', 'complete', 'incomplete', 'complete'], data: A16 + C8, fragments: ['#3', '#4'] },
  },
];

describe('FragmentTable', () => {
  it.each(CASES)('$name', ({ in: fragments, want }) => {
    const { results, table } = run(fragments);
    expect(results.map((r) => r.status)).toEqual(want.statuses);
    const last = results[results.length - 1];
    if (want.data !== undefined) {
      expect(last.status).toBe('complete');
      if (last.status === 'complete') expect(String.fromCharCode(...last.datagram.data)).toBe(want.data);
      expect(describeFragments(last)).toEqual(want.fragments);
    }
    // A completed datagram leaves the table; an unfinished one stays with its bytes.
    const pendingBytes = want.statuses[want.statuses.length - 1] === 'complete' ? 0 : fragments.reduce((n, f) => n + f.data.length, 0);
    expect(table.bytes).toBe(pendingBytes);
  });

  it('copies the payload: later changes to the frame buffer do not leak in', () => {
    const table = new FragmentTable();
    const payload = text(A16);
    table.add('key', 1, 0, payload, true);
    payload.fill(0);
    const result = table.add('key', 2, 16, text(C8), false);
    expect(result.status === 'complete' && String.fromCharCode(...result.datagram.data)).toBe(A16 + C8);
  });

  it('keeps datagrams apart by key', () => {
    const table = new FragmentTable();
    table.add('one', 1, 0, text(A16), true);
    expect(table.add('two', 2, 16, text(C8), false).status).toBe('incomplete');
    expect(table.add('one', 3, 16, text(C8), false).status).toBe('complete');
    expect(table.size).toBe(1);
  });

  it('refuses a fragment ending past 65535 bytes', () => {
    const table = new FragmentTable();
    const result = table.add('key', 1, 65528, new Uint8Array(16), true);
    expect(result.status).toBe('refused');
    expect(table.size).toBe(0);
  });

  it('refuses more than 65535 bytes of fragments for one datagram (duplicates included)', () => {
    const table = new FragmentTable();
    const big = new Uint8Array(40000);
    expect(table.add('key', 1, 0, big, true).status).toBe('incomplete');
    expect(table.add('key', 2, 0, big, true).status).toBe('refused');
    expect(table.bytes).toBe(40000);
  });

  it('evicts the oldest unfinished datagrams past the datagram count', () => {
    const table = new FragmentTable({ maxDatagramBytes: 65535, maxBufferedBytes: 1 << 20, maxDatagrams: 2 });
    table.add('first', 1, 0, text(A16), true);
    table.add('second', 2, 0, text(A16), true);
    table.add('third', 3, 0, text(A16), true);
    expect(table.size).toBe(2);
    // 'first' is gone: its last fragment now starts a datagram of its own.
    expect(table.add('first', 4, 16, text(C8), false).status).toBe('incomplete');
    expect(table.add('third', 5, 16, text(C8), false).status).toBe('complete');
  });

  it('evicts the oldest unfinished datagrams past the byte budget, never the one being added to', () => {
    const table = new FragmentTable({ maxDatagramBytes: 65535, maxBufferedBytes: 40, maxDatagrams: 100 });
    table.add('old', 1, 0, text(A16), true);
    table.add('new', 2, 0, text(A16), true);
    table.add('new', 3, 16, text(A16), true);
    expect(table.bytes).toBe(32);
    expect(table.size).toBe(1);
    expect(table.add('new', 4, 32, text(C8), false).status).toBe('complete');
    expect(table.bytes).toBe(0);
  });
});

const ETH = 'ffffffffffff 001122334455 0800';

describe('IPv4 reassembly in the pipeline', () => {
  it('reassembles a TCP SYN split inside its options (zeek ipv4/fragmented-syn.pcap)', () => {
    // frame 1: MF, offset 0, 24 bytes (TCP header and MSS); frame 2: offset 3 (24 bytes), 16 bytes of options
    const frames = [
      hex(`
        1e 0b 8b 14 f6 f9 98 ee cb bd 07 fe 08 00 45 00
        00 2c 00 01 20 00 40 06 8e ba c0 a8 01 64 0a 00
        00 05 30 39 00 50 00 00 03 e8 00 00 00 00 a0 02
        20 00 c5 73 00 00 02 04 05 b4`),
      hex(`
        1e 0b 8b 14 f6 f9 98 ee cb bd 07 fe 08 00 45 00
        00 24 00 01 00 03 40 06 ae bf c0 a8 01 64 0a 00
        00 05 04 02 08 0a 00 bc 61 4e 00 00 00 00 01 03
        03 07`),
    ];
    const [fragment, last] = decodeAll(frames);
    expect(fragment.protocols).toEqual(['eth', 'ethertype', 'ip', 'data']);
    expect(fragment.ip).toMatchObject({ fragment: true, reassembled: false, payloadLength: 24 });
    expect(firsts(fragment, ['ip.flags.mf', 'ip.frag_offset', 'ip.reassembled.length'])).toEqual({
      'ip.flags.mf': '1', 'ip.frag_offset': '0', 'ip.reassembled.length': '',
    });

    expect(last.protocols).toEqual(['eth', 'ethertype', 'ip', 'tcp']);
    expect(last.ip).toMatchObject({ fragment: false, reassembled: true, payloadLength: 40, protocol: 6 });
    expect(firsts(last, ['ip.frag_offset', 'ip.fragment.count', 'ip.reassembled.length', 'tcp.srcport', 'tcp.options.mss_val'])).toEqual({
      'ip.frag_offset': '3', 'ip.fragment.count': '2', 'ip.reassembled.length': '40', 'tcp.srcport': '12345', 'tcp.options.mss_val': '1460',
    });
    expect(values(last, 'ip.fragment')).toEqual(['1', '2']);
    // The reassembled bytes are a data source of their own; the TCP fields point into it.
    expect(last.sources).toHaveLength(2);
    expect(last.sources[1]).toHaveLength(40);
    expect(first(last, 'ip.reassembled.data')).toBe('303900500000' + '03e800000000a0022000c573000002040' + '5b4040208' + '0a00bc614e0000000001030307');
  });

  it('overlap with conflicting bytes (zeek ipv4/fragmented-4.pcap frames 2-5)', () => {
    // [0,24) MF, [48,72) MF, [72,89) last, then [24,72) MF overlapping the second: it completes the datagram
    const frames = [
      hex(`
        00 01 30 24 9d 00 00 b0 d0 e4 13 11 08 00 45 10
        00 2c 00 00 20 00 ff 06 e3 0c 80 20 2e 8e 0a 00
        00 01 1e 6e 00 50 00 e0 89 25 00 2d 97 f2 50 00
        ff ff 4f 69 00 00 47 45 54 20`),
      hex(`
        00 01 30 24 9d 00 00 b0 d0 e4 13 11 08 00 45 10
        00 2c 00 00 20 06 ff 06 e3 06 80 20 2e 8e 0a 00
        00 01 2e 25 32 66 2e 2e 2f 77 69 6e 6e 74 2f 73
        79 73 74 65 6d 33 32 2f 63 6d`),
      hex(`
        00 01 30 24 9d 00 00 b0 d0 e4 13 11 08 00 45 10
        00 25 00 00 00 09 ff 06 03 0b 80 20 2e 8e 0a 00
        00 01 64 2e 65 78 65 3f 2f 63 2b 64 69 72 2b 63
        3a 5c 0a`),
      hex(`
        00 01 30 24 9d 00 00 b0 d0 e4 13 11 08 00 45 10
        00 44 00 00 20 03 ff 06 e2 f1 80 20 2e 8e 0a 00
        00 01 2f 6d 73 61 64 63 2f 2e 2e 25 32 66 2e 2e
        2f 2e 2e 25 32 66 2e 2e 2f 2e 52 4b 4e 57 55 72
        64 6f 6f 4d 2b 57 73 6b 4f 32 49 69 41 4c 51 54
        49 00`),
    ];
    const decoded = decodeAll(frames);
    expect(decoded.slice(0, 3).map((d) => d.ip?.fragment)).toEqual([true, true, true]);
    const last = decoded[3];
    expect(last.ip?.reassembled).toBe(true);
    // As tshark lists them: by offset; frame 2 (numbered 2 here) lost the overlap to frame 4.
    expect(values(last, 'ip.fragment')).toEqual(['1', '4', '3']);
    expect(values(last, 'ip.fragment.error')).toEqual(['2']);
    expect(firsts(last, ['ip.fragment.overlap', 'ip.fragment.overlap.conflict', 'ip.reassembled.length'])).toEqual({
      'ip.fragment.overlap': '1', 'ip.fragment.overlap.conflict': '1', 'ip.reassembled.length': '89',
    });
  });

  it('a first fragment cut by the capture is decoded as it is, not reassembled', () => {
    // UDP 1234 -> 53, 32 bytes in two fragments; the first is captured to 40 bytes only
    const first16 = hex(`${ETH} 45000024 1234 2000 4011 0000 0a000001 0a000002 04d2003500200000 5858585858585858`);
    const d = decode(first16.subarray(0, 40), { originalLength: first16.length });
    expect(d.ip).toMatchObject({ fragment: false, reassembled: false });
    expect(d.protocols).toEqual(['eth', 'ethertype', 'ip', 'udp']);
    expect(d.state.ipv4Fragments.size).toBe(0);
  });

  it('a later fragment cut by the capture is data', () => {
    const later = hex(`${ETH} 45000024 1234 0002 4011 0000 0a000001 0a000002 5858585858585858 5858585858585858`);
    const d = decode(later.subarray(0, 40), { originalLength: later.length });
    expect(d.protocols).toEqual(['eth', 'ethertype', 'ip', 'data']);
    expect(d.ip?.fragment).toBe(true);
  });

  it('the VLAN id is part of the key, as in Wireshark', () => {
    const tagged = (vlan: string, ip: string) => hex(`ffffffffffff 001122334455 8100 ${vlan} 0800 ${ip}`);
    const frames = [
      tagged('0001', '45000024 1234 2000 40fd 0000 0a000001 0a000002 4141414141414141 4141414141414141'),
      tagged('0002', '4500001c 1234 0002 40fd 0000 0a000001 0a000002 4343434343434343'),
      tagged('0001', '4500001c 1234 0002 40fd 0000 0a000001 0a000002 4343434343434343'),
    ];
    const decoded = decodeAll(frames);
    expect(decoded.map((d) => d.ip?.reassembled)).toEqual([false, false, true]);
  });
});
