import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RecentFiles } from '../../../main/electron/recentFiles';

describe('RecentFiles', () => {
  const dirs: string[] = [];
  const dir = () => {
    const d = mkdtempSync(join(tmpdir(), 'wirelens-recent-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('starts empty (the first start) and keeps the newest first, without duplicates', async () => {
    const d = dir();
    const recent = new RecentFiles(d);
    await recent.load();
    expect(recent.empty).toBe(true);
    await recent.add('/a.pcap');
    await recent.add('/b.pcap');
    await recent.add('/a.pcap');
    expect(recent.list()).toEqual(['/a.pcap', '/b.pcap']);
    const again = new RecentFiles(d);
    await again.load();
    expect(again.list()).toEqual(['/a.pcap', '/b.pcap']);
    expect(JSON.parse(readFileSync(join(d, 'recent-files.json'), 'utf8'))).toEqual(['/a.pcap', '/b.pcap']);
  });

  it('keeps ten', async () => {
    const recent = new RecentFiles(dir());
    for (let i = 0; i < 12; i++) await recent.add(`/${i}.pcap`);
    expect(recent.list()).toHaveLength(10);
    expect(recent.list()[0]).toBe('/11.pcap');
  });

  it('reads a damaged list as empty rather than failing to start', async () => {
    const d = dir();
    writeFileSync(join(d, 'recent-files.json'), '{"not": "a list"');
    const recent = new RecentFiles(d);
    await recent.load();
    expect(recent.list()).toEqual([]);
    writeFileSync(join(d, 'recent-files.json'), '["/ok.pcap", 7, null]');
    await recent.load();
    expect(recent.list()).toEqual(['/ok.pcap']);
  });
});
