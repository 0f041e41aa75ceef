import { writeFileSync } from 'node:fs';

/*
 * A large classic pcap made of one real frame repeated, for loading, progress and cancellation tests:
 * frame 3 of arkime/pcap/dns-udp.pcap (Ethernet, IPv4, UDP, DNS query for www.github.com), 74 bytes:
 *   0000  00 00 0c 07 ac 01 00 1f 5b ff 51 cb 08 00 45 00   ........[.Q...E.
 *   0010  00 3c 60 9b 00 00 40 11 5f dc 0a b4 9c 8d 0a b2   .<`...@._.......
 *   0020  08 47 f3 d0 00 35 00 28 ea 6e e0 39 01 00 00 01   .G...5.(.n.9....
 *   0030  00 00 00 00 00 00 03 77 77 77 06 67 69 74 68 75   .......www.githu
 *   0040  62 03 63 6f 6d 00 00 01 00 01                     b.com.....
 * The bytes are taken from the corpus file at run time (its third record).
 */

/** Writes `frames` copies of `frame` (1 µs apart) as a little-endian microsecond pcap; returns the file size. */
export function writeRepeatedPcap(path: string, frame: Uint8Array, frames: number): number {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(262144, 16);
  header.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
  const record = 16 + frame.length;
  const body = Buffer.alloc(frames * record);
  for (let i = 0; i < frames; i++) {
    const at = i * record;
    body.writeUInt32LE(1_700_000_000 + Math.floor(i / 1_000_000), at);
    body.writeUInt32LE(i % 1_000_000, at + 4);
    body.writeUInt32LE(frame.length, at + 8);
    body.writeUInt32LE(frame.length, at + 12);
    body.set(frame, at + 16);
  }
  writeFileSync(path, Buffer.concat([header, body]));
  return 24 + body.length;
}

/** The data of the record at index `which` (0-based) of a little-endian classic pcap. */
export function pcapRecord(file: Uint8Array, which: number): Uint8Array {
  let at = 24;
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  for (let i = 0; ; i++) {
    const length = view.getUint32(at + 8, true);
    if (i === which) return file.slice(at + 16, at + 16 + length);
    at += 16 + length;
  }
}
