import { describe, expect, it } from 'vitest';
import type { Column } from '../../renderer/VirtualTable';
import { sortRows } from '../../renderer/VirtualTable';
import { byteSize, integer, milliseconds } from '../../renderer/format';

describe('view formatting', () => {
  it('writes byte counts as Wireshark\'s conversation table does', () => {
    expect(byteSize(0)).toBe('0 bytes');
    expect(byteSize(999)).toBe('999 bytes');
    expect(byteSize(1000)).toBe('1.0 kB');
    expect(byteSize(25_300)).toBe('25 kB');
    expect(byteSize(1_388_386_078)).toBe('1.4 GB');
  });

  it('writes times with precision that fits their size', () => {
    expect(milliseconds(0.0551)).toBe('0.055 ms');
    expect(milliseconds(21.04)).toBe('21.0 ms');
    expect(milliseconds(1019.764)).toBe('1.020 s');
    expect(integer(1234567)).toBe('1,234,567');
  });
});

interface Row {
  name: string;
  packets: number;
}
const NAME: Column<Row> = { key: 'name', label: 'Name', width: '1fr', text: (r) => r.name, sortValue: (r) => r.name };
const PACKETS: Column<Row> = { key: 'packets', label: 'Packets', width: '1fr', numeric: true, text: (r) => String(r.packets), sortValue: (r) => r.packets };

describe('table sorting', () => {
  const rows: Row[] = [
    { name: 'b', packets: 10 },
    { name: 'a', packets: 9 },
    { name: 'c', packets: 10 },
  ];
  it('sorts numbers numerically (9 before 10) and strings by locale, either way', () => {
    expect(sortRows(rows, PACKETS, false).map((r) => r.name)).toEqual(['a', 'b', 'c']);
    expect(sortRows(rows, NAME, true).map((r) => r.name)).toEqual(['c', 'b', 'a']);
  });

  it('keeps the given order among equal values and leaves the input alone', () => {
    expect(sortRows(rows, PACKETS, true).map((r) => r.name)).toEqual(['b', 'c', 'a']);
    expect(rows.map((r) => r.name)).toEqual(['b', 'a', 'c']);
  });
});
