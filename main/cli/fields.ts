import { FirstOccurrences, formatFieldValue } from '../../app/fields/format';
import { fieldByName, type FieldDef } from '../../app/fields/registry';
import { analyzeFile } from '../io/analyzeFile';
import { CaptureFileError } from '../io/readCapture';
import { UsageError } from './errors';

export interface FieldsArgs {
  file: string;
  fields: string[];
}

/**
 * `wirelens fields FILE -e FIELD [-e FIELD ...]`. Like tshark, `-eFIELD` (no space) is accepted too.
 * Every field name is checked here, before the file is opened.
 */
export function parseFieldsArgs(argv: readonly string[]): FieldsArgs {
  const fields: string[] = [];
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-e' || arg === '-Y') {
      const value = argv[i + 1];
      if (value === undefined) throw new UsageError(`fields: ${arg} needs a value`);
      i++;
      if (arg === '-Y') throw new UsageError('fields: display filters are not supported yet');
      fields.push(value);
    } else if (arg.startsWith('-e') && arg.length > 2) {
      fields.push(arg.slice(2));
    } else if (arg.startsWith('-Y')) {
      throw new UsageError('fields: display filters are not supported yet');
    } else if (arg.startsWith('-') && arg !== '-') {
      throw new UsageError(`fields: unknown option '${arg}'`);
    } else {
      files.push(arg);
    }
  }
  if (files.length !== 1) throw new UsageError('fields: expected one capture file');
  if (fields.length === 0) throw new UsageError('fields: expected at least one -e FIELD');
  resolveFields(fields);
  return { file: files[0], fields };
}

/** Output is handed on in blocks of about this many characters, not line by line. */
const BLOCK_CHARS = 1 << 16;

/**
 * Prints one line per frame with the first occurrence of each field, tab-separated and empty when absent:
 * byte for byte what `tshark -r FILE -T fields -E occurrence=f -e FIELD...` prints. Like tshark, the frames
 * before a damaged part of the file are printed, then the problem is reported (as an error).
 */
export async function runFields(file: string, fieldNames: readonly string[], write: (text: string) => void): Promise<void> {
  const finder = new FirstOccurrences(resolveFields(fieldNames));
  let block = '';
  const { problem } = await analyzeFile(file, {
    withTree: true,
    onFrame(d) {
      const nodes = finder.find(d.tree.roots);
      let line = '';
      for (let i = 0; i < nodes.length; i++) {
        const node = nodes[i];
        if (i > 0) line += '\t';
        if (node) line += formatFieldValue(node, d.sources);
      }
      block += `${line}\n`;
      if (block.length >= BLOCK_CHARS) {
        write(block);
        block = '';
      }
    },
  });
  if (block.length > 0) write(block);
  if (problem) throw new CaptureFileError(`${file}: ${problem.message}`, null, file);
}

function resolveFields(names: readonly string[]): FieldDef[] {
  return names.map((name) => {
    const def = fieldByName(name);
    if (!def) throw new UsageError(`unknown field '${name}'`);
    return def;
  });
}
