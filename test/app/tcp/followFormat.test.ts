import { describe, expect, it } from 'vitest';
import type { FollowChunk } from '../../../app/tcp/follow';
import { asciiChunkText, followHeaderText, hexChunkText } from '../../../app/tcp/followFormat';

// The request of tcpdump's tests/print-flags.pcap, stream 0, as `tshark -q -z follow,tcp,hex,0` prints it.
const REQUEST =
  'GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: ELinks/0.10.4-7-debian (textmode; Linux 2.6.11-1-686-smp i686; 132x56-2)\r\n' +
  'Accept: */*\r\nAccept-Encoding: gzip\r\nAccept-Language: en\r\nConnection: Keep-Alive\r\n\r\n';
const chunk = (direction: 0 | 1, text: string, offset = 0): FollowChunk => {
  const bytes = new TextEncoder().encode(text);
  return { frame: 4, offset, bytes, length: bytes.length, direction };
};

describe("follow output in tshark's layout", () => {
  it('header names both nodes, IPv6 in brackets', () => {
    expect(followHeaderText('hex', { stream: 0, client: { address: '127.0.0.1', port: 55920 }, server: { address: '::1', port: 80 } })).toBe(
      '\n===================================================================\nFollow: tcp,hex\nFilter: tcp.stream eq 0\nNode 0: 127.0.0.1:55920\nNode 1: [::1]:80\n',
    );
  });

  it('hex: offset, two groups of eight, characters; a short last line keeps the character column aligned', () => {
    const lines = hexChunkText(chunk(0, REQUEST), false).split('\n');
    expect(lines[0]).toBe('00000000  47 45 54 20 2f 20 48 54  54 50 2f 31 2e 31 0d 0a  GET / HT TP/1.1..');
    expect(lines[1]).toBe('00000010  48 6f 73 74 3a 20 6c 6f  63 61 6c 68 6f 73 74 0d  Host: lo calhost.');
    expect(lines[12]).toBe('000000C0  2d 41 6c 69 76 65 0d 0a  0d 0a                    -Alive.. ..');
    expect(lines.length).toBe(14);
  });

  it("hex: the server's lines are indented by a tab", () => {
    expect(hexChunkText(chunk(1, 'HTTP/1.1 200 OK\r'), true)).toBe('\t00000000  48 54 54 50 2f 31 2e 31  20 32 30 30 20 4f 4b 0d  HTTP/1.1  200 OK.\n');
  });

  it('ascii: length line, then the bytes with CR and LF kept and others as dots', () => {
    expect(asciiChunkText(chunk(1, 'a\tb\r\n'), true)).toBe('\t5\na.b\r\n\n');
  });

  it('gaps are written as missing bytes', () => {
    const gap: FollowChunk = { frame: 9, offset: 32, bytes: null, length: 1448, direction: 0 };
    expect(asciiChunkText(gap, false)).toBe('1448\n[1448 bytes missing]\n');
    expect(hexChunkText(gap, false)).toBe('00000020  [1448 bytes missing]\n');
  });
});
