// A stand-in for dumpcap in tests that cannot capture (no root, no traffic): it takes dumpcap's arguments,
// writes classic pcap to stdout the way dumpcap -P -w - does, and prints dumpcap's closing statistics on
// SIGINT. Run as: node fakeHelper.mjs MODE [FILE] HELPER-PATH DUMPCAP-ARGS...
//   replay FILE   the records of a microsecond pcap, then waits to be stopped (honours -c N: exits after N)
//   endless FILE  the records of FILE over and over, 500 per 10 ms (at most 50 000 a second), until stopped (or the pipe closes)
//   deny          dumpcap's permission error, exit 1
//   bogus         a file header, one record, then a record header announcing 4 GiB, then zeros until stopped
import { readFileSync } from 'node:fs';

const [mode, ...rest] = process.argv.slice(2);
const file = mode === 'replay' || mode === 'endless' ? rest.shift() : null;
const args = rest.slice(1);
const countAt = args.indexOf('-c');
const limit = countAt >= 0 ? Number(args[countAt + 1]) : Infinity;
let written = 0;

function statistics() {
  process.stderr.write(`\rPackets captured: ${written}\nPackets received/dropped on interface 'fake0': ${written}/0 (pcap:0/dumpcap:0/flushed:0/ps_ifdrop:0) (100.0%)\n`);
}

let timer = null;
process.stdout.on('error', () => process.exit(0)); // EPIPE: the reader went away
process.on('SIGINT', () => {
  // As dumpcap: stop taking packets, write out whole what was taken, report, exit 0.
  clearInterval(timer);
  statistics();
  process.stdout.end(() => process.exit(0));
});
process.stderr.write("Capturing on 'fake0'\nFile: -\n");

function records(bytes) {
  const out = [];
  for (let at = 24; at + 16 <= bytes.length; ) {
    const length = 16 + bytes.readUInt32LE(at + 8);
    out.push(bytes.subarray(at, at + length));
    at += length;
  }
  return out;
}

switch (mode) {
  case 'deny':
    process.stderr.write('dumpcap: You do not have permission to capture on device "fake0".\n(socket: Operation not permitted)\nPlease check to make sure you have sufficient permissions.\n');
    process.exit(1);
    break;
  case 'replay': {
    const bytes = readFileSync(file);
    process.stdout.write(bytes.subarray(0, 24));
    for (const record of records(bytes)) {
      if (written === limit) break;
      process.stdout.write(record);
      written++;
    }
    if (written === limit) {
      statistics();
      process.stdout.end(() => process.exit(0));
    } else timer = setInterval(() => undefined, 1000);
    break;
  }
  case 'endless': {
    const bytes = readFileSync(file);
    const all = records(bytes);
    process.stdout.write(bytes.subarray(0, 24));
    let next = 0;
    timer = setInterval(() => {
      const batch = [];
      for (let i = 0; i < 500 && written < limit; i++, written++) batch.push(all[next++ % all.length]);
      process.stdout.write(Buffer.concat(batch));
      if (written === limit) {
        statistics();
        process.stdout.end(() => process.exit(0));
      }
    }, 10);
    break;
  }
  case 'bogus': {
    const header = Buffer.alloc(24);
    header.writeUInt32LE(0xa1b2c3d4, 0);
    header.writeUInt16LE(2, 4);
    header.writeUInt16LE(4, 6);
    header.writeUInt32LE(262144, 16);
    header.writeUInt32LE(1, 20);
    const record = (caplen, data) => {
      const h = Buffer.alloc(16);
      h.writeUInt32LE(1_700_000_000, 0);
      h.writeUInt32LE(caplen, 8);
      h.writeUInt32LE(data.length, 12);
      return Buffer.concat([h, data]);
    };
    process.stdout.write(Buffer.concat([header, record(60, Buffer.alloc(60, 1)), record(0xffffffff, Buffer.alloc(0))]));
    timer = setInterval(() => process.stdout.write(Buffer.alloc(65536)), 5);
    break;
  }
  default:
    process.stderr.write(`fakeHelper: unknown mode ${mode}\n`);
    process.exit(2);
}
