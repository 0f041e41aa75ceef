import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeWire, type WireResponse } from '../../../app/api/wire';
import { startBridge, type RunningBridge } from '../../../main/bridge/server';
import { HELPER_ENV } from '../../../main/live/helper';
import { liveWorkerScript } from '../service/liveWorker';

/*
 * The live-capture methods over the bridge's HTTP API: validated like every request, and a machine
 * where the helper may not capture answered with the per-OS help rather than an error. The helper is a
 * script named dumpcap that fails as dumpcap does without permission.
 */

describe('web bridge: live capture requests', () => {
  let bridge: RunningBridge;
  let scratch: string;
  const savedHelper = process.env[HELPER_ENV];
  let api: (method: string, params: unknown) => Promise<WireResponse>;

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'wirelens-bridge-live-'));
    const helperDir = join(scratch, 'helper');
    mkdirSync(helperDir);
    const script = join(helperDir, 'dumpcap');
    writeFileSync(script, "#!/bin/sh\necho 'dumpcap: You do not have permission to capture on that device' >&2\necho '(socket: Operation not permitted)' >&2\nexit 1\n");
    chmodSync(script, 0o755);
    process.env[HELPER_ENV] = script;
    const rendererDir = join(scratch, 'renderer');
    mkdirSync(rendererDir);
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>test</title>');
    bridge = await startBridge({ rendererDir, workerScript: await liveWorkerScript(), liveDirectory: join(scratch, 'live'), log: () => undefined });
    api = async (method, params) => {
      const response = await fetch(`http://127.0.0.1:${bridge.port}/api/call`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Wirelens-Token': bridge.token },
        body: JSON.stringify({ method, params }),
      });
      return decodeWire(await response.text()) as WireResponse;
    };
  });
  afterAll(async () => {
    await bridge.close();
    if (savedHelper === undefined) delete process.env[HELPER_ENV];
    else process.env[HELPER_ENV] = savedHelper;
    rmSync(scratch, { recursive: true, force: true });
  });

  it('answers live.interfaces with the permission help when the helper may not capture', async () => {
    const response = await api('live.interfaces', {});
    expect(response.ok).toBe(true);
    if (!response.ok) return;
    const result = response.result as { available: boolean; help: { problem: string; steps: string[]; alternative: string } };
    expect(result.available).toBe(false);
    expect(result.help.problem).toBe('no-permission');
    expect(result.help.steps.join(' ')).toMatch(/wireshark/);
    expect(result.help.alternative).toMatch(/open a saved capture/i);
  });

  it('starts nothing and says why when the helper may not capture', async () => {
    const response = await api('live.start', { iface: 'eth0', filter: '', snaplen: 65535, stop: { seconds: 1 } });
    expect(response).toMatchObject({ ok: true, result: { started: false, help: { problem: 'no-permission' } } });
    expect(await api('capture.list', {})).toEqual({ ok: true, result: [] });
  });

  it('says a filter could not be checked (rather than that it is wrong) when the helper may not capture', async () => {
    const response = await api('live.checkFilter', { iface: 'eth0', filter: 'tcp port 80' });
    expect(response.ok).toBe(true);
    if (!response.ok) return;
    expect(response.result).toEqual({ valid: null, message: expect.stringMatching(/^The filter could not be checked: dumpcap .* is not allowed to capture/) as unknown });
  });

  it('refuses malformed live requests before running anything', async () => {
    for (const [method, params] of [
      ['live.start', { iface: 'eth0', filter: '', snaplen: '65535', stop: {} }],
      ['live.start', { iface: '--help', filter: '', snaplen: 65535, stop: {} }],
      ['live.checkFilter', { iface: 'eth0', filter: 42 }],
      ['live.save', { id: 'c1', path: '', format: 'pcapng' }],
      ['live.recover', { key: '..' }],
    ] as const) {
      const response = await api(method, params);
      expect(response.ok, `${method} ${JSON.stringify(params)}`).toBe(false);
      if (!response.ok) expect(response.error.code).toBe('bad-request');
    }
  });

  it('lists no recoverable capture in an empty live directory, and says so for an unknown key', async () => {
    expect(await api('live.recoverable', {})).toEqual({ ok: true, result: [] });
    expect(await api('live.discardRecovered', { key: 'capture-20260101T000000-1-abcdef' })).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });
});
