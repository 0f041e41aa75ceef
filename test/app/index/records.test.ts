import { describe, expect, it } from 'vitest';
import { recordDataOffset } from '../../../app/index/records';

describe('recordDataOffset', () => {
  it('skips the 16-byte classic pcap record header', () => {
    expect(recordDataOffset('pcap', new Uint8Array(16))).toBe(16);
  });

  it('knows the pcapng packet blocks in both byte orders', () => {
    expect(recordDataOffset('pcapng', Uint8Array.of(6, 0, 0, 0))).toBe(28); // EPB, little-endian
    expect(recordDataOffset('pcapng', Uint8Array.of(0, 0, 0, 6))).toBe(28); // EPB, big-endian
    expect(recordDataOffset('pcapng', Uint8Array.of(3, 0, 0, 0))).toBe(12); // SPB
    expect(recordDataOffset('pcapng', Uint8Array.of(0, 0, 0, 2))).toBe(28); // obsolete PB
  });

  it('refuses other blocks (the file changed under us)', () => {
    expect(recordDataOffset('pcapng', Uint8Array.of(0x0a, 0x0d, 0x0d, 0x0a))).toBe(-1); // SHB
    expect(recordDataOffset('pcapng', Uint8Array.of(1, 0, 0, 0))).toBe(-1); // IDB
    expect(recordDataOffset('pcapng', Uint8Array.of(6, 0))).toBe(-1); // cut short
  });
});
