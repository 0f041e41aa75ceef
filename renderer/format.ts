/** Display formatting shared by the views. */

export function integer(value: number): string {
  return value.toLocaleString('en-US');
}

/** Byte counts as Wireshark's conversation table writes them: '512 bytes', '25 kB', '1.4 MB' (powers of 1000). */
export function byteSize(value: number): string {
  if (value < 1000) return `${value} bytes`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let scaled = value;
  let unit = -1;
  while (scaled >= 1000 && unit < units.length - 1) {
    scaled /= 1000;
    unit++;
  }
  return `${scaled < 10 ? scaled.toFixed(1) : Math.round(scaled)} ${units[unit]}`;
}

export function milliseconds(value: number): string {
  return value < 10 ? `${value.toFixed(3)} ms` : value < 1000 ? `${value.toFixed(1)} ms` : `${(value / 1000).toFixed(3)} s`;
}

export function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
