import { describe, expect, it } from 'vitest';
import { FrameFlag, FrameIndex, ROW_COLOURS, type IndexedFrame } from '../../../app/index/frameIndex';

function frame(i: number): IndexedFrame {
  return {
    fileOffset: 24 + i * 1530,
    tsSeconds: 4_294_967_296 + i, // past 2^32: pcapng timestamps after 2106
    tsNanos: (i * 1000) % 1_000_000_000,
    originalLength: 60 + (i % 1454),
    capturedLength: 60 + (i % 1454),
    linkType: i % 2 === 0 ? 1 : 113,
    interfaceId: i % 3,
    protocol: ['TCP', 'UDP', 'DNS'][i % 3],
    colour: ROW_COLOURS[i % ROW_COLOURS.length],
    flags: i % 5 === 0 ? FrameFlag.malformed : 0,
    tcpStreamDirection: i % 7 === 0 ? -1 : i * 2 + (i % 2),
    tcpAnalysis: i % 0x8000,
  };
}

describe('FrameIndex', () => {
  it('keeps every value across growth by doubling', () => {
    const index = new FrameIndex();
    const count = 5000; // grows 1024 -> 2048 -> 4096 -> 8192
    for (let i = 0; i < count; i++) index.add(frame(i));
    expect(index.count).toBe(count);
    expect(index.fileOffset.length).toBe(8192);
    for (const i of [0, 1023, 1024, 2047, 2048, 4095, 4096, 4999]) {
      const want = frame(i);
      expect(index.fileOffset[i]).toBe(want.fileOffset);
      expect(index.tsSeconds[i]).toBe(want.tsSeconds);
      expect(index.tsNanos[i]).toBe(want.tsNanos);
      expect(index.originalLength[i]).toBe(want.originalLength);
      expect(index.capturedLength[i]).toBe(want.capturedLength);
      expect(index.linkType[i]).toBe(want.linkType);
      expect(index.interfaceId[i]).toBe(want.interfaceId);
      expect(index.protocolName(i)).toBe(want.protocol);
      expect(index.rowColour(i)).toBe(want.colour);
      expect(index.flags[i]).toBe(want.flags);
      expect(index.tcpStreamDirection[i]).toBe(want.tcpStreamDirection);
      expect(index.tcpAnalysis[i]).toBe(want.tcpAnalysis);
    }
  });

  it('interns protocol names', () => {
    const index = new FrameIndex();
    for (let i = 0; i < 100; i++) index.add(frame(i));
    expect(index.protocolNames).toEqual(['TCP', 'UDP', 'DNS']);
  });

  it('shares the last protocol slot past 256 names rather than overflowing a byte', () => {
    const index = new FrameIndex();
    for (let i = 0; i < 300; i++) index.add({ ...frame(i), protocol: `P${i}` });
    expect(index.protocolNames).toHaveLength(256);
    expect(index.protocolName(254)).toBe('P254');
    expect(index.protocolName(299)).toBe('P255');
  });

  it('notices nanosecond timestamps', () => {
    const index = new FrameIndex();
    index.add({ ...frame(0), tsNanos: 123_456_000 });
    expect(index.nanosecondPrecision).toBe(false);
    index.add({ ...frame(1), tsNanos: 123_456_789 });
    expect(index.nanosecondPrecision).toBe(true);
  });

  it('costs 44 bytes a frame', () => {
    const index = new FrameIndex();
    expect(index.memoryBytes).toBe(1024 * 44);
  });
});
