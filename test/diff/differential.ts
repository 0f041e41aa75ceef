import { writeFileSync } from 'node:fs';
import { fieldByName, type FieldDef } from '../../app/fields/registry';
import { readFieldValues } from '../../main/cli/fields';
import { displayPath, tsharkFields } from '../helpers/tshark';
import { encapsulationBefore } from './encapsulation';

/*
 * The differential test's machinery: decode a capture in process as `wirelens fields` does, ask
 * tshark for the same fields, and sort every difference into
 * - out of scope: tshark reached the field through an encapsulation we do not decode (./encapsulation.ts);
 * - pending: a known difference with a stated reason (see PENDING), confirmed by running tshark again with
 *   the preference that removes it;
 * - failure: everything else.
 */

/** DESIGN.md section 4, decoding fields. */
export const DECODING_FIELDS: readonly string[] = [
  'frame.number', 'frame.time_epoch', 'frame.len', 'frame.cap_len',
  'eth.src', 'eth.dst', 'eth.type', 'vlan.id', 'sll.pkttype',
  'arp.opcode', 'arp.src.hw_mac', 'arp.src.proto_ipv4', 'arp.dst.proto_ipv4',
  'ip.src', 'ip.dst', 'ip.proto', 'ip.ttl', 'ip.len', 'ip.id', 'ip.flags.df', 'ip.flags.mf', 'ip.frag_offset',
  'ipv6.src', 'ipv6.dst', 'ipv6.nxt', 'ipv6.plen', 'ipv6.hlim', 'ipv6.fraghdr.offset',
  'icmp.type', 'icmp.code', 'icmpv6.type', 'icmpv6.code',
  'udp.srcport', 'udp.dstport', 'udp.length',
  'tcp.srcport', 'tcp.dstport', 'tcp.seq_raw', 'tcp.ack_raw', 'tcp.flags', 'tcp.window_size_value', 'tcp.len',
  'tcp.options.mss_val', 'tcp.options.wscale.shift', 'tcp.options.timestamp.tsval', 'tcp.options.timestamp.tsecr',
  'tcp.options.sack_le',
  'dns.id', 'dns.flags.response', 'dns.flags.rcode', 'dns.qry.name', 'dns.qry.type', 'dns.count.answers',
  'dns.a', 'dns.aaaa', 'dns.cname', 'dns.mx.mail_exchange', 'dns.txt', 'dns.srv.port', 'dns.ptr.domain_name',
];

/**
 * Known differences that wait on a later part of the engine. Each names the tshark preference under which
 * tshark prints what we print now; a difference counts as pending only when that run agrees with us.
 */
export const PENDING: readonly { fields: RegExp; prefs: Readonly<Record<string, string>>; reason: string }[] = [];

export interface OurDecoding {
  format: 'pcap' | 'pcapng' | null;
  rows: string[][];
  protocols: string[];
  /** The reader refused the file (message), or null. */
  error: string | null;
  /** The reader stopped early on a damaged record (message), or null. */
  problem: string | null;
}

/** Decodes a capture in process exactly as `wirelens fields` does; fields we do not define print as empty. */
export async function decodeOurs(file: string, fields: readonly string[]): Promise<OurDecoding> {
  const defs = fields.map((name) => fieldByName(name));
  const known = defs.filter((def): def is FieldDef => def !== undefined);
  const slots = defs.map((def) => (def ? known.indexOf(def) : -1));
  const rows: string[][] = [];
  const protocols: string[] = [];
  try {
    const { format, problem } = await readFieldValues(file, known, (values, d) => {
      rows.push(slots.map((slot) => (slot < 0 ? '' : values[slot])));
      protocols.push(d.protocols.join(':'));
    });
    return { format, rows, protocols, error: null, problem: problem?.message ?? null };
  } catch (error) {
    return { format: null, rows, protocols, error: error instanceof Error ? error.message : String(error), problem: null };
  }
}

export interface Difference {
  /** Our frame number (0: the file as a whole). */
  frame: number;
  /** The row of tshark's output it was compared with (tshark numbers some non-packet records as frames). */
  tsharkRow: number;
  field: string;
  ours: string;
  tshark: string;
  tsharkProtocols: string;
  ourProtocols: string;
  verdict: 'failure' | 'pending' | 'out-of-scope' | 'reader';
  /** The encapsulation (out-of-scope) or the reason (pending). */
  detail: string;
}

/**
 * frame.* values and frame counts come from the capture readers, whose comparison with tshark (with its own
 * list of known differences: pcapng custom blocks, simple packet blocks without a timestamp, out-of-range
 * pcap fractions, SunATM pseudo-headers) is test/app/capture/corpus.test.ts. Here they are listed, not failed.
 */
const READER_OWNER = 'test/app/capture/corpus.test.ts';

export interface FileComparison {
  file: string;
  tsharkFrames: number;
  ourFrames: number;
  /** Values compared (frames in both times fields). */
  compared: number;
  /** pcapng records tshark numbers among the frames but that carry no packet (custom blocks). */
  nonPacketRecords: number;
  differences: Difference[];
  /** Why nothing could be compared (tshark cannot read the file), or null. */
  note: string | null;
}

