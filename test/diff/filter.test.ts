import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FieldColumns } from '../../app/filter/columns';
import { compileFilter } from '../../app/filter/compile';
import type { CompiledFilter } from '../../app/filter/compile';
import { TcpAnalyzer } from '../../app/tcp/analyzer';
import { analyzeFile } from '../../main/io/analyzeFile';
import { CORPUS_DIR, runTshark, tsharkSkipReason } from '../helpers/tshark';

/*
 * Display filters against tshark 4.0: for every expression, the frames `tshark -r FILE -Y EXPR -T fields
 * -e frame.number` prints must be exactly the frames our compiled filter accepts, decoding in process with
 * trees and the TCP analysis (analyzeFile with a TcpAnalyzer), as `wirelens fields` does. Invalid
 * expressions must be rejected by both (tshark exits non-zero). Files are picked per protocol from the corpus
 * (MANIFEST.md): example.pcap for Ethernet/IPv4/TCP/UDP/DNS, dns-edns-ecs for IPv6 and DNS over TCP, v6
 * for ICMPv6, afs for ICMP errors that embed IP/UDP headers, two ARP captures (Ethernet and Linux SLL),
 * four for TCP analysis, q-in-q for VLAN, many_interfaces for mixed link types. Filters the field index
 * covers (app/filter/columns.ts) must give the same frames from the index built over those trees.
 *
 * FILTER_FILES=substring limits the files (e.g. FILTER_FILES=v6.pcap).
 */

const CASES: ReadonlyArray<{ file: string; filters: readonly string[] }> = [
  {
    file: "pcapplusplus/Pcap++Test/PcapExamples/example.pcap",
    filters: [
      'tcp',
      'udp && !dns',
      '!tcp',
      'tcp.port == 80',
      'tcp.port != 80',
      'tcp.port !== 80',
      'tcp.srcport == 80 && tcp.flags.syn == 1',
      'tcp.flags.syn == 1 and tcp.flags.ack == 0',
      'tcp.flags & 0x12 == 0x12',
      'tcp.flags.reset == 1 || tcp.flags.fin == 1',
      'tcp.len > 1000',
      'tcp.window_size_value < 1000',
      'tcp.options.mss_val == 1460',
      'tcp.port in {80, 443}',
      'tcp.port in {1000..50000} && !(tcp.port in {49000..49200})',
      'udp.port == 53 && dns.flags.response == 1',
      'dns.qry.name contains "google"',
      'dns.qry.name matches "^www\\\\."',
      'dns.qry.name == "daisy.ubuntu.com"',
      'dns.a == 212.199.202.0/24',
      'dns.count.answers > 2',
      'dns.qry.type == 1 && dns.flags.response == 1',
      'ip.addr == 10.0.0.6',
      'ip.src == 10.0.0.0/8 && !(ip.dst == 10.0.0.0/8)',
      'ip.dst in {10.0.0.0/24, 192.168.0.0/16}',
      'ip.ttl < 64',
      'ip.flags.df == 0',
      'ip.len > 1000 && ip.len <= 1500',
      'eth.src[0:3] == 08:00:27',
      'eth.addr == 30:46:9a:23:fb:fa',
      'frame.len > 1000 && tcp.srcport == 80',
      'frame.number in {1..100} && dns',
      'frame contains "GET /"',
      'tcp contains "Host: www."',
      'frame matches "host: www\\\\."',
      'tcp.seq_raw > 3000000000',
      'len(dns.qry.name) > 20',
      'lower(dns.qry.name) contains "ubuntu"',
      'count(dns.a) >= 2',
      'ip.src[0:2] == ip.dst[0:2]',
      'tcp.stream == 3',
      'tcp.stream in {10..20}',
      'tcp.analysis.flags',
      'tcp.analysis.retransmission',
      'tcp.analysis.duplicate_ack_num > 1',
      'tcp.analysis.bytes_in_flight > 10000',
      'tcp.analysis.ack_rtt > 0.1',
      'frame.time_epoch >= 1367526040.5',
      'frame.time >= "2013-05-02T20:20:40Z"',
      'ip.proto == UDP',
      'tcp.port == 0x50',
      'udp.length > 100',
      'tcp.window_size > 100000',
      'tcp.analysis.lost_segment',
      'tcp.analysis.window_update',
      'tcp.analysis.keep_alive',
    ],
  },
  {
    file: "zeek/Traces/dns-edns-ecs.pcap",
    filters: [
      'ipv6',
      'ipv6.addr == 2001:470:1f0b:16b0:20c:29ff:fe7c:a4cb',
      'ipv6.src == 2600:9000::/28',
      'dns && tcp',
      'dns.flags.rcode == 0',
      'ipv6.hlim < 60',
      'ipv6.nxt == 6',
      'udp.port == 53 && ipv6 && dns.flags.response == 0',
      'dns.aaaa',
      'dns.qry.name matches "awsdns-[0-9]+\\\\.(com|net)$"',
      'ip.addr == 192.168.120.22 || ipv6.addr == 2003:de:2016:120::a08:53',
    ],
  },
  {
    file: "arkime/pcap/v6.pcap",
    filters: [
      'icmpv6',
      'icmpv6.type == 135',
      'icmpv6.type in {133..137}',
      'ipv6.dst == ff02::/16',
      'ipv6.src == fe80::/10',
      'tcp.port == 22',
      'ipv6.plen > 100',
      'ipv6.addr == 3ffe:501:4819::42 && udp',
    ],
  },
  {
    file: "tcpdump/tests/afs.pcap",
    filters: [
      'icmp',
      'icmp.type == 3 && icmp.code == 3',
      'icmp && udp',
      'count(ip.addr) == 4',
      'ip.addr == 131.151.1.59 && icmp',
      'udp.port == 7000',
      'udp.srcport == 7003 || udp.dstport == 7003',
    ],
  },
  {
    file: "arkime/pcap/cloudshark-arp.pcap",
    filters: [
      'arp',
      'arp.opcode == 1',
      'icmp.type == 8',
      'eth.dst == ff:ff:ff:ff:ff:ff',
    ],
  },
  {
    file: "zeek/Traces/linuxsll-arp.pcap",
    filters: [
      'arp.src.proto_ipv4 == 10.1.10.100',
      'arp.dst.proto_ipv4 in {192.168.22.0/24}',
      'sll.pkttype == 1',
      'arp.src.proto_ipv4 == arp.dst.proto_ipv4',
    ],
  },
  {
    file: "arkime/pcap/wireshark-retrans.pcap",
    filters: [
      'tcp.analysis.retransmission',
      'tcp.analysis.fast_retransmission',
      'tcp.analysis.flags && !tcp.analysis.retransmission',
      'tcp.analysis.duplicate_ack_num',
      'tcp.analysis.spurious_retransmission',
      'tcp.analysis.out_of_order',
      'tcp.analysis.ack_rtt > 0.01',
      'tcp.analysis.bytes_in_flight >= 500',
      'tcp.analysis.acks_frame < 10',
      'tcp.seq > 1000 && tcp.seq < 5000',
      'tcp.nxtseq == 1',
      'tcp.stream == 0',
    ],
  },
  {
    file: "zeek/Traces/tcp/retransmit-fast009.pcap",
    filters: [
      'tcp.analysis.fast_retransmission || tcp.analysis.duplicate_ack_num',
      'tcp.options.sack_le',
      'tcp.analysis.retransmission && tcp.len > 0',
    ],
  },
  {
    file: "zeek/Traces/q-in-q.pcap",
    filters: [
      'vlan',
      'vlan.id == 10',
      'count(vlan.id) == 2',
      'vlan.id == 13 && udp',
    ],
  },
  {
    file: "pcapplusplus/Pcap++Test/PcapExamples/many_interfaces-1.pcapng",
    filters: [
      'frame.interface_id == 0',
      'frame.interface_id > 0 && udp',
      'eth',
      '!eth',
    ],
  },
  {
    file: "zeek/Traces/tcp/reassembly.pcap",
    filters: [
      'tcp.analysis.lost_segment',
      'tcp.analysis.ack_lost_segment',
      'tcp.stream == 0 && tcp.len > 1000',
    ],
  },
  {
    file: "arkime/pcap/tcpseq_synthetic.pcap",
    filters: [
      'tcp.analysis.zero_window',
      'tcp.analysis.flags',
    ],
  },
];

