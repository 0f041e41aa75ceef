import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Dissection } from '../../../app/decode/dissection';
import { CaptureSummaryBuilder, type CaptureSummary } from '../../../app/index/captureSummary';
import { TcpAnalyzer, type TcpSegmentEvent } from '../../../app/tcp/analyzer';
import type { ConversationSummary } from '../../../app/tcp/conversation';
import { analyzeFile } from '../../../main/io/analyzeFile';
import { DecodeThread } from '../../../main/io/decodeThread';
import { CaptureFileError } from '../../../main/io/readCapture';
import { CORPUS_DIR, SAMPLES_DIR, captureFiles, displayPath } from '../../helpers/tshark';
import { decodeWorkerScript } from '../helpers/captureWorker';

/*
 * analyzeFile decodes on a worker thread and analyses on this one when given the decode worker: every
 * count, conversation and per-frame analysis result must be what the one-thread pipeline gives, over the
 * corpus, the samples and the kernel-truth recordings (their DNS over TCP, IP fragments, malformed frames,
 * SACK blocks and reused ports are what the hand-over between threads has to carry).
 */

const FIXTURES_DIR = resolve(__dirname, '../../fixtures');
const FILES = [...captureFiles(CORPUS_DIR), ...captureFiles(SAMPLES_DIR), ...captureFiles(FIXTURES_DIR)];
if (!existsSync(CORPUS_DIR)) console.log(`comparing the two pipelines without the corpus: not found at ${CORPUS_DIR}`);

interface Analysis {
  summary: CaptureSummary;
  conversations: ConversationSummary[];
  /** The reference stack's input (what `wirelens windows` replays). */
  segments: TcpSegmentEvent[];
  /** Per frame: number, protocols, TCP stream, direction and analysis flags, DNS id of the frame. */
  frames: string[];
  format: string | null;
}

async function analyse(file: string, decodeWorker: string | DecodeThread | undefined): Promise<Analysis> {
  const conversations: ConversationSummary[] = [];
  const segments: TcpSegmentEvent[] = [];
  const tcp = new TcpAnalyzer({ onConversationEnd: (c) => conversations.push(c), onSegment: (e) => segments.push(e) });
  const builder = new CaptureSummaryBuilder(tcp);
  const frames: string[] = [];
  const onFrame = (d: Dissection) => {
    builder.add(d);
    const record = d.tcp ? tcp.lastRecord : null;
    frames.push(`${d.frame.number} ${d.protocols.join(':')} ${record ? `${record.stream}/${record.direction}/${record.analysisFlags}/${record.seq}/${record.ack}` : '-'} ${d.malformed?.message ?? ''}`);
  };
  const result = await analyzeFile(file, { withTree: false, tcp, onFrame, decodeWorker });
  if (result.problem) builder.setFileProblem(result.problem);
  return { summary: builder.result(), conversations, segments, frames, format: result.format };
}

describe('analyzeFile on two threads', () => {
  let script = '';
  beforeAll(async () => {
    script = await decodeWorkerScript();
  });

  it('finds captures to compare', () => {
    expect(FILES.length).toBeGreaterThan(0);
  });

  it.each(FILES.map((file) => [displayPath(file), file]))('%s: same analysis as one thread', async (_name, file) => {
    const oneThread = await analyse(file, undefined);
    const twoThreads = await analyse(file, script);
    expect(twoThreads.frames).toEqual(oneThread.frames);
    expect(twoThreads.summary).toEqual(oneThread.summary);
    expect(twoThreads.conversations).toEqual(oneThread.conversations);
    expect(twoThreads.segments).toEqual(oneThread.segments);
    expect(twoThreads.format).toBe(oneThread.format);
  });

  it('a decoding thread started early: what it sent before the analysis listened is analysed, in order', async () => {
    // The largest capture, so that the thread has sent several batches (and stopped, MAX_BATCHES_AHEAD) or all of them.
    const file = [...FILES].sort((a, b) => statSync(b).size - statSync(a).size)[0];
    const thread = new DecodeThread(script, file);
    await new Promise<void>((resolve) => thread.worker.once('message', () => setTimeout(resolve, 200)));
    const early = await analyse(file, thread);
    expect(early).toEqual(await analyse(file, undefined));
  });

  it('a decoding thread started on another file is refused and stopped, not analysed', async () => {
    const thread = new DecodeThread(script, FILES[0]);
    const exited = new Promise((resolve) => thread.worker.once('exit', resolve));
    await expect(analyse(FILES[1], thread)).rejects.toThrow(`the decoding thread reads ${FILES[0]}, not ${FILES[1]}`);
    await exited;
  });

  it('a missing file: the same CaptureFileError as one thread', async () => {
    const missing = join(mkdtempSync(join(tmpdir(), 'wirelens-analyze-')), 'missing.pcap');
    const error = await analyse(missing, script).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CaptureFileError);
    expect(error).toMatchObject({ code: 'ENOENT', message: `${missing}: no such file.` });
  });

  it('a file that is not a capture: one problem, no frames, as one thread', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'wirelens-analyze-')), 'text.pcap');
    writeFileSync(path, 'this is not a capture file at all\n');
    const oneThread = await analyse(path, undefined);
    const twoThreads = await analyse(path, script);
    expect(twoThreads.summary.fileProblem).not.toBeNull();
    expect(twoThreads).toEqual(oneThread);
  });

  it('aborting stops the decoding thread and rejects with the reason', async () => {
    const file = FILES[0];
    const controller = new AbortController();
    const reason = new Error('stop');
    let frames = 0;
    const run = analyzeFile(file, {
      withTree: false,
      tcp: new TcpAnalyzer(),
      decodeWorker: script,
      signal: controller.signal,
      onFrame: () => {
        if (++frames === 1) controller.abort(reason);
      },
    });
    await expect(run).rejects.toBe(reason);
  });
});
