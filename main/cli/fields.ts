import type { Dissection } from '../../app/decode/dissection';
import { compileFilter, type CompiledFilter } from '../../app/filter/compile';
import { FirstOccurrences, formatFieldValue } from '../../app/fields/format';
import { fieldByName, type FieldDef } from '../../app/fields/registry';
import { TcpAnalyzer } from '../../app/tcp/analyzer';
import { analyzeFile, type AnalyzeResult } from '../io/analyzeFile';
import { CaptureFileError } from '../io/readCapture';
import { UsageError } from './errors';

export interface FieldsArgs {
  file: string;
  fields: string[];
  /** -Y: print only the frames this display filter accepts (compiled before the file is opened). */
  filter: CompiledFilter | null;
}

/**
 * `wirelens fields FILE -e FIELD [-e FIELD ...] [-Y FILTER]`. Like tshark, `-eFIELD` and `-YFILTER` (no
 * space) are accepted too. Every field name and the filter are checked here, before the file is opened.
 */
export function parseFieldsArgs(argv: readonly string[]): FieldsArgs {
  const fields: string[] = [];
  const files: string[] = [];
  let filter: CompiledFilter | null = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-e' || arg === '-Y') {
      const value = argv[i + 1];
      if (value === undefined) throw new UsageError(`fields: ${arg} needs a value`);
      i++;
      if (arg === '-Y') filter = compileDisplayFilter(value);
      else fields.push(value);
    } else if (arg.startsWith('-e') && arg.length > 2) {
      fields.push(arg.slice(2));
    } else if (arg.startsWith('-Y')) {
      filter = compileDisplayFilter(arg.slice(2));
    } else if (arg.startsWith('-') && arg !== '-') {
      throw new UsageError(`fields: unknown option '${arg}'`);
    } else {
      files.push(arg);
    }
  }
  if (files.length !== 1) throw new UsageError('fields: expected one capture file');
  if (fields.length === 0) throw new UsageError('fields: expected at least one -e FIELD');
  resolveFields(fields);
  return { file: files[0], fields, filter };
}

/** tshark underlines the offending part of a filter; one line says where (1-based column) and why. */
function compileDisplayFilter(text: string): CompiledFilter {
  const result = compileFilter(text);
  if (!result.ok) throw new UsageError(`fields: -Y: column ${result.error.column}: ${result.error.message}`);
  return result.filter;
}

/** Output is handed on in blocks of about this many characters, not line by line. */
const BLOCK_CHARS = 1 << 16;

/**
 * Prints one line per frame with the first occurrence of each field, tab-separated and empty when absent:
 * byte for byte what `tshark -r FILE -T fields -E occurrence=f -e FIELD...` prints. Like tshark, the frames
 * before a damaged part of the file are printed, then the problem is reported (as an error).
 */
export async function runFields(
  file: string,
  fieldNames: readonly string[],
  write: (text: string) => void,
  filter: CompiledFilter | null = null,
  /** A promise while the reader of the output is behind: the file is read no further until it settles. */
  drained?: () => Promise<void> | undefined,
): Promise<void> {
  let block = '';
  const { problem } = await readFieldValues(file, resolveFields(fieldNames), (values) => {
    block += `${values.join('\t')}\n`;
    if (block.length >= BLOCK_CHARS) {
      write(block);
      block = '';
    }
  }, filter, drained);
  if (block.length > 0) write(block);
  if (problem) throw new CaptureFileError(`${file}: ${problem.message}`, null, file);
}

/**
 * Decodes a capture as tshark's single pass does (every decoder, then the TCP/UDP conversation analysis,
 * which adds tcp.stream, relative numbers, tcp.analysis.*, and DNS messages completed across segments) and
 * hands on each frame's first occurrence of every field, formatted as tshark prints it ('' when absent), for
 * the frames the filter accepts (all without one); the filter sees the analysis, as tshark's -Y does.
 */
export async function readFieldValues(
  file: string,
  fields: readonly FieldDef[],
  onFrame: (values: string[], d: Dissection) => void,
  filter: CompiledFilter | null = null,
  drained?: () => Promise<void> | undefined,
): Promise<AnalyzeResult> {
  const finder = new FirstOccurrences(fields);
  return analyzeFile(file, {
    withTree: true,
    tcp: new TcpAnalyzer(),
    onProgress: drained,
    onFrame(d) {
      if (filter && !filter.matches(d)) return;
      const nodes = finder.find(d.tree.roots);
      const values = new Array<string>(nodes.length);
      for (let i = 0; i < nodes.length; i++) {
        const node = nodes[i];
        values[i] = node ? formatFieldValue(node, d.sources) : '';
      }
      onFrame(values, d);
    },
  });
}

function resolveFields(names: readonly string[]): FieldDef[] {
  return names.map((name) => {
    const def = fieldByName(name);
    if (!def) throw new UsageError(`unknown field '${name}'`);
    return def;
  });
}
