import { describe, expect, it } from 'vitest';
import { decodeTcp } from '../../../app/decode/tcp';
import { decodePacket, fieldNames, first, hex, ipPacket, values } from '../../helpers/dissection';

/*
 * TCP decoder (header fields only; the conversation analysis is tested in test/app/tcp). Expected values are
 * what tshark 4.0.17 prints (-T fields) for the same bytes, with -o tcp.relative_sequence_numbers:FALSE for
 * SACK edges and -o tcp.check_checksum:TRUE for checksum statuses.
 */

// tcpdump tests/dns_tcp.pcap frame 1 from the IPv4 header: 192.168.1.11:33779 -> 209.87.249.18:53, SYN.
//   IPv4    | 45 00 00 3c 9b 28 40 00 40 06 13 76 c0 a8 01 0b d1 57 f9 12
//   TCP     | 83 f3 00 35 | 23 fe c8 0c (seq 603899916) | 00 00 00 00 | a0 02 (40 bytes, SYN) | fa f0 | 0c 41 | 00 00
//   options | 02 04 05 b4 (MSS 1460) | 04 02 (SACK_PERM) | 08 0a 79 e2 ca 9a 00 00 00 00 (TS) | 01 (NOP) | 03 03 07 (WS 7)
const SYN = `
  45 00 00 3c 9b 28 40 00 40 06 13 76 c0 a8 01 0b
  d1 57 f9 12 83 f3 00 35 23 fe c8 0c 00 00 00 00
  a0 02 fa f0 0c 41 00 00 02 04 05 b4 04 02 08 0a
  79 e2 ca 9a 00 00 00 00 01 03 03 07`;

// tcpdump tests/dns_tcp.pcap frame 4: the DNS query over TCP, PSH+ACK with 58 bytes (length prefix 0x0038).
const DNS_QUERY = `
  45 00 00 62 9b 2a 40 00 40 06 13 4e c0 a8 01 0b
  d1 57 f9 12 83 f3 00 35 23 fe c8 0d 79 d2 49 14
  50 18 fa f0 77 96 00 00 00 38 43 19 01 20 00 01
  00 00 00 00 00 01 03 77 77 77 07 74 63 70 64 75
  6d 70 03 6f 72 67 00 00 01 00 01 00 00 29 10 00
  00 00 00 00 00 0c 00 0a 00 08 8f 06 be 7d 69 14
  42 f0`;

// zeek testing/btest/Traces/tcp/truncated-header.pcap frame 1 (captured 68 of 74 bytes): a 40-byte header
// of which 34 bytes were captured; its options are MSS, SACK_PERM, then a timestamp option of length 8.
const CUT_OPTIONS = `
  45 00 00 3c 38 e0 40 00 33 06 0c e2 c9 ba 9d 43
  80 03 1a f9 ed 9b 00 19 3e 17 75 de 00 00 00 00
  a0 c2 16 d0 90 d6 00 00 02 04 05 b4 04 02 08 08
  00 00 00 01 00 00`;

// tcpdump tests/ssh.pcap frame 48: ACK with 14 NOPs and one SACK block 4082238970-4082238971.
const SACK = `
  45 48 00 40 e2 02 40 00 36 06 2a f9 df 84 35 de
  ca 6c 57 a5 00 16 f2 c2 92 57 b8 36 f3 52 05 9a
  b0 10 01 54 e1 f3 00 00 01 01 01 01 01 01 01 01
  01 01 01 01 01 01 05 0a f3 52 05 fa f3 52 05 fb`;

/**
 * 10.0.0.1:1234 -> 10.0.0.2:80, seq 1, ack 2, the 12 flag bits, window 65535, the given options (padded by
 * the caller to a multiple of 4) and payload; the checksum field is left 0.
 */
function segment(options: string, flags = 0x010, payload = '', ports = '04 d2 00 50'): Uint8Array {
  const optionBytes = hex(options).length;
  const offsetAndFlags = ((20 + optionBytes) / 4) * 0x1000 + flags;
  const tcp = hex(`${ports} 00 00 00 01 00 00 00 02 ${offsetAndFlags.toString(16).padStart(4, '0')} ff ff 00 00 00 00 ${options} ${payload}`);
  const total = 20 + tcp.length;
  const packet = new Uint8Array(total);
  packet.set(hex(`45 00 ${(total >> 8).toString(16).padStart(2, '0')} ${(total & 0xff).toString(16).padStart(2, '0')} 00 01 00 00 40 06 00 00 0a 00 00 01 0a 00 00 02`));
  packet.set(tcp, 20);
  return packet;
}

