import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { DecodeWorkerStart, FromDecodeWorker } from './decodeWorker';

/**
 * The decoding thread's script where the command line's bundle has it beside itself (out/cli, built by
 * scripts/build-cli.mjs); undefined when running from the TypeScript sources (tests), which then decode
 * on one thread (test/main/io/analyzeFile.test.ts shows both give the same analysis).
 */
export const BUNDLED_DECODE_WORKER: URL | undefined = (() => {
  const script = new URL('./decodeWorker.mjs', import.meta.url);
  return script.protocol === 'file:' && existsSync(fileURLToPath(script)) ? script : undefined;
})();

export interface DecodeThreadListener {
  message(message: FromDecodeWorker): void;
  error(error: Error): void;
  exit(): void;
}

type DecodeThreadEvent = { kind: 'message'; message: FromDecodeWorker } | { kind: 'error'; error: Error } | { kind: 'exit' };

/**
 * A decoding thread (main/io/decodeWorker.ts) reading one file. It may be started before the analysis is
 * ready for it: a thread takes longer to start than the command line takes to load the analysis code, so
 * starting it first shortens every run. What it sends before anyone listens waits, in order.
 */
export class DecodeThread {
  readonly worker: Worker;
  private listener: DecodeThreadListener | null = null;
  private readonly waiting: DecodeThreadEvent[] = [];

  constructor(
    script: URL | string,
    readonly path: string,
  ) {
    this.worker = new Worker(script, { workerData: { path } satisfies DecodeWorkerStart });
    this.worker.on('message', (message: FromDecodeWorker) => this.deliver({ kind: 'message', message }));
    this.worker.on('error', (error) => this.deliver({ kind: 'error', error }));
    this.worker.on('exit', () => this.deliver({ kind: 'exit' }));
  }

  /** From now on events go to `listener`, those that waited first. */
  listen(listener: DecodeThreadListener): void {
    this.listener = listener;
    for (const event of this.waiting.splice(0)) this.deliver(event);
  }

  /** Stops the thread (harmless once it has stopped). */
  terminate(): void {
    void this.worker.terminate();
  }

  private deliver(event: DecodeThreadEvent): void {
    const listener = this.listener;
    if (!listener) {
      this.waiting.push(event);
      return;
    }
    if (event.kind === 'message') listener.message(event.message);
    else if (event.kind === 'error') listener.error(event.error);
    else listener.exit();
  }
}

/** Starts the bundled decoding thread on a file, or returns undefined where there is none (see BUNDLED_DECODE_WORKER). */
export function startDecodeThread(path: string): DecodeThread | undefined {
  return BUNDLED_DECODE_WORKER && new DecodeThread(BUNDLED_DECODE_WORKER, path);
}
