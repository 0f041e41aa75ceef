import { CaptureFileError } from '../io/readCapture';
import { createOutput } from './output';
import { runSummary } from './summary';
import { parseFieldsArgs, runFields } from './fields';
import { UsageError } from './errors';

const USAGE = `usage: wirelens <command> [options]
  summary FILE [--json]                       counts for the whole capture
  fields FILE -e FIELD [-e FIELD ...]         one tab-separated line per frame, as tshark -T fields
`;

/** Runs one command; returns the process exit code. Never lets a stack trace reach the user. */
export async function main(argv: string[]): Promise<number> {
  const out = createOutput(process.stdout);
  try {
    await dispatch(argv, out.write);
    await out.flush();
    return 0;
  } catch (error) {
    await out.flush();
    process.stderr.write(`wirelens: ${describeError(error)}\n`);
    if (process.env.WIRELENS_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    return error instanceof UsageError || error instanceof CaptureFileError ? 2 : 1;
  }
}

async function dispatch(argv: string[], write: (text: string) => void): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'summary': {
      const file = onlyFile(rest.filter((a) => a !== '--json'), 'summary');
      return runSummary(file, { json: rest.includes('--json') }, write);
    }
    case 'fields': {
      const { file, fields } = parseFieldsArgs(rest);
      return runFields(file, fields, write);
    }
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      write(USAGE);
      return;
    default:
      throw new UsageError(`unknown command '${command}' (try 'wirelens help')`);
  }
}

function onlyFile(args: string[], command: string): string {
  const unknown = args.find((a) => a.startsWith('-'));
  if (unknown) throw new UsageError(`${command}: unknown option '${unknown}'`);
  if (args.length !== 1) throw new UsageError(`${command}: expected one capture file`);
  return args[0];
}

function describeError(error: unknown): string {
  if (error instanceof UsageError || error instanceof CaptureFileError) return error.message;
  if (error instanceof Error) return `internal error: ${error.message}`;
  return `internal error: ${String(error)}`;
}