/** Rejected by tshark 4.0.17 (exit status 2) and by compileFilter. */
const INVALID: readonly string[] = [
  'foo.bar',
  'tcp.foo == 1',
  'ip.src == 1',
  'ip.src == 300.1.1.1',
  'ip.src == 10.0.0.0/33',
  'ipv6.src == 2001:db8::/129',
  'tcp.port == "80"',
  'tcp.port == 70000',
  'ip.ttl == 256',
  'tcp.port == 08',
  'tcp.port == 80.5',
  '(tcp',
  'tcp)',
  'tcp &&',
  'or tcp',
  'tcp.port 80',
  'tcp.port in {80 443}',
  'tcp.port in {}',
  '80 == tcp.port',
  'ip.src matches "x"',
  'tcp.port contains 80',
  'tcp.port[0] == 0',
  'eth.src[2:0] == 27',
  'eth.src == 08:00:27:19:1c',
  'eth.src[0] == 0x8',
  'dns.qry.name contains "\\q"',
  'dns.qry.name contains "abc',
  'dns.qry.name matches "(a"',
  'tcp.flags.syn == true',
  'tcp.analysis.retransmission == 1',
  'lower(tcp.port) == 1',
  'len(dns.qry.name)',
  'foo(tcp.port)',
  'frame.time > 1000',
  'frame.time_epoch > "2010-01-01 00:00:00"',
  'tcp.flags.syn == tcp.port',
  'ip.src == eth.src',
  'tcp.port xor udp.port',
  'tcp.port = 80',
  "tcp.port == 'ab'",
  'icmp.type == -',
  'eth.src[0',
];

const skipReason = tsharkSkipReason();
if (skipReason) console.log(`skipping the display filter comparison with tshark: ${skipReason}`);