/** Compares one capture field by field, frame by frame. */
export async function compareFile(file: string, fields: readonly string[]): Promise<FileComparison> {
  const [theirs, ours] = await Promise.all([tsharkFields(file, tsharkColumns(fields)), decodeOurs(file, fields)]);
  const protocolsColumn = tsharkColumns(fields).indexOf('frame.protocols');
  const interfaceColumn = tsharkColumns(fields).indexOf('frame.interface_id');
  const result: FileComparison = {
    file: displayPath(file),
    tsharkFrames: theirs.rows.length,
    ourFrames: ours.rows.length,
    compared: 0,
    nonPacketRecords: 0,
    differences: [],
    note: null,
  };
  if (theirs.stderr.includes("Some fields aren't valid")) {
    throw new Error(`tshark does not know some of the fields: ${theirs.stderr.split('\n').slice(1).map((l) => l.trim()).join(' ')}`);
  }
  if (theirs.exitCode !== 0 && theirs.rows.length === 0) {
    const refusal = ours.error ?? (ours.rows.length === 0 ? ours.problem : null);
    result.note = `tshark cannot read it (${firstLine(theirs.stderr)}); we ${refusal ? `refuse it too (${refusal})` : `read ${ours.rows.length} frames`}`;
    return result;
  }
  if (ours.error && ours.rows.length === 0) {
    result.differences.push(fileDifference(`we refuse the file: ${ours.error}`, `${theirs.rows.length} frames`));
    return result;
  }
  // tshark shows pcapng custom blocks as frames without an interface, decoded as data; the readers skip them.
  const packetRows: number[] = [];
  theirs.rows.forEach((row, index) => {
    const isRecord = ours.format === 'pcapng' && row[protocolsColumn] === 'data' && row[interfaceColumn] === '';
    if (isRecord) result.nonPacketRecords++;
    else packetRows.push(index);
  });
  result.tsharkFrames = packetRows.length;
  if (packetRows.length !== ours.rows.length) {
    result.differences.push(fileDifference(`${ours.rows.length} frames${ours.problem ? ` (${ours.problem})` : ''}`, `${packetRows.length} frames`));
  }
  const frames = Math.min(packetRows.length, ours.rows.length);
  for (let i = 0; i < frames; i++) {
    const tsharkRow = theirs.rows[packetRows[i]];
    const ourRow = ours.rows[i];
    const tsharkProtocols = tsharkRow[protocolsColumn] ?? '';
    for (let f = 0; f < fields.length; f++) {
      result.compared++;
      const tsharkValue = tsharkRow[f] ?? '';
      if (ourRow[f] === tsharkValue) continue;
      const reader = fields[f].startsWith('frame.');
      const encapsulation = reader ? null : encapsulationBefore(fields[f], tsharkProtocols.split(':'), ours.protocols[i].split(':'));
      result.differences.push({
        frame: i + 1,
        tsharkRow: packetRows[i],
        field: fields[f],
        ours: ourRow[f],
        tshark: tsharkValue,
        tsharkProtocols,
        ourProtocols: ours.protocols[i],
        verdict: reader ? 'reader' : encapsulation ? 'out-of-scope' : 'failure',
        detail: reader ? READER_OWNER : encapsulation ?? '',
      });
    }
  }
  await confirmPending(file, result);
  return result;
}

/**
 * The fields asked of tshark: the compared ones plus what the comparison needs. Each only once: tshark
 * prints a field listed twice in its last column only.
 */
export function tsharkColumns(fields: readonly string[]): string[] {
  return [...new Set([...fields, 'frame.protocols', 'frame.interface_id'])];
}

function fileDifference(ours: string, tshark: string): Difference {
  return {
    frame: 0, tsharkRow: -1, field: '(frames)', ours, tshark, tsharkProtocols: '', ourProtocols: '', verdict: 'reader', detail: READER_OWNER,
  };
}

/** Re-runs tshark with each pending entry's preferences; failures that then agree become pending. */
async function confirmPending(file: string, result: FileComparison): Promise<void> {
  for (const pending of PENDING) {
    const candidates = result.differences.filter((d) => d.verdict === 'failure' && pending.fields.test(d.field));
    if (candidates.length === 0) continue;
    const fields = [...new Set(candidates.map((d) => d.field))];
    const alternative = await tsharkFields(file, fields, { prefs: pending.prefs });
    for (const difference of candidates) {
      if (alternative.rows[difference.tsharkRow]?.[fields.indexOf(difference.field)] === difference.ours) {
        difference.verdict = 'pending';
        difference.detail = pending.reason;
      }
    }
  }
}

function firstLine(text: string): string {
  return text.split('\n').find((line) => line.trim() !== '')?.trim() ?? 'no message';
}

/** The failure message of one file: at most `limit` differences, then a count of the rest. */
export function describeFailures(result: FileComparison, limit: number): string {
  const failures = result.differences.filter((d) => d.verdict === 'failure');
  const lines = failures.slice(0, limit).map((d) =>
    d.frame === 0
      ? `${result.file}: ours ${d.ours}, tshark ${d.tshark}`
      : `${result.file} frame ${d.frame} ${d.field}: ours '${d.ours}' tshark '${d.tshark}'  [tshark ${d.tsharkProtocols} | ours ${d.ourProtocols}]`);
  if (failures.length > limit) lines.push(`... and ${failures.length - limit} more differences in ${result.file}`);
  return lines.join('\n');
}

