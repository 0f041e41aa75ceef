import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent, type FormEvent } from 'react';
import type { ShellCommand } from '../app/api/channels';
import type { CaptureInfo, CaptureProgress, CaptureStatus, DetailNode, DisplayedFrames, FilterIndexStatus, FilterProgress, FrameDetail } from '../app/api/types';
import { ConversationsView } from './ConversationsView';
import { DetailsTree } from './DetailsTree';
import { DnsView } from './DnsView';
import { FilterBar } from './FilterBar';
import { laterFilterIndex } from './filterIndex';
import { message } from './format';
import { HexView } from './HexView';
import { LiveCapture } from './LiveCapture';
import { PacketList, type TimeMode } from './PacketList';
import { RowCache } from './rowCache';
import { StatusBar } from './StatusBar';
import { StreamView } from './StreamView';
import type { Transport } from './transport';

/** Status requests while loading, at most this often (progress events come every 100 ms). */
const STATUS_INTERVAL_MS = 1000;

type View = 'packets' | 'conversations' | 'dns' | 'stream';

/** The 1-based position of frame `number` among the displayed frames (ascending), or null when it is not among them. */
function displayedPosition(frames: Uint32Array, number: number): number | null {
  let low = 0;
  let high = frames.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (frames[middle] === number) return middle + 1;
    if (frames[middle] < number) low = middle + 1;
    else high = middle - 1;
  }
  return null;
}

/** The deepest field whose bytes cover `offset` of `source`: what a click in the hex view selects. */
function fieldAt(nodes: readonly DetailNode[], source: number, offset: number): DetailNode | null {
  let best: DetailNode | null = null;
  for (const node of nodes) {
    if (node.source === source && node.length > 0 && offset >= node.offset && offset < node.offset + node.length) {
      if (!best || node.length <= best.length) best = node;
    }
    const below = fieldAt(node.children, source, offset);
    if (below && (!best || below.length <= best.length)) best = below;
  }
  return best;
}

