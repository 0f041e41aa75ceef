import type { Endpoint } from './conversation';
import type { FollowChunk } from './follow';

/*
 * Text renderings of a followed stream in the layout of tshark's `-z follow,tcp,ascii|hex,N`
 * (ui/cli/tap-follow.c): a header naming the two nodes, one block per chunk with the server's blocks
 * indented by a tab, a closing separator. Gaps, which tshark shows only as a
 * "[N bytes missing in capture file]" chunk (and not at all for bytes cut by the snapshot length),
 * are written "[N bytes missing]".
 */

const SEPARATOR = '===================================================================\n';
const BYTES_PER_LINE = 16;

export type FollowTextMode = 'ascii' | 'hex';

export interface FollowHeader {
  stream: number;
  client: Endpoint;
  server: Endpoint;
}

function nodeText(endpoint: Endpoint): string {
  return endpoint.address.includes(':') ? `[${endpoint.address}]:${endpoint.port}` : `${endpoint.address}:${endpoint.port}`;
}

export function followHeaderText(mode: FollowTextMode, header: FollowHeader): string {
  return `\n${SEPARATOR}Follow: tcp,${mode}\nFilter: tcp.stream eq ${header.stream}\nNode 0: ${nodeText(header.client)}\nNode 1: ${nodeText(header.server)}\n`;
}

export function followFooterText(): string {
  return SEPARATOR;
}

export function gapText(length: number): string {
  return `[${length} bytes missing]`;
}

/** tshark's ascii block: the length, then the bytes with non-printable ones (except CR and LF) as '.'. */
export function asciiChunkText(chunk: FollowChunk, isServer: boolean): string {
  const indent = isServer ? '\t' : '';
  if (chunk.bytes === null) return `${indent}${chunk.length}\n${gapText(chunk.length)}\n`;
  let text = '';
  for (const byte of chunk.bytes) text += byte === 0x0d || byte === 0x0a || (byte >= 0x20 && byte < 0x7f) ? String.fromCharCode(byte) : '.';
  return `${indent}${chunk.length}\n${text}\n`;
}

/**
 * tshark's hex block: 16 bytes a line, "%08X" offset within the direction's stream, two groups of eight
 * hex bytes, then the printable characters.
 */
export function hexChunkText(chunk: FollowChunk, isServer: boolean): string {
  const indent = isServer ? '\t' : '';
  if (chunk.bytes === null) return `${indent}${hex8(chunk.offset)}  ${gapText(chunk.length)}\n`;
  let out = '';
  const bytes = chunk.bytes;
  for (let line = 0; line < bytes.length; line += BYTES_PER_LINE) {
    const end = Math.min(bytes.length, line + BYTES_PER_LINE);
    let hex = '';
    let ascii = '';
    for (let i = line; i < line + BYTES_PER_LINE; i++) {
      if (i < end) {
        hex += `${bytes[i].toString(16).padStart(2, '0')} `;
        ascii += bytes[i] >= 0x20 && bytes[i] < 0x7f ? String.fromCharCode(bytes[i]) : '.';
      } else {
        hex += '   ';
      }
      // An extra space after the eighth byte, in both columns.
      if (i === line + BYTES_PER_LINE / 2 - 1) {
        hex += ' ';
        if (i < end) ascii += ' ';
      }
    }
    // tshark drops one trailing space of the character column (its separator, or a space byte).
    if (ascii.endsWith(' ')) ascii = ascii.slice(0, -1);
    out += `${indent}${hex8(chunk.offset + line)}  ${hex} ${ascii}\n`;
  }
  return out;
}

function hex8(value: number): string {
  return (value >>> 0).toString(16).toUpperCase().padStart(8, '0');
}
