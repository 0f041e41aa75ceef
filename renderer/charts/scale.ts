/*
 * Linear scales and axis ticks for the charts (what d3-scale would give, for the little the charts need).
 */

export interface Range {
  start: number;
  end: number;
}

export class LinearScale {
  constructor(
    readonly domain: Range,
    readonly range: Range,
  ) {}

  private get factor(): number {
    const span = this.domain.end - this.domain.start;
    return span === 0 ? 0 : (this.range.end - this.range.start) / span;
  }

  map(value: number): number {
    return this.range.start + (value - this.domain.start) * this.factor;
  }

  invert(position: number): number {
    const factor = this.factor;
    return factor === 0 ? this.domain.start : this.domain.start + (position - this.range.start) / factor;
  }
}

/** Round tick values (1, 2 or 5 times a power of ten apart) covering a domain with about `count` ticks. */
export function ticks(domain: Range, count: number): number[] {
  const span = domain.end - domain.start;
  if (!(span > 0) || !Number.isFinite(span) || count < 1) return [];
  const step = tickStep(span / count);
  const out: number[] = [];
  // A relative tolerance keeps an end that is a multiple of the step despite rounding (0.3 / 0.1 = 2.9999...).
  const first = Math.ceil(domain.start / step - 1e-9);
  const last = Math.floor(domain.end / step + 1e-9);
  for (let i = first; i <= last && out.length <= 1000; i++) out.push(roundToStep(i * step, step));
  return out;
}

/** The 1-2-5 step at or above a raw step. */
export function tickStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
}

/** Removes binary floating-point noise from i * step (0.30000000000000004 -> 0.3). */
function roundToStep(value: number, step: number): number {
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  return Number(value.toFixed(Math.min(20, decimals)));
}

/** Widens an extent a little (and a point to a range) so the data does not touch the edges. */
export function padded(extent: [number, number] | null, fraction = 0.05): Range {
  if (!extent) return { start: 0, end: 1 };
  const [low, high] = extent;
  if (high === low) {
    const half = Math.abs(low) > 0 ? Math.abs(low) * 0.1 : 1;
    return { start: low - half, end: high + half };
  }
  const margin = (high - low) * fraction;
  return { start: low - margin, end: high + margin };
}

const SI_PREFIXES = ['', 'k', 'M', 'G', 'T', 'P'];

/** Bytes with decimal prefixes, as axis labels: 0, 500, 1.5k, 20M. */
export function formatBytes(value: number): string {
  return formatSi(value, '');
}

/** A rate in bits per second: 12 Mbit/s. */
export function formatBitRate(bytesPerSecond: number): string {
  return `${formatSi(bytesPerSecond * 8, '')}bit/s`;
}

function formatSi(value: number, unit: string): string {
  const abs = Math.abs(value);
  let prefix = 0;
  let scaled = value;
  while (Math.abs(scaled) >= 1000 && prefix < SI_PREFIXES.length - 1) {
    scaled /= 1000;
    prefix++;
  }
  const text = abs === 0 ? '0' : Number(scaled.toPrecision(4)).toString();
  return `${text}${SI_PREFIXES[prefix]}${unit}`;
}

/** Seconds as axis labels: ms below 1 s of span, else s. */
export function formatSeconds(value: number, span: number): string {
  if (span < 0.002) return `${Number((value * 1e6).toPrecision(6))} µs`;
  if (span < 2) return `${Number((value * 1e3).toPrecision(6))} ms`;
  return `${Number(value.toPrecision(8))} s`;
}
