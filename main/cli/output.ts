/** Buffered text output for the command line: large writes, and a quiet stop when the reader goes away (| head). */
export interface Output {
  write(text: string): void;
  /** Raw bytes (follow --raw). */
  writeBytes(bytes: Uint8Array): void;
  flush(): Promise<void>;
  /** While the reader is behind (a pipe into a slower program), a promise of its catching up: wait before writing more. */
  drained(): Promise<void> | undefined;
}

const FLUSH_AT = 1 << 16;

export function createOutput(stream: NodeJS.WritableStream): Output {
  let pending: string[] = [];
  let pendingLength = 0;
  let closed = false;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') closed = true;
    else throw error;
  });
  const drainText = () => {
    if (pendingLength === 0) return;
    if (!closed) stream.write(pending.join(''));
    pending = [];
    pendingLength = 0;
  };
  return {
    write(text) {
      pending.push(text);
      pendingLength += text.length;
      if (pendingLength >= FLUSH_AT) drainText();
    },
    writeBytes(bytes) {
      drainText();
      if (!closed) stream.write(bytes);
    },
    drained() {
      if (closed || !(stream as NodeJS.WritableStream & { writableNeedDrain?: boolean }).writableNeedDrain) return undefined;
      // A reader that goes away (EPIPE) never drains: its error or close ends the wait too.
      return new Promise((resolve) => {
        const done = () => {
          stream.off('drain', done);
          stream.off('error', done);
          stream.off('close', done);
          resolve();
        };
        stream.on('drain', done);
        stream.on('error', done);
        stream.on('close', done);
      });
    },
    flush() {
      drainText();
      return new Promise((resolve) => (closed ? resolve() : stream.write('', () => resolve())));
    },
  };
}
