import { afterAll, describe, expect, it } from 'vitest';
import { CORPUS_DIR, SAMPLES_DIR, captureFiles, displayPath, selectFiles, tsharkFields, tsharkSkipReason } from '../helpers/tshark';
import {
  DECODING_FIELDS,
  compareFile,
  tsharkColumns,
  describeFailures,
  summaryText,
  writeReport,
  type FileComparison,
} from './differential';

/*
 * Every frame of every corpus and sample capture, every decoding field of DESIGN.md section 4, against
 * tshark. Frames tshark reached through encapsulations we do not decode are counted and listed in the
 * summary, known pending differences too; every other difference fails the file's test.
 *
 * As a tool while decoders are being written:
 *   DIFF_FILES='zeek/**,arkime/pcap/dns*' DIFF_FIELDS=ip.src,ip.ttl DIFF_VERBOSE=1 npx vitest run test/diff/decode
 * DIFF_MAX: differences shown per file (20); DIFF_REPORT=path: every difference as TSV.
 */

const skipReason = tsharkSkipReason();
if (skipReason) console.log(`skipping the tshark differential test: ${skipReason}`);

const fields = process.env.DIFF_FIELDS ? [...new Set(process.env.DIFF_FIELDS.split(',').map((f) => f.trim()).filter(Boolean))] : DECODING_FIELDS;
const files = skipReason ? [] : selectFiles([...captureFiles(CORPUS_DIR), ...captureFiles(SAMPLES_DIR)], process.env.DIFF_FILES);
const maxShown = Number(process.env.DIFF_MAX ?? 20);
const results: FileComparison[] = [];

// Start every tshark run now (two at a time); each test then waits only for its own file.
for (const file of files) void tsharkFields(file, tsharkColumns(fields)).catch(() => undefined);

describe.skipIf(skipReason !== null)('decoding fields agree with tshark', () => {
  afterAll(() => {
    if (results.length === 0) return;
    console.log(summaryText(results, fields));
    if (process.env.DIFF_REPORT) writeReport(process.env.DIFF_REPORT, results);
  });

  it('finds the captures', () => {
    expect(files.length, `no capture files selected under ${CORPUS_DIR} (DIFF_FILES=${process.env.DIFF_FILES ?? ''})`).toBeGreaterThan(0);
  });

  it.each(files.map((file) => [displayPath(file), file]))('%s', async (_name, file) => {
    const result = await compareFile(file, fields);
    results.push(result);
    if (process.env.DIFF_VERBOSE) {
      for (const d of result.differences) {
        console.log(`${result.file}\t${d.frame}\t${d.field}\tours=${d.ours}\ttshark=${d.tshark}\t${d.verdict}${d.detail ? ` (${d.detail})` : ''}\t${d.tsharkProtocols}`);
      }
    }
    const failures = result.differences.filter((d) => d.verdict === 'failure').length;
    expect(failures, describeFailures(result, maxShown)).toBe(0);
  });
});
