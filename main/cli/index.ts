import { startDecodeThread, type DecodeThread } from '../io/decodeThread';
import { CaptureFileError } from '../io/readCapture';
import { createOutput, type Output } from './output';
import { UsageError } from './errors';

const USAGE = `usage: wirelens <command> [options]
  summary FILE [--json]                       counts for the whole capture
  fields FILE -e FIELD [-e FIELD ...] [-Y FILTER]   one tab-separated line per frame, as tshark -T fields
  follow FILE --stream N [--dir client|server|both] [--raw|--ascii|--hex]
                                              one TCP stream's bytes, as tshark -z follow,tcp
  flows FILE [--json]                         TCP and UDP conversations (tcp.stream / udp.stream numbering)
  capture -i IFACE [-f BPF] [-c N] [-a duration:S] -w OUT   live capture (dumpcap/tcpdump), saved to OUT
  interfaces [--json]                         interfaces the capture helper can use
  windows FILE [--stream N] [--model NAME] --csv
                                              per-direction windows replayed through the reference stack
                                              (the model that fits best, or NAME: linux-cubic, linux-reno, ...)
  diagram FILE --stream N [--svg OUT | --png OUT | --mermaid] [--absolute]
                                              one TCP stream's handshake ladder (SVG on stdout)
  serve [FILE] [--port N]                     the UI on http://127.0.0.1 (local web bridge)
`;

/** Runs one command; returns the process exit code. Never lets a stack trace reach the user. */
export async function main(argv: string[]): Promise<number> {
  const out = createOutput(process.stdout);
  try {
    await dispatch(argv, out);
    await out.flush();
    return 0;
  } catch (error) {
    await out.flush();
    process.stderr.write(`wirelens: ${describeError(error)}\n`);
    if (process.env.WIRELENS_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    return error instanceof UsageError || error instanceof CaptureFileError ? 2 : 1;
  }
}

/** Loads only the command's own code (its bundle is split by command: `wirelens summary` starts without the web bridge). */
async function dispatch(argv: string[], out: Output): Promise<void> {
  const [command, ...rest] = argv;
  const write = out.write;
  switch (command) {
    case 'summary': {
      const file = onlyFile(rest.filter((a) => a !== '--json'), 'summary');
      return withDecodeThread(file, async (decoding) => {
        const { runSummary } = await import('./summary');
        return runSummary(file, { json: rest.includes('--json') }, write, decoding);
      });
    }
    case 'fields': {
      const { parseFieldsArgs, runFields } = await import('./fields');
      const { file, fields, filter } = parseFieldsArgs(rest);
      return runFields(file, fields, write, filter, out.drained);
    }
    case 'follow': {
      const { parseFollowArgs, runFollow } = await import('./follow');
      const { file, options } = parseFollowArgs(rest);
      return runFollow(file, options, out);
    }
    case 'flows': {
      const file = onlyFile(rest.filter((a) => a !== '--json'), 'flows');
      return withDecodeThread(file, async (decoding) => {
        const { runFlows } = await import('./flows');
        return runFlows(file, { json: rest.includes('--json') }, write, decoding);
      });
    }
    case 'capture': {
      const { runCapture } = await import('./capture');
      return runCapture(rest, write);
    }
    case 'interfaces': {
      const { parseInterfacesArgs, runInterfaces } = await import('./interfaces');
      return runInterfaces(write, parseInterfacesArgs(rest));
    }
    case 'windows': {
      const { parseWindowsArgs, runWindows } = await import('./windows');
      const { file, options } = parseWindowsArgs(rest);
      return runWindows(file, options, write);
    }
    case 'diagram': {
      const { parseDiagramArgs, runDiagram } = await import('./diagram');
      const { file, options } = parseDiagramArgs(rest);
      return runDiagram(file, options, write);
    }
    case 'serve': {
      const options = parseServeArgs(rest);
      const { runServe } = await import('../bridge/server');
      return runServe(options);
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

/**
 * Runs a command over one capture with the decoding thread already started on it: the thread boots (which
 * takes longer) while this one loads the command's analysis code. The thread is stopped however it ends.
 */
async function withDecodeThread(file: string, run: (decoding: DecodeThread | undefined) => Promise<void>): Promise<void> {
  const decoding = startDecodeThread(file);
  try {
    await run(decoding);
  } finally {
    decoding?.terminate();
  }
}

function onlyFile(args: string[], command: string): string {
  const unknown = args.find((a) => a.startsWith('-'));
  if (unknown) throw new UsageError(`${command}: unknown option '${unknown}'`);
  if (args.length !== 1) throw new UsageError(`${command}: expected one capture file`);
  return args[0];
}

function parseServeArgs(args: string[]): { file?: string; port?: number } {
  const options: { file?: string; port?: number } = {};
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--port') {
      const port = Number(args[++i]);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`serve: --port needs a port number, not '${args[i] ?? ''}'`);
      options.port = port;
    } else if (args[i].startsWith('-')) throw new UsageError(`serve: unknown option '${args[i]}'`);
    else if (options.file === undefined) options.file = args[i];
    else throw new UsageError('serve: expected at most one capture file');
  }
  return options;
}

function describeError(error: unknown): string {
  if (error instanceof UsageError || error instanceof CaptureFileError) return error.message;
  if (error instanceof Error) return `internal error: ${error.message}`;
  return `internal error: ${String(error)}`;
}
