import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import type { CaptureSetupHelp, LiveInterface, LiveInterfaces, LiveProgress, LiveStopConditions, RecoverableLiveCapture } from '../app/api/types';
import { message } from './format';
import type { Transport } from './transport';

/*
 * Live capture: the Capture dialog (interfaces, capture filter checked by the helper, snapshot length, stop
 * conditions), the capture bar while capturing (counts, rate, drops, Stop), Save after the stop, the offer
 * to recover a capture left unsaved by a Wirelens that ended, and the per-OS explanation when capturing is
 * not possible here. The capture itself is shown by the App like any open capture: the service announces
 * it with capture.opened and grows it with capture.progress.
 */

/** dumpcap's default snapshot length (WTAP_MAX_PACKET_SIZE_STANDARD). */
const DEFAULT_SNAPLEN = 262144;
/** The filter is checked this long after the last keystroke. */
const FILTER_CHECK_DELAY_MS = 400;

type FilterVerdict = { state: 'unchecked' | 'checking' | 'valid' } | { state: 'invalid' | 'unknown'; message: string };

interface Props {
  transport: Transport;
  /** Shows how to open a saved capture instead (the Open dialog, or the path box in a browser). */
  onOpenFile(): void;
}

/** True for Ctrl+E (Cmd+E): Wireshark's Start/Stop capture. */
function isCaptureShortcut(event: KeyboardEvent): boolean {
  return (event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey && event.key.toLowerCase() === 'e';
}

function interfaceState(i: LiveInterface): string {
  if (i.up === null) return 'unknown';
  if (!i.up) return 'down';
  return i.running === false ? 'up, no link' : 'up';
}

function size(bytes: number): string {
  return bytes < 1e6 ? `${(bytes / 1e3).toFixed(1)} kB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

const STOP_REASONS: Readonly<Record<NonNullable<LiveProgress['stopReason']>, string>> = {
  user: 'stopped',
  packets: 'packet limit reached',
  seconds: 'time limit reached',
  bytes: 'size limit reached',
  'helper-exit': 'the capture helper ended',
  'stream-problem': 'the capture stream was damaged',
};

function optionalNumber(text: string): number | undefined {
  const value = Number(text.trim());
  return text.trim() === '' || !Number.isFinite(value) ? undefined : value;
}

export function LiveCapture({ transport, onOpenFile }: Props) {
  const [dialogOpen, setDialogOpen] = useState(false);
  const [interfaces, setInterfaces] = useState<LiveInterfaces | null>(null);
  const [help, setHelp] = useState<CaptureSetupHelp | null>(null);
  const [iface, setIface] = useState('');
  const [filter, setFilter] = useState('');
  const [verdict, setVerdict] = useState<FilterVerdict>({ state: 'unchecked' });
  const [snaplen, setSnaplen] = useState(String(DEFAULT_SNAPLEN));
  const [stopPackets, setStopPackets] = useState('');
  const [stopSeconds, setStopSeconds] = useState('');
  const [stopMegabytes, setStopMegabytes] = useState('');
  const [starting, setStarting] = useState(false);
  const [dialogError, setDialogError] = useState<string | null>(null);
  /** The capture this client started (or recovered), and its last progress. */
  const [liveId, setLiveId] = useState<string | null>(null);
  const [live, setLive] = useState<LiveProgress | null>(null);
  const [saveId, setSaveId] = useState<string | null>(null);
  const [savePath, setSavePath] = useState('');
  const [saveFormat, setSaveFormat] = useState<'pcap' | 'pcapng'>('pcapng');
  const [saved, setSaved] = useState<string | null>(null);
  const [barError, setBarError] = useState<string | null>(null);
  const [recoverable, setRecoverable] = useState<RecoverableLiveCapture[]>([]);
  const liveIdRef = useRef<string | null>(null);
  const filterChecks = useRef(0);

  // Progress of our capture; a capture closed elsewhere ends the bar.
  useEffect(
    () =>
      transport.subscribe((event) => {
        if (event.type === 'live.progress' && event.payload.id === liveIdRef.current) {
          setLive(event.payload);
          if (event.payload.state === 'stopped' || event.payload.state === 'failed') setSaveId(event.payload.id);
        } else if (event.type === 'capture.closed' && event.payload.id === liveIdRef.current) {
          liveIdRef.current = null;
          setLiveId(null);
          setLive(null);
          setSaveId(null);
        }
      }),
    [transport],
  );

  // On start-up: captures left unsaved by a Wirelens that ended while capturing.
  useEffect(() => {
    transport.call('live.recoverable', {}).then(setRecoverable, () => setRecoverable([]));
  }, [transport]);

  const loadInterfaces = useCallback(() => {
    setInterfaces(null);
    setHelp(null);
    setDialogError(null);
    transport.call('live.interfaces', {}).then(
      (list) => {
        setInterfaces(list);
        if (!list.available) {
          setHelp(list.help);
          return;
        }
        const last = list.lastChoice;
        const known = last && list.interfaces.some((i) => i.name === last.iface);
        setIface((old) => (old && list.interfaces.some((i) => i.name === old) ? old : known ? last.iface : (list.interfaces.find((i) => !i.loopback && i.up !== false)?.name ?? list.interfaces[0]?.name ?? '')));
        if (last && known) setFilter((old) => old || last.filter);
      },
      (e: unknown) => setDialogError(message(e)),
    );
  }, [transport]);

  const openDialog = useCallback(() => {
    setDialogOpen(true);
    loadInterfaces();
  }, [loadInterfaces]);

  /** Resolves true when the filter is valid for the interface (shows the helper's message otherwise). */
  const checkFilter = useCallback(
    async (name: string, expression: string): Promise<boolean> => {
      const check = ++filterChecks.current;
      if (expression.trim() === '' || name === '') {
        setVerdict({ state: expression.trim() === '' ? 'valid' : 'unchecked' });
        return expression.trim() === '';
      }
      setVerdict({ state: 'checking' });
      try {
        const result = await transport.call('live.checkFilter', { iface: name, filter: expression });
        if (check === filterChecks.current) {
          setVerdict(result.valid === true ? { state: 'valid' } : { state: result.valid === null ? 'unknown' : 'invalid', message: result.message });
        }
        // Unchecked for a machine reason: starting shows the explanation of that reason.
        return result.valid !== false;
      } catch (e) {
        if (check === filterChecks.current) setVerdict({ state: 'invalid', message: message(e) });
        return false;
      }
    },
    [transport],
  );

  useEffect(() => {
    if (!dialogOpen || !interfaces?.available) return;
    const timer = setTimeout(() => void checkFilter(iface, filter), FILTER_CHECK_DELAY_MS);
    return () => clearTimeout(timer);
  }, [dialogOpen, interfaces, iface, filter, checkFilter]);

  const start = useCallback(async () => {
    if (starting || !iface) return;
    setDialogError(null);
    setStarting(true);
    try {
      if (!(await checkFilter(iface, filter))) return;
      const stop: LiveStopConditions = {};
      const packets = optionalNumber(stopPackets);
      const seconds = optionalNumber(stopSeconds);
      const megabytes = optionalNumber(stopMegabytes);
      if (packets !== undefined) stop.packets = packets;
      if (seconds !== undefined) stop.seconds = seconds;
      if (megabytes !== undefined) stop.megabytes = megabytes;
      const result = await transport.call('live.start', { iface, filter: filter.trim(), snaplen: optionalNumber(snaplen) ?? DEFAULT_SNAPLEN, stop, ring: null });
      if (!result.started) {
        setHelp(result.help);
        return;
      }
      liveIdRef.current = result.capture.id;
      setLiveId(result.capture.id);
      setLive(null);
      setSaveId(null);
      setSaved(null);
      setBarError(null);
      setDialogOpen(false);
    } catch (e) {
      setDialogError(message(e));
    } finally {
      setStarting(false);
    }
  }, [transport, starting, iface, filter, snaplen, stopPackets, stopSeconds, stopMegabytes, checkFilter]);

  const stop = useCallback(() => {
    const id = liveIdRef.current;
    if (!id) return;
    transport.call('live.stop', { id }).then(
      (final) => {
        setLive(final);
        setSaveId(id);
      },
      (e: unknown) => setBarError(message(e)),
    );
  }, [transport]);

  // A capture that can be saved (stopped, or recovered) is not capturing.
  const capturing = liveId !== null && saveId === null && (live === null || live.state === 'capturing' || live.state === 'stopping');

  /** Ctrl+E: stop a running capture, else open the dialog, or start from it when it is open. */
  const toggle = useCallback(() => {
    if (capturing) stop();
    else if (dialogOpen) void start();
    else openDialog();
  }, [capturing, dialogOpen, stop, start, openDialog]);

  // The desktop menu's accelerator sends the same as a shell command; the browser has no menu.
  useEffect(() => {
    if (transport.kind !== 'web') return;
    const onKey = (event: KeyboardEvent) => {
      if (!isCaptureShortcut(event)) return;
      event.preventDefault();
      toggle();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [transport, toggle]);
  useEffect(() => transport.onShellCommand((command) => command === 'toggle-capture' && toggle()), [transport, toggle]);

  const save = (event: FormEvent) => {
    event.preventDefault();
    const path = savePath.trim();
    if (!saveId || !path) return;
    setBarError(null);
    transport.call('live.save', { id: saveId, path, format: saveFormat }).then(
      (result) => setSaved(`Saved ${result.frames.toLocaleString('en-US')} packets to ${result.path} (${result.format}, ${size(result.bytes)}).`),
      (e: unknown) => setBarError(message(e)),
    );
  };

  const recover = (capture: RecoverableLiveCapture) => {
    transport.call('live.recover', { key: capture.key }).then(
      (info) => {
        setRecoverable((list) => list.filter((c) => c.key !== capture.key));
        liveIdRef.current = info.id;
        setLiveId(info.id);
        setLive(null);
        setSaveId(info.id);
        setSaved(null);
      },
      (e: unknown) => setBarError(message(e)),
    );
  };

  const discardRecovered = (capture: RecoverableLiveCapture) => {
    transport.call('live.discardRecovered', { key: capture.key }).then(
      () => setRecoverable((list) => list.filter((c) => c.key !== capture.key)),
      (e: unknown) => setBarError(message(e)),
    );
  };

  const offered = recoverable[0];
  return (
    <>
      {capturing ? (
        <button type="button" className="capture-stop" onClick={stop} title="Stop the capture (Ctrl+E)">
          ■ Stop
        </button>
      ) : (
        <button type="button" className="capture-open" onClick={openDialog} title="Capture packets from an interface (Ctrl+E)">
          Capture…
        </button>
      )}
      {liveId !== null ? (
        <div className="capture-bar" data-testid="capture-bar" data-state={live?.state ?? (saveId ? 'recovered' : 'capturing')}>
          {live ? (
            <span data-testid="capture-counts">
              {capturing ? `● Capturing on ${live.iface}` : `Capture on ${live.iface} ${STOP_REASONS[live.stopReason ?? 'user']}`} ·{' '}
              <span data-testid="capture-frames">{live.frames.toLocaleString('en-US')}</span> packets
              {capturing ? ` · ${Math.round(live.framesPerSecond).toLocaleString('en-US')} packets/s` : ''} · {size(live.capturedBytes)} ·{' '}
              <span title="Packets the kernel or interface lost before the helper took them (the helper reports them when it stops)">
                dropped {live.drops === null ? '—' : live.drops.toLocaleString('en-US')}
              </span> · {live.elapsedSeconds.toFixed(1)} s
              {live.problem ? ` · ${live.problem}` : ''}
            </span>
          ) : (
            <span>{saveId ? 'Recovered capture' : 'Starting…'}</span>
          )}
          {saveId !== null && !capturing ? (
            <form className="capture-save" onSubmit={save}>
              <input aria-label="Save capture as" placeholder="Path to save the capture to" value={savePath} onChange={(e) => setSavePath(e.target.value)} />
              <select aria-label="Save format" value={saveFormat} onChange={(e) => setSaveFormat(e.target.value === 'pcap' ? 'pcap' : 'pcapng')}>
                <option value="pcapng">pcapng</option>
                <option value="pcap">pcap</option>
              </select>
              <button type="submit" disabled={!savePath.trim()}>
                Save
              </button>
            </form>
          ) : null}
          {saved ? <span data-testid="capture-saved">{saved}</span> : null}
          {barError ? (
            <span className="capture-error" role="alert">
              {barError}
            </span>
          ) : null}
        </div>
      ) : null}
      {offered && liveId === null ? (
        <div className="capture-recover" role="status" data-testid="capture-recover">
          <span>
            An unsaved capture on {offered.iface} from {offered.startedAt.replace('T', ' ').replace(/\..*$/, '')} UTC ({size(offered.bytes)}) was left when Wirelens
            ended.
          </span>
          <button type="button" onClick={() => recover(offered)}>
            Open it
          </button>
          <button type="button" onClick={() => discardRecovered(offered)}>
            Discard
          </button>
        </div>
      ) : null}
      {dialogOpen ? (
        <div className="capture-dialog-backdrop">
          <section className="capture-dialog" role="dialog" aria-label="Capture" aria-modal="true" onKeyDown={(e) => e.key === 'Escape' && setDialogOpen(false)}>
            <h2>Capture packets</h2>
            {help ? (
              <div className="capture-help" data-testid="capture-help">
                <p className="capture-help-title">{help.title}</p>
                <ol>
                  {help.steps.map((step) => (
                    <li key={step}>{step}</li>
                  ))}
                </ol>
                <p>{help.alternative}</p>
                <div className="capture-buttons">
                  <button
                    type="button"
                    onClick={() => {
                      setDialogOpen(false);
                      onOpenFile();
                    }}
                  >
                    Open a capture file instead
                  </button>
                  <button type="button" onClick={loadInterfaces}>
                    Try again
                  </button>
                  <button type="button" onClick={() => setDialogOpen(false)}>
                    Close
                  </button>
                </div>
              </div>
            ) : interfaces === null ? (
              dialogError ? (
                <p role="alert">{dialogError}</p>
              ) : (
                <p>Looking for interfaces…</p>
              )
            ) : interfaces.available ? (
              <form
                onSubmit={(e) => {
                  e.preventDefault();
                  void start();
                }}
              >
                <table className="capture-interfaces" aria-label="Interfaces">
                  <thead>
                    <tr>
                      <th />
                      <th>Interface</th>
                      <th>Name</th>
                      <th>Addresses</th>
                      <th>State</th>
                    </tr>
                  </thead>
                  <tbody>
                    {interfaces.interfaces.map((i) => (
                      <tr key={i.name} data-iface={i.name} className={i.name === iface ? 'selected' : ''} onClick={() => setIface(i.name)}>
                        <td>
                          <input type="radio" name="capture-interface" aria-label={i.name} checked={i.name === iface} onChange={() => setIface(i.name)} />
                        </td>
                        <td>{i.name}</td>
                        <td>{i.friendlyName ?? i.description ?? (i.loopback ? 'Loopback' : '')}</td>
                        <td>{i.addresses.join(', ')}</td>
                        <td className={`iface-${interfaceState(i).replace(/[^a-z]+/g, '-')}`}>{interfaceState(i)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                <label className="capture-field">
                  Capture filter
                  <input
                    aria-label="Capture filter"
                    placeholder="BPF, e.g. tcp port 80 or host 10.0.0.1 (empty: everything)"
                    value={filter}
                    className={verdict.state === 'invalid' ? 'invalid' : verdict.state === 'valid' ? 'valid' : ''}
                    onChange={(e) => setFilter(e.target.value)}
                  />
                </label>
                <p className="capture-filter-verdict" data-testid="filter-verdict" data-state={verdict.state} role={verdict.state === 'invalid' ? 'alert' : undefined}>
                  {verdict.state === 'invalid' || verdict.state === 'unknown' ? verdict.message : verdict.state === 'checking' ? 'Checking…' : verdict.state === 'valid' && filter.trim() ? 'Valid capture filter.' : ' '}
                </p>
                <div className="capture-options">
                  <label>
                    Snapshot length (bytes)
                    <input aria-label="Snapshot length" type="number" min={1} max={DEFAULT_SNAPLEN} value={snaplen} onChange={(e) => setSnaplen(e.target.value)} />
                  </label>
                  <label>
                    Stop after packets
                    <input aria-label="Stop after packets" type="number" min={1} value={stopPackets} onChange={(e) => setStopPackets(e.target.value)} />
                  </label>
                  <label>
                    seconds
                    <input aria-label="Stop after seconds" type="number" min={0} step="any" value={stopSeconds} onChange={(e) => setStopSeconds(e.target.value)} />
                  </label>
                  <label>
                    MB
                    <input aria-label="Stop after megabytes" type="number" min={0} step="any" value={stopMegabytes} onChange={(e) => setStopMegabytes(e.target.value)} />
                  </label>
                </div>
                {dialogError ? <p role="alert">{dialogError}</p> : null}
                <div className="capture-buttons">
                  <button type="submit" className="capture-start" disabled={starting || !iface || verdict.state === 'invalid'} title="Start capturing (Ctrl+E)">
                    {starting ? 'Starting…' : 'Start'}
                  </button>
                  <button type="button" onClick={() => setDialogOpen(false)}>
                    Cancel
                  </button>
                  <span className="capture-helper">Captured by {interfaces.helper}</span>
                </div>
              </form>
            ) : null}
          </section>
        </div>
      ) : null}
    </>
  );
}
