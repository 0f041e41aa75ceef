/*
 * Time columns of the packet list, computed exactly from whole seconds and nanoseconds (a double of
 * epoch seconds cannot hold nanoseconds). Digits after the point follow the capture's precision:
 * 6 for microsecond files, 9 once a timestamp has nanosecond detail, as Wireshark shows them.
 */

/** a - b as text with `decimals` digits, e.g. '-0.000120'. */
export function formatDifference(aSeconds: number, aNanos: number, bSeconds: number, bNanos: number, decimals: 6 | 9): string {
  let seconds = aSeconds - bSeconds;
  let nanos = aNanos - bNanos;
  let negative = false;
  if (seconds < 0 || (seconds === 0 && nanos < 0)) {
    negative = true;
    seconds = -seconds;
    nanos = -nanos;
  }
  if (nanos < 0) {
    seconds -= 1;
    nanos += 1_000_000_000;
  }
  return `${negative ? '-' : ''}${seconds}.${fraction(nanos, decimals)}`;
}

/** 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC (Wireshark's "UTC date and time of day" format). */
export function formatAbsolute(seconds: number, nanos: number, decimals: 6 | 9): string {
  const date = new Date(seconds * 1000);
  if (Number.isNaN(date.getTime())) return `${seconds}.${fraction(nanos, decimals)}`;
  const day = `${date.getUTCFullYear()}-${two(date.getUTCMonth() + 1)}-${two(date.getUTCDate())}`;
  const time = `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}`;
  return `${day} ${time}.${fraction(nanos, decimals)}`;
}

function fraction(nanos: number, decimals: 6 | 9): string {
  const digits = String(nanos).padStart(9, '0');
  return decimals === 9 ? digits : digits.slice(0, decimals);
}

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
