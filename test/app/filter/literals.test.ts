import { describe, expect, it } from 'vitest';
import { parseAbsoluteTime, parseBytes, parseEther, parseFloatLiteral, parseInteger, parseIpv4, parseIpv6, parseSeconds } from '../../../app/filter/literals';

const bytes = (...values: number[]) => Uint8Array.from(values);

describe('literals', () => {
  it('integers: decimal, 0x hex, leading-0 octal, 0b binary (strtoull base 0)', () => {
    expect(parseInteger('80')).toBe(80n);
    expect(parseInteger('0')).toBe(0n);
    expect(parseInteger('0x50')).toBe(80n);
    expect(parseInteger('0X5a')).toBe(90n);
    expect(parseInteger('0120')).toBe(80n);
    expect(parseInteger('0b1010000')).toBe(80n);
    expect(parseInteger('18446744073709551615')).toBe(2n ** 64n - 1n);
  });

  it.each(['08', '09', '0b2', '1_000', '80.5', '0x', '-1', 'A', ''])('not an integer: %s', (text) => {
    expect(parseInteger(text)).toBeNull();
  });

  it('floats and seconds', () => {
    expect(parseFloatLiteral('1.5e3')).toBe(1500);
    expect(parseFloatLiteral('.5')).toBeNull();
    expect(parseSeconds('1367526033.491822')).toEqual({ seconds: 1367526033, nanos: 491822000 });
    expect(parseSeconds('0.000000001')).toEqual({ seconds: 0, nanos: 1 });
    expect(parseSeconds('2')).toEqual({ seconds: 2, nanos: 0 });
    expect(parseSeconds('1e0')).toBeNull();
    expect(parseSeconds('0x1')).toBeNull();
    expect(parseSeconds('1.0000000001')).toBeNull();
  });

  it('absolute times: both of tshark\'s formats, UTC with Z', () => {
    const first = { seconds: 1367526033, nanos: 491822000 };
    expect(parseAbsoluteTime('2013-05-02T20:20:33.491822Z')).toEqual(first);
    expect(parseAbsoluteTime('2013-05-02 20:20:33.491822 UTC')).toEqual(first);
    // Local time without Z: compare with what Date makes of the same wall clock.
    const local = new Date(2013, 4, 2, 20, 20, 33).getTime() / 1000;
    expect(parseAbsoluteTime('May  2, 2013 20:20:33.491822000')).toEqual({ seconds: local, nanos: 491822000 });
    expect(parseAbsoluteTime('2013-05-02 20:20:33.491822')).toEqual({ seconds: local, nanos: 491822000 });
    expect(parseAbsoluteTime('2013-05-02')).toEqual({ seconds: new Date(2013, 4, 2).getTime() / 1000, nanos: 0 });
    expect(parseAbsoluteTime('Foo 2, 2013 00:00:00')).toBeNull();
    expect(parseAbsoluteTime('1000')).toBeNull();
    expect(parseAbsoluteTime('2013-13-02')).toBeNull();
  });

  it('byte strings: separated pairs, runs of digits, a lone digit, a leading colon', () => {
    expect(parseBytes('00:11:22')).toEqual(bytes(0x00, 0x11, 0x22));
    expect(parseBytes('00-11-22')).toEqual(bytes(0x00, 0x11, 0x22));
    expect(parseBytes('00.11.22')).toEqual(bytes(0x00, 0x11, 0x22));
    expect(parseBytes('001122')).toEqual(bytes(0x00, 0x11, 0x22));
    expect(parseBytes('8')).toEqual(bytes(0x08));
    expect(parseBytes('256')).toEqual(bytes(0x25, 0x06));
    expect(parseBytes(':08:00')).toEqual(bytes(0x08, 0x00));
    expect(parseBytes('08:0:27')).toBeNull();
    expect(parseBytes('08:00-27')).toBeNull();
    expect(parseBytes('0x0800')).toBeNull();
    expect(parseBytes('xyz')).toBeNull();
  });

  it('MAC addresses', () => {
    const mac = bytes(0x08, 0x00, 0x27, 0x19, 0x1c, 0x78);
    expect(parseEther('08:00:27:19:1c:78')).toEqual(mac);
    expect(parseEther('08-00-27-19-1C-78')).toEqual(mac);
    expect(parseEther('08.00.27.19.1c.78')).toEqual(mac);
    expect(parseEther('0800.2719.1c78')).toEqual(mac);
    expect(parseEther('080027191c78')).toEqual(mac);
    expect(parseEther('08:00:27:19:1c')).toBe('short');
    expect(parseEther('08:00:27:19:1c:78:00')).toBe('long');
    expect(parseEther('host')).toBeNull();
  });

  it('IPv4 with optional CIDR prefix', () => {
    expect(parseIpv4('10.0.0.6')).toEqual({ bytes: bytes(10, 0, 0, 6), prefix: 32 });
    expect(parseIpv4('10.0.0.0/8')).toEqual({ bytes: bytes(10, 0, 0, 0), prefix: 8 });
    expect(parseIpv4('10.0.0.0/33')).toBe('prefix');
    expect(parseIpv4('300.1.1.1')).toBeNull();
    expect(parseIpv4('1')).toBeNull();
    expect(parseIpv4('10.0.0')).toBeNull();
  });

  it('IPv6 text forms with optional prefix', () => {
    const v6 = (text: string) => {
      const parsed = parseIpv6(text);
      return parsed && parsed !== 'prefix' ? [Array.from(parsed.bytes, (b) => b.toString(16).padStart(2, '0')).join(''), parsed.prefix] : parsed;
    };
    expect(v6('2001:db8::1')).toEqual(['20010db8000000000000000000000001', 128]);
    expect(v6('::')).toEqual(['00000000000000000000000000000000', 128]);
    expect(v6('::1')).toEqual(['00000000000000000000000000000001', 128]);
    expect(v6('fe80::/10')).toEqual(['fe800000000000000000000000000000', 10]);
    expect(v6('::ffff:10.0.0.1')).toEqual(['00000000000000000000ffff0a000001', 128]);
    expect(v6('1:2:3:4:5:6:7:8')).toEqual(['00010002000300040005000600070008', 128]);
    expect(v6('2001:db8::/129')).toBe('prefix');
    expect(v6('1:2:3:4:5:6:7:8:9')).toBeNull();
    expect(v6('1::2::3')).toBeNull();
    expect(v6('12345::')).toBeNull();
    expect(v6('10.0.0.1')).toBeNull();
  });
});
