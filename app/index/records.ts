/*
 * Where a record's packet bytes start, for re-reading a frame from its file offset (RawFrame.fileOffset)
 * and captured length, both kept in the index. Classic pcap: a 16-byte record header. pcapng
 * (draft-ietf-opsawg-pcapng section 4): the Enhanced Packet Block and the obsolete Packet Block have
 * 28 bytes before the data, the Simple Packet Block 12.
 */

/** Bytes before the data in the longest record header (pcapng EPB / PB); read this much plus cap_len. */
export const MAX_RECORD_HEADER = 28;

const PCAP_RECORD_HEADER = 16;
const PCAPNG_HEADERS: Readonly<Record<number, number>> = { 2: 28, 3: 12, 6: 28 };

/**
 * Offset of the packet data within a record whose first bytes are `head`, or -1 when the bytes are not
 * a packet record (the file changed since it was indexed).
 */
export function recordDataOffset(format: 'pcap' | 'pcapng', head: Uint8Array): number {
  if (format === 'pcap') return PCAP_RECORD_HEADER;
  if (head.length < 4) return -1;
  // The block type is in the section's byte order; the packet block types are small, so one end is 0.
  const little = head[1] === 0 && head[2] === 0 && head[3] === 0;
  const big = head[0] === 0 && head[1] === 0 && head[2] === 0;
  const type = little ? head[0] : big ? head[3] : -1;
  return PCAPNG_HEADERS[type] ?? -1;
}
