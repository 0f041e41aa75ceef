import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDiagramArgs, renderPng, runDiagram, type DiagramOptions } from '../../../main/cli/diagram';
import { UsageError } from '../../../main/cli/errors';
import { parseXml } from '../../app/diagram/xml';
import { CORPUS_DIR } from '../../helpers/tshark';

/*
 * `wirelens diagram`: argument parsing, the three outputs, and the SVG checked twice, by our strict XML
 * check and by Chromium's own XML parser; the PNG rendered by headless Chromium is the size the model
 * says and not blank. The PNGs are kept under test-results/diagram-cli/ to be looked at.
 */

const CHROMIUM = process.env.WIRELENS_CHROMIUM ?? '/usr/bin/chromium';
const chromiumSkip = existsSync(CHROMIUM) ? null : `Chromium not found at ${CHROMIUM}`;
const RESULTS = resolve(__dirname, '../../../test-results/diagram-cli');
const SAMPLE = resolve(__dirname, '../../../samples/handshake-dns.pcapng');
const V6 = join(CORPUS_DIR, 'arkime/pcap/v6.pcap');

async function output(file: string, options: DiagramOptions): Promise<string> {
  let text = '';
  await runDiagram(file, options, (t) => (text += t));
  return text;
}

const svgOptions = (stream: number): DiagramOptions => ({ stream, format: 'svg', out: null, numbering: 'relative' });

describe('parseDiagramArgs', () => {
  it('parses the documented forms', () => {
    expect(parseDiagramArgs(['f.pcap', '--stream', '3'])).toEqual({ file: 'f.pcap', options: { stream: 3, format: 'svg', out: null, numbering: 'relative' } });
    expect(parseDiagramArgs(['--stream', '0', 'f.pcap', '--svg', 'o.svg']).options).toEqual({ stream: 0, format: 'svg', out: 'o.svg', numbering: 'relative' });
    expect(parseDiagramArgs(['f.pcap', '--png', 'o.png', '--stream', '1']).options).toEqual({ stream: 1, format: 'png', out: 'o.png', numbering: 'relative' });
    expect(parseDiagramArgs(['f.pcap', '--stream', '1', '--mermaid', '--absolute']).options).toEqual({ stream: 1, format: 'mermaid', out: null, numbering: 'absolute' });
  });

  it.each([
    [['f.pcap'], 'diagram: --stream N is required'],
    [['f.pcap', '--stream'], 'diagram: --stream needs a stream number'],
    [['f.pcap', '--stream', 'x'], "diagram: --stream needs a stream number, not 'x'"],
    [['f.pcap', '--stream', '1', '--svg'], 'diagram: --svg needs an output file'],
    [['f.pcap', '--stream', '1', '--svg', 'a', '--mermaid'], 'diagram: --mermaid cannot be combined with --svg'],
    [['f.pcap', '--stream', '1', '--dot'], "diagram: unknown option '--dot'"],
    [['--stream', '1'], 'diagram: expected one capture file'],
    [['a', 'b', '--stream', '1'], 'diagram: expected one capture file'],
  ])('rejects %j', (argv, message) => {
    expect(() => parseDiagramArgs(argv)).toThrow(new UsageError(message));
  });
});

describe('runDiagram', () => {
  it('says in one line that --png needs Chromium when it is not installed', async () => {
    await expect(renderPng('<svg xmlns="http://www.w3.org/2000/svg"/>', 10, 10, 'x.png', '/nonexistent/chromium')).rejects.toThrow(
      new UsageError('diagram: --png needs Chromium at /nonexistent/chromium (install it, or use --svg)'),
    );
  });

  it('says how many streams the file has when the one asked for is not there', async () => {
    await expect(output(SAMPLE, svgOptions(99))).rejects.toThrow(/^diagram: no TCP stream 99 in .*handshake-dns\.pcapng \(it has 4\)$/);
  });

  it('writes Mermaid text with the stream endpoints', async () => {
    const text = await output(SAMPLE, { ...svgOptions(0), format: 'mermaid' });
    expect(text.split('\n').slice(0, 3)).toEqual(['sequenceDiagram', '  participant C as Client 10.93.0.1:33622', '  participant S as Server 10.93.0.2:53']);
  });

  it('writes the SVG to a file when asked', async () => {
    mkdirSync(RESULTS, { recursive: true });
    const out = join(RESULTS, 'sample-stream-0.svg');
    expect(await output(SAMPLE, { ...svgOptions(0), out })).toBe('');
    expect(parseXml(readFileSync(out, 'utf8')).name).toBe('svg');
  });
});