/** The run's summary: counts, failures by field, out-of-scope encapsulations per file, pending differences. */
export function summaryText(results: readonly FileComparison[], fields: readonly string[]): string {
  const lines: string[] = [];
  const frames = results.reduce((n, r) => n + Math.min(r.tsharkFrames, r.ourFrames), 0);
  const compared = results.reduce((n, r) => n + r.compared, 0);
  const all = results.flatMap((r) => r.differences);
  const failures = all.filter((d) => d.verdict === 'failure');
  lines.push(`tshark differential: ${results.length} files, ${frames} frames, ${fields.length} fields, ${compared} values compared;`
    + ` ${failures.length} failing, ${all.filter((d) => d.verdict === 'out-of-scope').length} out of scope,`
    + ` ${all.filter((d) => d.verdict === 'pending').length} pending, ${all.filter((d) => d.verdict === 'reader').length} reader-level`);
  const undefinedFields = fields.filter((name) => !fieldByName(name));
  if (undefinedFields.length > 0) lines.push(`fields not defined in the registry (printed empty): ${undefinedFields.join(' ')}`);
  if (failures.length > 0) {
    lines.push('failing values by field:');
    for (const [field, count] of countBy(failures, (d) => d.field)) {
      const files = results.filter((r) => r.differences.some((d) => d.verdict === 'failure' && d.field === field)).length;
      lines.push(`  ${field.padEnd(32)} ${String(count).padStart(7)} frames in ${files} files`);
    }
    lines.push(`files with failures: ${results.filter((r) => r.differences.some((d) => d.verdict === 'failure')).length}`);
  }
  const outOfScope = results.filter((r) => r.differences.some((d) => d.verdict === 'out-of-scope'));
  if (outOfScope.length > 0) {
    lines.push('frames reached through encapsulations outside our scope (not failures):');
    lines.push(`  ${'file'.padEnd(64)} ${'frames'.padStart(6)}  encapsulation: frames`);
    for (const r of outOfScope) {
      const differences = r.differences.filter((d) => d.verdict === 'out-of-scope');
      const byEncapsulation = new Map<string, Set<number>>();
      for (const d of differences) {
        const set = byEncapsulation.get(d.detail) ?? new Set<number>();
        set.add(d.frame);
        byEncapsulation.set(d.detail, set);
      }
      const framesHit = new Set(differences.map((d) => d.frame)).size;
      const detail = [...byEncapsulation].map(([name, set]) => `${name}: ${set.size}`).join(', ');
      lines.push(`  ${r.file.padEnd(64)} ${String(framesHit).padStart(6)}  ${detail}`);
    }
  }
  const pending = all.filter((d) => d.verdict === 'pending');
  for (const entry of PENDING) {
    const hits = pending.filter((d) => d.detail === entry.reason);
    if (hits.length === 0) continue;
    const files = results.filter((r) => r.differences.some((d) => d.verdict === 'pending' && d.detail === entry.reason)).map((r) => r.file);
    const fields = countBy(hits, (d) => d.field).map(([field, count]) => `${field} ${count}`).join(', ');
    lines.push(`pending (${entry.reason}): ${fields}; in ${files.join(', ')}`);
  }
  const readerFiles = results.filter((r) => r.nonPacketRecords > 0 || r.differences.some((d) => d.verdict === 'reader'));
  if (readerFiles.length > 0) {
    lines.push(`reader-level differences (frame.* values, frame counts; owned by ${READER_OWNER}):`);
    for (const r of readerFiles) {
      const differences = r.differences.filter((d) => d.verdict === 'reader');
      const byField = countBy(differences, (d) => d.field).map(([field, count]) => `${field} ${count}`);
      if (r.nonPacketRecords > 0) byField.push(`${r.nonPacketRecords} custom-block records skipped`);
      lines.push(`  ${r.file.padEnd(64)} ${byField.join(', ')}`);
    }
  }
  const notes = results.filter((r) => r.note);
  if (notes.length > 0) {
    lines.push('files not compared:');
    for (const r of notes) lines.push(`  ${r.file}: ${r.note}`);
  }
  return lines.join('\n');
}

function countBy<T>(items: readonly T[], key: (item: T) => string): [string, number][] {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]);
}

/** Every difference as tab-separated lines, for triage (DIFF_REPORT=path). */
export function writeReport(path: string, results: readonly FileComparison[]): void {
  const header = 'file\tframe\tfield\tours\ttshark\tverdict\tdetail\ttshark protocols\tour protocols';
  const lines = results.flatMap((r) => r.differences.map((d) =>
    [r.file, d.frame, d.field, d.ours, d.tshark, d.verdict, d.detail, d.tsharkProtocols, d.ourProtocols].join('\t')));
  writeFileSync(path, `${[header, ...lines].join('\n')}\n`);
}