export function App({ transport }: { transport: Transport }) {
  const [capture, setCapture] = useState<CaptureInfo | null>(null);
  const [progress, setProgress] = useState<CaptureProgress | null>(null);
  const [status, setStatus] = useState<CaptureStatus | null>(null);
  const [total, setTotal] = useState(0);
  const [version, setVersion] = useState(0);
  const [selected, setSelected] = useState<number | null>(null);
  const [detail, setDetail] = useState<FrameDetail | null>(null);
  const [field, setField] = useState<DetailNode | null>(null);
  const [hexSource, setHexSource] = useState(0);
  const [timeMode, setTimeMode] = useState<TimeMode>('relative');
  const [error, setError] = useState<string | null>(null);
  const [findOpen, setFindOpen] = useState(false);
  const [findText, setFindText] = useState('');
  const [openPath, setOpenPath] = useState('');
  const [view, setView] = useState<View>('packets');
  /** Views shown at least once for this capture stay mounted (their data and scroll position are kept). */
  const [visited, setVisited] = useState<ReadonlySet<View>>(() => new Set(['packets']));
  const [stream, setStream] = useState<number | null>(null);
  /** The applied display filter's frames (null: every frame shown), and the progress of one being applied. */
  const [displayed, setDisplayed] = useState<DisplayedFrames | null>(null);
  const [filterProgress, setFilterProgress] = useState<FilterProgress | null>(null);
  const [filterIndex, setFilterIndex] = useState<FilterIndexStatus | null>(null);
  const pendingFilter = useRef('');
  const captureRef = useRef<CaptureInfo | null>(null);
  const findInput = useRef<HTMLInputElement>(null);
  const pathInput = useRef<HTMLInputElement>(null);
  const lastStatus = useRef(0);

  const rows = useMemo(
    () => (capture ? new RowCache(transport, capture.id, () => setVersion((v) => v + 1), (text) => setError(text), displayed?.filter ?? null) : null),
    [transport, capture, displayed],
  );
  useEffect(() => () => rows?.dispose(), [rows]);

  const refreshStatus = useCallback(
    (id: string) => {
      lastStatus.current = Date.now();
      transport.call('capture.status', { id }).then(
        (s) => {
          if (captureRef.current?.id !== id) return;
          setStatus(s);
          // Progress events sent before this client subscribed are summed up in the status.
          setProgress(s.progress);
          setFilterIndex((known) => laterFilterIndex(known, s.filterIndex));
          setTotal((old) => Math.max(old, s.frames));
          if (s.problem) setError(s.frames > 0 ? `${s.problem} The ${s.frames.toLocaleString('en-US')} frames before that point are shown.` : s.problem);
        },
        (e: unknown) => setError(message(e)),
      );
    },
    [transport],
  );

  const show = useCallback(
    (info: CaptureInfo | null) => {
      const previous = captureRef.current;
      if (previous && info && previous.id !== info.id) void transport.call('capture.close', { id: previous.id }).catch(() => undefined);
      captureRef.current = info;
      setCapture(info);
      setProgress(null);
      setStatus(null);
      setTotal(0);
      setSelected(null);
      setDetail(null);
      setField(null);
      setError(null);
      setView('packets');
      setVisited(new Set(['packets']));
      setStream(null);
      setDisplayed(null);
      setFilterProgress(null);
      setFilterIndex(null);
      pendingFilter.current = '';
      document.title = info ? `${info.name} — Wirelens` : 'Wirelens';
      if (info) refreshStatus(info.id);
    },
    [transport, refreshStatus],
  );

  // Service events: opened captures replace the shown one; progress grows the list.
  useEffect(() => {
    const unsubscribe = transport.subscribe((event) => {
      const current = captureRef.current;
      switch (event.type) {
        case 'capture.opened':
          if (current?.id !== event.payload.id) show(event.payload);
          break;
        case 'capture.progress':
          if (current?.id !== event.payload.id) break;
          setProgress(event.payload);
          setTotal((old) => Math.max(old, event.payload.framesRead));
          if (event.payload.state !== 'loading' || Date.now() - lastStatus.current > STATUS_INTERVAL_MS) refreshStatus(current.id);
          break;
        case 'capture.closed':
          if (current?.id === event.payload.id) show(null);
          break;
        case 'capture.failed':
          setError(event.payload.message);
          break;
        case 'frames.filterProgress':
          if (current?.id === event.payload.id && pendingFilter.current === event.payload.filter) setFilterProgress(event.payload);
          break;
        case 'capture.filterIndex': {
          const reported = event.payload.filterIndex;
          if (current?.id === event.payload.id) setFilterIndex((known) => laterFilterIndex(known, reported));
          break;
        }
      }
    });
    transport.call('capture.list', {}).then(
      (list) => {
        const last = list[list.length - 1];
        if (last && !captureRef.current) show(last);
      },
      (e: unknown) => setError(message(e)),
    );
    return unsubscribe;
  }, [transport, show, refreshStatus]);

  const listTotal = displayed ? displayed.frames.length : total;
  useEffect(() => {
    if (rows) rows.setTotal(listTotal);
  }, [rows, listTotal]);

  // A newer filter supersedes one still running (the service answers the older with 'cancelled').
  const applyFilter = useCallback(
    (filter: string) => {
      const id = captureRef.current?.id;
      if (!id) return;
      pendingFilter.current = filter;
      setFilterProgress(filter ? { id, filter, scanned: 0, total, matched: 0 } : null);
      transport.call('frames.filter', { id, filter }).then(
        (result) => {
          if (captureRef.current?.id !== id || pendingFilter.current !== filter) return;
          setFilterProgress(null);
          setDisplayed(filter ? result : null);
        },
        (e: unknown) => {
          if (captureRef.current?.id !== id || pendingFilter.current !== filter) return;
          setFilterProgress(null);
          setError(message(e));
        },
      );
    },
    [transport, total],
  );

  // The selected frame's details.
  useEffect(() => {
    if (!capture || selected === null) return;
    let current = true;
    transport.call('frame.detail', { id: capture.id, number: selected }).then(
      (d) => {
        if (!current) return;
        setDetail(d);
        setField(null);
        setHexSource(0);
      },
      (e: unknown) => current && setError(message(e)),
    );
    return () => {
      current = false;
    };
  }, [transport, capture, selected]);

  const openFile = useCallback(
    (path: string) => {
      setError(null);
      transport.call('capture.open', { path }).catch((e: unknown) => setError(message(e)));
    },
    [transport],
  );

  const find = useCallback(
    (backwards: boolean) => {
      const text = findText.trim();
      if (!capture || !text) return;
      const from = selected === null ? (backwards ? Math.max(total, 1) : 1) : backwards ? Math.max(1, selected - 1) : selected + 1;
      transport.call('frames.find', { id: capture.id, text, from, backwards }).then(
        (result) => {
          if (result.number === null) setError(`No packet ${backwards ? 'before' : 'after'} this one contains “${text}”.`);
          else {
            setError(null);
            setSelected(result.number);
          }
        },
        (e: unknown) => setError(message(e)),
      );
    },
    [transport, capture, selected, total, findText],
  );

  const showView = useCallback((next: View) => {
    setView(next);
    setVisited((old) => (old.has(next) ? old : new Set([...old, next])));
  }, []);

  const openStream = useCallback(
    (n: number) => {
      setStream(n);
      showView('stream');
    },
    [showView],
  );

  const goToFrame = useCallback(
    (n: number) => {
      setSelected(n);
      showView('packets');
    },
    [showView],
  );

  const command = useCallback(
    (name: ShellCommand) => {
      switch (name) {
        case 'find':
          setFindOpen(true);
          setTimeout(() => findInput.current?.focus(), 0);
          break;
        case 'find-next':
          find(false);
          break;
        case 'find-previous':
          find(true);
          break;
        // With a display filter, the first and last of the frames it shows.
        case 'go-to-first':
          if (displayed) setSelected(displayed.frames.length > 0 ? displayed.frames[0] : null);
          else if (total > 0) setSelected(1);
          break;
        case 'go-to-last':
          if (displayed) setSelected(displayed.frames.length > 0 ? displayed.frames[displayed.frames.length - 1] : null);
          else if (total > 0) setSelected(total);
          break;
        case 'show-packets':
          showView('packets');
          break;
        case 'show-conversations':
          showView('conversations');
          break;
        case 'show-dns':
          showView('dns');
          break;
        case 'follow-tcp-stream':
          if (detail?.tcpStream != null) openStream(detail.tcpStream);
          else setError('Select a TCP packet first: Follow TCP Stream follows the stream of the selected packet.');
          break;
      }
    },
    [find, total, displayed, showView, openStream, detail],
  );

  useEffect(() => transport.onShellCommand(command), [transport, command]);

  // In the browser there is no menu: the same shortcuts as the desktop menu's accelerators.
  useEffect(() => {
    if (transport.kind !== 'web') return;
    const onKey = (event: KeyboardEvent) => {
      const mod = event.ctrlKey || event.metaKey;
      let name: ShellCommand | null = null;
      if (mod && event.key.toLowerCase() === 'f') name = 'find';
      else if ((mod && event.key.toLowerCase() === 'g') || event.key === 'F3') name = event.shiftKey ? 'find-previous' : 'find-next';
      else if (mod && event.key === 'Home') name = 'go-to-first';
      else if (mod && event.key === 'End') name = 'go-to-last';
      else if (mod && event.altKey && event.shiftKey && event.key.toLowerCase() === 't') name = 'follow-tcp-stream';
      else if (mod && event.key.toLowerCase() === 'o') {
        event.preventDefault();
        pathInput.current?.focus();
        return;
      }
      if (name) {
        event.preventDefault();
        command(name);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [transport, command]);

  // Copy with nothing selected as text copies the selected packet's summary line.
  useEffect(() => {
    const onCopy = (event: ClipboardEvent) => {
      if (window.getSelection()?.toString() || selected === null || !rows) return;
      const row = rows.get(selected);
      if (!row || !event.clipboardData) return;
      const time = timeMode === 'relative' ? row.timeRelative : timeMode === 'absolute' ? row.timeAbsolute : row.timeDelta;
      const text = field ? field.label : [row.number, time, row.source, row.destination, row.protocol, row.length, row.info].join('\t');
      event.clipboardData.setData('text/plain', text);
      event.preventDefault();
    };
    document.addEventListener('copy', onCopy);
    return () => document.removeEventListener('copy', onCopy);
  }, [rows, selected, field, timeMode]);

  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    const file = event.dataTransfer.files[0];
    if (!file) return;
    const path = transport.pathForFile?.(file) ?? '';
    if (path) openFile(path);
    else setError(`The browser does not reveal where ${file.name} is stored: type its path in the Open box instead.`);
  };

  const selectField = (node: DetailNode) => {
    setField(node);
    if (node.length > 0) setHexSource(node.source);
  };

  const loadingDone = progress !== null && progress.state !== 'loading';

  const highlight = field && field.length > 0 && field.source === hexSource ? { start: field.offset, end: field.offset + field.length } : null;

  return (
    <div className="app" onDragOver={(e) => e.preventDefault()} onDrop={onDrop}>
      <header className="toolbar">
        {transport.kind === 'desktop' ? (
          <button onClick={() => void transport.openDialog?.()}>Open…</button>
        ) : (
          <form
            className="open-form"
            onSubmit={(e: FormEvent) => {
              e.preventDefault();
              if (openPath.trim()) openFile(openPath.trim());
            }}
          >
            <input
              ref={pathInput}
              aria-label="Capture file path"
              placeholder="Path of a capture file on this machine"
              value={openPath}
              onChange={(e) => setOpenPath(e.target.value)}
            />
            <button type="submit">Open</button>
          </form>
        )}
        {findOpen && (
          <form
            className="find-form"
            onSubmit={(e: FormEvent) => {
              e.preventDefault();
              find(false);
            }}
          >
            <input
              ref={findInput}
              aria-label="Find packet"
              placeholder="Find text in Source, Destination, Protocol, Info"
              value={findText}
              onChange={(e) => setFindText(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Escape') setFindOpen(false);
                if (e.key === 'Enter' && e.shiftKey) {
                  e.preventDefault();
                  find(true);
                }
              }}
            />
            <button type="button" onClick={() => find(true)}>
              Previous
            </button>
            <button type="submit">Next</button>
            <button type="button" onClick={() => setFindOpen(false)} aria-label="Close find">
              ×
            </button>
          </form>
        )}
        <LiveCapture
          transport={transport}
          onOpenFile={() => {
            if (transport.kind === 'desktop') void transport.openDialog?.();
            else pathInput.current?.focus();
          }}
        />
        <span className="title">{capture ? capture.path : 'Wirelens'}</span>
      </header>
      {error && (
        <div className="error" role="alert">
          <span>{error}</span>
          <button onClick={() => setError(null)} aria-label="Dismiss">
            ×
          </button>
        </div>
      )}
      {capture && rows ? (
        <>
          <nav className="view-tabs" role="tablist" aria-label="Views">
            {(
              [
                ['packets', 'Packets'],
                ['conversations', 'Conversations'],
                ['dns', 'DNS'],
              ] as const
            ).map(([name, label]) => (
              <button key={name} type="button" role="tab" aria-selected={view === name} className={view === name ? 'active' : ''} onClick={() => showView(name)}>
                {label}
              </button>
            ))}
            {stream !== null ? (
              <span className={`stream-tab${view === 'stream' ? ' active' : ''}`}>
                <button type="button" role="tab" aria-selected={view === 'stream'} onClick={() => showView('stream')}>
                  TCP stream {stream}
                </button>
                <button
                  type="button"
                  aria-label="Close the stream"
                  onClick={() => {
                    setStream(null);
                    if (view === 'stream') showView('packets');
                  }}
                >
                  ×
                </button>
              </span>
            ) : null}
            <button
              type="button"
              className="follow-button"
              disabled={detail?.tcpStream == null}
              title={detail?.tcpStream == null ? 'Select a TCP packet to follow its stream' : `Follow TCP stream ${detail.tcpStream} of packet ${detail.number}`}
              onClick={() => detail?.tcpStream != null && openStream(detail.tcpStream)}
            >
              Follow TCP stream
            </button>
          </nav>
          {view === 'packets' ? (
            <FilterBar key={capture.id} transport={transport} applied={displayed?.filter ?? ''} progress={filterProgress} onApply={applyFilter} />
          ) : null}
          <main className="panes" hidden={view !== 'packets'}>
            <PacketList
              key={`${capture.id}\u0000${displayed?.filter ?? ''}`}
              rows={rows}
              total={listTotal}
              version={version}
              selected={displayed && selected !== null ? displayedPosition(displayed.frames, selected) : selected}
              onSelect={(n) => setSelected(displayed ? displayed.frames[n - 1] : n)}
              timeMode={timeMode}
              onTimeMode={setTimeMode}
              follow={capture.live && progress?.state === 'loading' && selected === null}
            />
            <div className="lower">
              {detail ? (
                <DetailsTree tree={detail.tree} selected={field} onSelect={selectField} />
              ) : (
                <div className="details empty">Select a packet to see its fields.</div>
              )}
              {detail ? (
                <HexView
                  sources={detail.sources}
                  sourceIndex={hexSource}
                  onSource={setHexSource}
                  highlight={highlight}
                  onByte={(source, offset) => {
                    const node = fieldAt(detail.tree, source, offset);
                    if (node) setField(node);
                  }}
                />
              ) : (
                <div className="hex-pane empty" />
              )}
            </div>
          </main>
          {visited.has('conversations') ? (
            <main className="view-pane" hidden={view !== 'conversations'}>
              <ConversationsView transport={transport} captureId={capture.id} complete={loadingDone} onOpenStream={openStream} />
            </main>
          ) : null}
          {visited.has('dns') ? (
            <main className="view-pane" hidden={view !== 'dns'}>
              <DnsView transport={transport} captureId={capture.id} complete={loadingDone} frames={total} onGoToFrame={goToFrame} />
            </main>
          ) : null}
          {stream !== null && visited.has('stream') ? (
            <main className="view-pane" hidden={view !== 'stream'}>
              <StreamView transport={transport} captureId={capture.id} captureName={capture.name} stream={stream} onGoToFrame={goToFrame} />
            </main>
          ) : null}
        </>
      ) : (
        <main className="welcome">
          <h1>Wirelens</h1>
          <p>
            {transport.kind === 'desktop'
              ? 'Open a pcap or pcapng file (File › Open, or drop it here).'
              : 'Type the path of a pcap or pcapng file on this machine above and press Open.'}
          </p>
        </main>
      )}
      <StatusBar status={status} progress={progress} field={field} displayed={displayed ? displayed.frames.length : null} filterIndex={filterIndex} />
    </div>
  );
}
