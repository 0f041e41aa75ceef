/*
 * CSV export of chart series (RFC 4180 quoting; '\n' line ends as `wirelens windows --csv`): a header
 * line, then one line per row. Numbers keep full precision (shortest round-trip text); NaN is empty.
 */

export interface CsvColumn {
  name: string;
  values: ArrayLike<number> | readonly string[];
}

function field(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function cell(value: number | string): string {
  if (typeof value === 'string') return field(value);
  return Number.isNaN(value) ? '' : String(value);
}

/** The columns as CSV; every column must have the same number of rows. */
export function toCsv(columns: readonly CsvColumn[], rows: ArrayLike<number> | null = null): string {
  const length = columns.length > 0 ? columns[0].values.length : 0;
  for (const c of columns) if (c.values.length !== length) throw new Error(`CSV column ${c.name} has ${c.values.length} rows, not ${length}`);
  const lines = [columns.map((c) => field(c.name)).join(',')];
  const count = rows ? rows.length : length;
  for (let r = 0; r < count; r++) {
    const i = rows ? rows[r] : r;
    lines.push(columns.map((c) => cell(c.values[i])).join(','));
  }
  return `${lines.join('\n')}\n`;
}