const selected = CASES.filter((c) => !process.env.FILTER_FILES || c.file.includes(process.env.FILTER_FILES));

function tsharkArgs(file: string, filter: string): string[] {
  return ['-n', '-r', file, '-Y', filter, '-T', 'fields', '-e', 'frame.number'];
}

/** Frame numbers tshark prints for a filter, or its error. */
async function tsharkFrames(file: string, filter: string): Promise<{ frames: number[]; error: string | null }> {
  const run = await runTshark(tsharkArgs(file, filter));
  if (run.exitCode !== 0) return { frames: [], error: run.stderr || `exit status ${run.exitCode}` };
  return { frames: run.stdout.split('\n').filter(Boolean).map(Number), error: null };
}

interface OurFrames {
  /** Frames each filter accepts over the frames' trees. */
  byTree: Map<string, number[]>;
  /** The same over the field index built from those trees, for the filters it covers. */
  byIndex: Map<string, number[]>;
}

/** Decodes the file once, runs every filter of the case over each frame's tree and builds the field index. */
async function ourFrames(file: string, filters: readonly string[]): Promise<OurFrames> {
  const compiled = new Map<string, CompiledFilter>();
  for (const text of filters) {
    const result = compileFilter(text);
    if (!result.ok) throw new Error(`${text}: column ${result.error.column}: ${result.error.message}`);
    compiled.set(text, result.filter);
  }
  const byTree = new Map<string, number[]>(filters.map((text) => [text, []]));
  const columns = new FieldColumns();
  await analyzeFile(file, {
    withTree: true,
    // The TCP analysis adds tcp.stream, tcp.seq and tcp.analysis.* to the trees, as tshark's does.
    tcp: new TcpAnalyzer(),
    onFrame(d) {
      columns.add(d);
      for (const [text, filter] of compiled) if (filter.matches(d)) byTree.get(text)?.push(d.frame.number);
    },
  });
  const byIndex = new Map<string, number[]>();
  for (const [text, filter] of compiled) if (columns.covers(filter)) byIndex.set(text, Array.from(columns.select(filter)));
  return { byTree, byIndex };
}

/** Where two sorted frame lists differ, briefly. */
function difference(ours: readonly number[], theirs: readonly number[]): string {
  const mine = new Set(ours);
  const tshark = new Set(theirs);
  const onlyOurs = ours.filter((n) => !tshark.has(n));
  const onlyTshark = theirs.filter((n) => !mine.has(n));
  return `only ours: [${onlyOurs.slice(0, 20).join(' ')}${onlyOurs.length > 20 ? ' ...' : ''}] (${onlyOurs.length}), only tshark: [${onlyTshark.slice(0, 20).join(' ')}${onlyTshark.length > 20 ? ' ...' : ''}] (${onlyTshark.length})`;
}

describe.skipIf(skipReason !== null)('display filters agree with tshark -Y', () => {
  const agreed: string[] = [];
  const answeredByIndex: string[] = [];
  const oursByFile = new Map<string, Promise<OurFrames>>();

  // Start the tshark runs now (two at a time, cached on disk); each test waits for its own.
  if (!skipReason) for (const c of selected) for (const filter of c.filters) void runTshark(tsharkArgs(join(CORPUS_DIR, c.file), filter)).catch(() => undefined);

  afterAll(() => {
    const total = selected.reduce((n, c) => n + c.filters.length, 0);
    console.log(`display filters: ${agreed.length} of ${total} expressions over ${selected.length} captures give tshark's frames (${answeredByIndex.length} also answered from the field index)`);
  });

  it('has at least 60 expressions', () => {
    expect(CASES.reduce((n, c) => n + c.filters.length, 0)).toBeGreaterThanOrEqual(60);
  });

  const rows = selected.flatMap((c) => c.filters.map((filter) => [c.file, filter] as const));
  it.each(rows)('%s: %s', async (name, filter) => {
    const file = join(CORPUS_DIR, name);
    let ours = oursByFile.get(file);
    if (!ours) {
      ours = ourFrames(file, selected.find((c) => c.file === name)?.filters ?? []);
      oursByFile.set(file, ours);
    }
    const [mine, theirs] = await Promise.all([ours, tsharkFrames(file, filter)]);
    expect(theirs.error, 'tshark rejected the filter').toBeNull();
    const frames = mine.byTree.get(filter) ?? [];
    expect(frames, difference(frames, theirs.frames)).toEqual(theirs.frames);
    const indexed = mine.byIndex.get(filter);
    if (indexed) {
      expect(indexed, `over the field index: ${difference(indexed, theirs.frames)}`).toEqual(theirs.frames);
      answeredByIndex.push(filter);
    }
    agreed.push(filter);
  });

  const small = join(CORPUS_DIR, 'arkime/pcap/cloudshark-arp.pcap');
  it.each(INVALID)('rejected by both: %s', async (filter) => {
    const ours = compileFilter(filter);
    const theirs = await tsharkFrames(small, filter);
    expect(theirs.error, 'tshark accepted the filter').not.toBeNull();
    expect(ours.ok, 'compileFilter accepted the filter').toBe(false);
  });
});