describe('decodeTcp', () => {
  it('parse: SYN with MSS, SACK permitted, timestamps, NOP and window scale', () => {
    const d = decodePacket(hex(SYN), 'tcp');
    expect(d.malformed).toBeNull();
    expect(d.protocols).toEqual(['tcp']);
    expect(first(d, 'tcp.srcport')).toBe('33779');
    expect(first(d, 'tcp.dstport')).toBe('53');
    expect(values(d, 'tcp.port')).toEqual(['33779', '53']);
    expect(first(d, 'tcp.len')).toBe('0');
    expect(first(d, 'tcp.seq_raw')).toBe('603899916');
    expect(first(d, 'tcp.ack_raw')).toBe('0');
    expect(first(d, 'tcp.hdr_len')).toBe('40');
    expect(first(d, 'tcp.flags')).toBe('0x0002');
    expect(first(d, 'tcp.flags.syn')).toBe('1');
    expect(first(d, 'tcp.flags.ack')).toBe('0');
    expect(first(d, 'tcp.flags.str')).toBe('··········S·');
    expect(first(d, 'tcp.window_size_value')).toBe('64240');
    expect(first(d, 'tcp.checksum')).toBe('0x0c41');
    expect(first(d, 'tcp.checksum.status')).toBe('1');
    expect(first(d, 'tcp.urgent_pointer')).toBe('0');
    expect(first(d, 'tcp.options')).toBe('020405b40402080a79e2ca9a0000000001030307');
    expect(values(d, 'tcp.option_kind')).toEqual(['2', '4', '8', '1', '3']);
    expect(values(d, 'tcp.option_len')).toEqual(['4', '2', '10', '3']);
    expect(first(d, 'tcp.options.mss')).toBe('020405b4');
    expect(first(d, 'tcp.options.mss_val')).toBe('1460');
    expect(first(d, 'tcp.options.sack_perm')).toBe('0402');
    expect(first(d, 'tcp.options.timestamp.tsval')).toBe('2044906138');
    expect(first(d, 'tcp.options.timestamp.tsecr')).toBe('0');
    expect(first(d, 'tcp.options.nop')).toBe('01');
    expect(first(d, 'tcp.options.wscale.shift')).toBe('7');
    expect(first(d, 'tcp.options.wscale.multiplier')).toBe('128');
    expect(fieldNames(d, 'tcp').slice(0, 23)).toEqual([
      'tcp', 'tcp.srcport', 'tcp.dstport', 'tcp.port', 'tcp.port', 'tcp.len', 'tcp.seq_raw', 'tcp.ack_raw',
      'tcp.hdr_len', 'tcp.flags', 'tcp.flags.res', 'tcp.flags.ae', 'tcp.flags.cwr', 'tcp.flags.ece', 'tcp.flags.urg',
      'tcp.flags.ack', 'tcp.flags.push', 'tcp.flags.reset', 'tcp.flags.syn', 'tcp.flags.fin', 'tcp.flags.str',
      'tcp.window_size_value', 'tcp.checksum',
    ]);
    expect(d.tcp).toEqual({
      srcPort: 33779,
      dstPort: 53,
      seq: 603899916,
      ack: 0,
      headerLength: 40,
      flags: 0x002,
      window: 64240,
      urgentPointer: 0,
      options: { mss: 1460, windowScale: 7, sackPermitted: true, sack: [], tsVal: 2044906138, tsEcr: 0 },
      payloadLength: 0,
      payloadSource: 0,
      payloadOffset: 60,
      capturedPayloadLength: 0,
      checksumStatus: 'good',
    });
  });

  it('parse: payload on port 53 goes to DNS over TCP', () => {
    const d = decodePacket(hex(DNS_QUERY), 'tcp');
    expect(d.malformed).toBeNull();
    expect(d.protocols).toEqual(['tcp', 'dns']);
    expect(first(d, 'tcp.len')).toBe('58');
    expect(first(d, 'tcp.flags')).toBe('0x0018');
    expect(first(d, 'tcp.flags.str')).toBe('·······AP···');
    expect(first(d, 'tcp.checksum.status')).toBe('1');
    expect(first(d, 'tcp.payload')).toBe('0038431901200001000000000001037777770774637064756d70036f72670000010001000029100000000000000c000a00088f06be7d691442f0');
    expect(d.tcp).toMatchObject({ payloadLength: 58, payloadOffset: 40, capturedPayloadLength: 58 });
    expect(first(d, 'dns.length')).toBe('56');
    expect(first(d, 'dns.qry.name')).toBe('www.tcpdump.org');
  });

  it('parse: every flag bit, the accurate-ECN bit included', () => {
    const d = decodePacket(segment('', 0xfff), 'tcp');
    expect(first(d, 'tcp.flags')).toBe('0x0fff');
    expect(first(d, 'tcp.flags.str')).toBe('RRRACEUAPRSF');
    for (const name of ['res', 'ae', 'cwr', 'ece', 'urg', 'ack', 'push', 'reset', 'syn', 'fin']) {
      expect(first(d, `tcp.flags.${name}`), name).toBe('1');
    }
  });

  it('bad checksum: status Bad and the checksum it should have been', () => {
    const packet = hex(DNS_QUERY);
    packet[packet.length - 1] ^= 0x01;
    const d = decodePacket(packet, 'tcp');
    expect(first(d, 'tcp.checksum.status')).toBe('0');
    // The last byte went up by one, so the checksum it should carry goes down by one.
    expect(first(d, 'tcp.checksum_calculated')).toBe('0x7795');
    expect(d.tcp?.checksumStatus).toBe('bad');
  });

  it('truncated: fewer than 20 captured bytes show the ports only', () => {
    const packet = hex(SYN).subarray(0, 20 + 12);
    const d = decodePacket(packet, 'tcp', { originalLength: 60 });
    expect(fieldNames(d, 'tcp')).toEqual(['tcp', 'tcp.srcport', 'tcp.dstport', 'tcp.port', 'tcp.port']);
    expect(d.malformed).toMatchObject({ code: 'truncated', layer: 'tcp', offset: 32 });
    expect(d.tcp).toBeNull();
  });

  it('impossible length: a header length below 20 stops after tcp.hdr_len', () => {
    // Data offset 4 (16 bytes) in a 20-byte segment: tcp.len is 20 - 16.
    const packet = segment('');
    packet[32] = 0x40;
    const d = decodePacket(packet, 'tcp');
    expect(fieldNames(d, 'tcp')).toEqual(['tcp', 'tcp.srcport', 'tcp.dstport', 'tcp.port', 'tcp.port', 'tcp.len', 'tcp.seq_raw', 'tcp.hdr_len']);
    expect(first(d, 'tcp.len')).toBe('4');
    expect(first(d, 'tcp.hdr_len')).toBe('16');
    expect(d.malformed).toMatchObject({ code: 'bad-length', layer: 'tcp', offset: 32 });
    expect(d.tcp).toBeNull();
  });

  it('impossible length: a header longer than the segment has no tcp.len and no options', () => {
    const packet = segment('');
    packet[32] = 0xf0;
    const d = decodePacket(packet, 'tcp');
    expect(first(d, 'tcp.len')).toBe('');
    expect(first(d, 'tcp.hdr_len')).toBe('60');
    expect(first(d, 'tcp.flags')).toBe('0x0010');
    expect(first(d, 'tcp.options')).toBe('');
    expect(d.malformed).toMatchObject({ code: 'bad-length', layer: 'tcp', offset: 40 });
    expect(d.tcp).toMatchObject({ headerLength: 60, payloadLength: 0 });
  });

  it('tcp.len counts what the IP header announces, however much was captured', () => {
    // The SYN with its IP total length raised to 1500: 1500 - 20 - 40 bytes of payload announced, none captured.
    const packet = hex(SYN);
    packet[2] = 0x05;
    packet[3] = 0xdc;
    const d = decodePacket(packet, 'tcp', { originalLength: 1500 });
    expect(first(d, 'tcp.len')).toBe('1440');
    expect(first(d, 'tcp.checksum.status')).toBe('2');
    expect(first(d, 'tcp.payload')).toBe('');
    expect(d.tcp).toMatchObject({ payloadLength: 1440, capturedPayloadLength: 0, checksumStatus: 'unverified' });
    expect(d.protocols).toEqual(['tcp']);
  });

  it('options cut by the capture: decoded as far as captured', () => {
    const d = decodePacket(hex(CUT_OPTIONS), 'tcp', { originalLength: 60 });
    expect(first(d, 'tcp.len')).toBe('0');
    expect(values(d, 'tcp.option_kind')).toEqual(['2', '4', '8']);
    expect(values(d, 'tcp.option_len')).toEqual(['4', '2', '8']);
    // A timestamp option must be 10 bytes long: this one shows its kind and length only.
    expect(first(d, 'tcp.options.timestamp')).toBe('0808000000010000');
    expect(first(d, 'tcp.options.timestamp.tsval')).toBe('');
    expect(first(d, 'tcp.options')).toBe('020405b404020808000000010000');
    expect(d.malformed).toMatchObject({ code: 'truncated', layer: 'tcp', offset: 54 });
    expect(d.tcp?.options).toEqual({ mss: 1460, windowScale: null, sackPermitted: true, sack: [], tsVal: null, tsEcr: null });
  });

  it('SACK: raw edges, count, repr blocks', () => {
    const d = decodePacket(hex(SACK), 'tcp');
    expect(d.malformed).toBeNull();
    expect(values(d, 'tcp.option_kind')).toEqual([...Array(14).fill('1'), '5']);
    expect(values(d, 'tcp.options.sack_le')).toEqual(['4082238970']);
    expect(values(d, 'tcp.options.sack_re')).toEqual(['4082238971']);
    expect(first(d, 'tcp.options.sack.count')).toBe('1');
    expect(d.tcp?.options.sack).toEqual([4082238970, 4082238971]);
  });

  it('malformed options: SACK without a whole block, a partial second block', () => {
    // 05 06 00 00 00 01 (left edge only) 00 00
    const short = decodePacket(segment('05 06 00 00 00 01 00 00'), 'tcp');
    expect(values(short, 'tcp.options.sack_le')).toEqual(['1']);
    expect(first(short, 'tcp.options.sack_re')).toBe('');
    expect(first(short, 'tcp.options.sack.count')).toBe('0');
    expect(short.malformed).toMatchObject({ code: 'bad-length', layer: 'tcp', offset: 40 });
    // 05 0e, one block 1-2, then a left edge 3 alone; 00 00 pads (two EOLs).
    const partial = decodePacket(segment('05 0e 00 00 00 01 00 00 00 02 00 00 00 03 00 00'), 'tcp');
    expect(values(partial, 'tcp.options.sack_le')).toEqual(['1', '3']);
    expect(values(partial, 'tcp.options.sack_re')).toEqual(['2']);
    expect(first(partial, 'tcp.options.sack.count')).toBe('1');
    expect(values(partial, 'tcp.option_kind')).toEqual(['5', '0', '0']);
    expect(partial.malformed).toBeNull();
    expect(partial.tcp?.options.sack).toEqual([1, 2]);
  });

  it('malformed options: length 0, length 1, past the header, no length byte', () => {
    for (const [options, message] of [
      ['02 00 00 00', 'impossible length 0'],
      ['02 01 00 00', 'impossible length 1'],
      ['01 08 0a 00', 'runs past the header'],
      ['01 01 01 02', 'no length byte'],
    ] as const) {
      const d = decodePacket(segment(options), 'tcp');
      expect(d.malformed?.code, options).toBe('bad-length');
      expect(d.malformed?.message, options).toContain(message);
      // The kind and length of the bad option are not shown; what came before is.
      expect(values(d, 'tcp.option_len'), options).toEqual([]);
      expect(first(d, 'tcp.options.mss_val'), options).toBe('');
      expect(d.tcp, options).not.toBeNull();
    }
    expect(values(decodePacket(segment('01 08 0a 00'), 'tcp'), 'tcp.option_kind')).toEqual(['1']);
  });

  it('options of a known kind with another length show kind and length, and the next option follows', () => {
    // 02 03 05 (MSS of 3 bytes) | 01 (NOP)
    const d = decodePacket(segment('02 03 05 01'), 'tcp');
    expect(values(d, 'tcp.option_kind')).toEqual(['2', '1']);
    expect(first(d, 'tcp.options.mss_val')).toBe('');
    expect(d.malformed).toBeNull();
    expect(d.tcp?.options.mss).toBeNull();
  });

  it('unknown kinds keep their bytes; EOL is followed by zeros only', () => {
    // 63 04 ab cd (kind 99) | 00 (EOL) 00 00 00
    const unknown = decodePacket(segment('63 04 ab cd 00 00 00 00'), 'tcp');
    expect(values(unknown, 'tcp.option_kind')).toEqual(['99', '0', '0', '0', '0']);
    expect(first(unknown, 'tcp.options.unknown')).toBe('6304abcd');
    expect(first(unknown, 'tcp.options.unknown.payload')).toBe('abcd');
    // 00 01 02 03: non-zero padding after EOL ends the list (Wireshark: "Non-zero header padding").
    const padding = decodePacket(segment('00 01 02 03'), 'tcp');
    expect(values(padding, 'tcp.option_kind')).toEqual(['0']);
    expect(padding.malformed).toBeNull();
  });

  it('window scale above 14 keeps its shift and multiplies by 2^14; experiments and MPTCP', () => {
    const d = decodePacket(segment('03 03 0f 01 fe 08 12 34 aa bb cc dd 1e 04 00 00'), 'tcp');
    expect(first(d, 'tcp.options.wscale.shift')).toBe('15');
    expect(first(d, 'tcp.options.wscale.multiplier')).toBe('16384');
    expect(first(d, 'tcp.options.experimental.exid')).toBe('0x1234');
    expect(first(d, 'tcp.options.experimental.data')).toBe('aabbccdd');
    expect(values(d, 'tcp.option_kind')).toEqual(['3', '1', '254', '30']);
    expect(d.protocols).toEqual(['tcp', 'mptcp']);
  });

  it('payload: RST text is the reset cause; other payloads are data', () => {
    // RST+ACK with "BIG" (42 49 47)
    const rst = decodePacket(segment('', 0x014, '42 49 47'), 'tcp');
    expect(first(rst, 'tcp.reset_cause')).toBe('BIG');
    expect(first(rst, 'tcp.payload')).toBe('');
    expect(rst.protocols).toEqual(['tcp']);
    // 40000 -> 40001: ports no Wireshark dissector claims (on port 80 its HTTP dissector would wait for more).
    const data = decodePacket(segment('', 0x018, '42 49 47', '9c 40 9c 41'), 'tcp');
    expect(first(data, 'tcp.payload')).toBe('424947');
    expect(data.protocols).toEqual(['tcp', 'data']);
    // Port 5353 is DNS over TCP in Wireshark's table too.
    const { d, at } = ipPacket(segment('', 0x018, '00 01 00', '14 e9 10 00'));
    expect(decodeTcp(d, at)).toMatchObject({ decoder: 'dns-tcp', offset: 40, end: 43 });
  });

  it('never throws on damaged segments (seeded byte flips and cuts of the headers and options)', () => {
    let state = 0x9e3779b9;
    const random = (limit: number): number => {
      // xorshift32: reproducible from its seed.
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) % limit;
    };
    for (const original of [SYN, DNS_QUERY, CUT_OPTIONS, SACK].map(hex)) {
      for (let round = 0; round < 500; round++) {
        const packet = original.slice(0, original.length - random(12));
        // Damage the TCP header and options only, so the IP header still hands the segment over.
        for (let flips = random(4) + 1; flips > 0; flips--) packet[20 + random(Math.min(40, packet.length - 20))] = random(256);
        expect(() => decodePacket(packet, 'tcp', { originalLength: original.length })).not.toThrow();
      }
    }
  });

  it('embedded in an ICMP error: header fields only, no repr, no verification', () => {
    const d = decodePacket(hex(DNS_QUERY), 'tcp', { embedded: true });
    expect(first(d, 'tcp.seq_raw')).toBe('603899917');
    expect(first(d, 'tcp.checksum.status')).toBe('2');
    expect(d.tcp).toBeNull();
  });
});