interface PngFacts {
  width: number;
  height: number;
  /** Distinct colours among sampled pixels, and the share of sampled pixels that are not white. */
  colours: number;
  inked: number;
}

describe.skipIf(chromiumSkip !== null)(`SVG and PNG in Chromium${chromiumSkip ? ` (skipped: ${chromiumSkip})` : ''}`, () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
    mkdirSync(RESULTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** Chromium's XML parser on the document: the name of its root, or the parser's error. */
  async function parsedByChromium(svg: string): Promise<string> {
    const page = await browser.newPage();
    try {
      return await page.evaluate((text) => {
        const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
        const error = doc.getElementsByTagName('parsererror')[0];
        return error ? `parsererror: ${error.textContent}` : doc.documentElement.nodeName;
      }, svg);
    } finally {
      await page.close();
    }
  }

  /** Decodes the PNG in Chromium and samples it. */
  async function pngFacts(path: string): Promise<PngFacts> {
    const page = await browser.newPage();
    try {
      const dataUrl = `data:image/png;base64,${readFileSync(path).toString('base64')}`;
      return await page.evaluate(async (src) => {
        const image = new Image();
        image.src = src;
        await image.decode();
        const canvas = document.createElement('canvas');
        canvas.width = image.naturalWidth;
        canvas.height = image.naturalHeight;
        const context = canvas.getContext('2d')!;
        context.drawImage(image, 0, 0);
        const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
        const colours = new Set<number>();
        let inked = 0;
        let sampled = 0;
        for (let i = 0; i < data.length; i += 4 * 7) {
          sampled++;
          colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
          if (data[i] < 240 || data[i + 1] < 240 || data[i + 2] < 240) inked++;
        }
        return { width: canvas.width, height: canvas.height, colours: colours.size, inked: inked / sampled };
      }, dataUrl);
    } finally {
      await page.close();
    }
  }

  const cases: [string, string, number][] = [
    ['sample stream 0 (DNS over TCP)', SAMPLE, 0],
    ['sample stream 3 (reset)', SAMPLE, 3],
    ...(existsSync(V6) ? ([['IPv6 simultaneous close (arkime v6.pcap)', V6, 0]] as [string, string, number][]) : []),
  ];

  it.each(cases)('%s: Chromium parses the SVG and renders a PNG of the model size that is not blank', async (_name, file, stream) => {
    const svg = await output(file, svgOptions(stream));
    expect(parseXml(svg).name).toBe('svg');
    expect(await parsedByChromium(svg)).toBe('svg');
    const root = parseXml(svg);
    const width = Number(root.attributes.get('width'));
    const height = Number(root.attributes.get('height'));
    const out = join(RESULTS, `${file === SAMPLE ? 'sample' : 'v6'}-stream-${stream}.png`);
    await runDiagram(file, { stream, format: 'png', out, numbering: 'relative' }, () => undefined);
    const facts = await pngFacts(out);
    expect([facts.width, facts.height]).toEqual([width, height]);
    // Text, lines and coloured arrows: many colours, and ink on a few percent of the page, not all of it.
    expect(facts.colours).toBeGreaterThan(20);
    expect(facts.inked).toBeGreaterThan(0.02);
    expect(facts.inked).toBeLessThan(0.5);
  });

  it('fails with one line when Chromium cannot write the PNG', async () => {
    const out = join(RESULTS, 'no-such-directory', 'x.png');
    await expect(runDiagram(SAMPLE, { stream: 0, format: 'png', out, numbering: 'relative' }, () => undefined)).rejects.toThrow(/^diagram: Chromium could not render .*x\.png \(.*\)$/);
  });
});
