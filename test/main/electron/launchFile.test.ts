import { describe, expect, it } from 'vitest';
import { captureFromArgv } from '../../../main/electron/launchFile';

describe('captureFromArgv', () => {
  it('takes the file after the app folder of an unpackaged run, relative to the working directory', () => {
    expect(captureFromArgv(['/usr/lib/electron', '.', 'samples/handshake-dns.pcapng'], false, '/work/app')).toBe(
      '/work/app/samples/handshake-dns.pcapng',
    );
  });

  it('takes the file after the executable of a packaged app (file association)', () => {
    expect(captureFromArgv(['/opt/Wirelens/wirelens', '/home/me/trace.pcap'], true, '/')).toBe('/home/me/trace.pcap');
  });

  it('skips switches Chromium or the OS add', () => {
    expect(captureFromArgv(['/opt/Wirelens/wirelens', '--no-sandbox', '/tmp/x.cap', '--enable-logging'], true, '/')).toBe('/tmp/x.cap');
  });

  it('has no file when none was given', () => {
    expect(captureFromArgv(['/usr/lib/electron', '.'], false, '/')).toBeNull();
    expect(captureFromArgv(['/opt/Wirelens/wirelens', '--flag'], true, '/')).toBeNull();
  });
});
