import { useEffect, useMemo, useState } from 'react';
import { streamBytes } from '../app/api/follow';
import type { CaptureId, Endpoint, FollowDirection, SideAnalysis, StreamSide, TcpFollow, TcpStreamAnalysis } from '../app/api/types';
import { byteSize, integer, message, milliseconds } from './format';
import { pieceText, shownPieces, type FollowMode } from './followText';
import { StreamDiagram } from './StreamDiagram';
import { StreamGraphs } from './StreamGraphs';
import type { Transport } from './transport';

function endpointText(endpoint: Endpoint): string {
  return endpoint.address.includes(':') ? `[${endpoint.address}]:${endpoint.port}` : `${endpoint.address}:${endpoint.port}`;
}

/** Offers bytes as a file download (the web bridge; the desktop saves through its Save dialog). */
function download(name: string, bytes: Uint8Array): void {
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has taken the URL by the next task.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

interface Props {
  transport: Transport;
  captureId: CaptureId;
  /** File name of the capture, for saved files' names. */
  captureName: string;
  stream: number;
  onGoToFrame(frame: number): void;
}

type StreamTab = 'content' | 'graphs' | 'diagram';

const STREAM_TABS: readonly [StreamTab, string][] = [
  ['content', 'Content'],
  ['graphs', 'Graphs'],
  ['diagram', 'Diagram'],
];

/**
 * One TCP stream: its bytes (Follow TCP Stream) and its analysis summary side by side, its charts (Graphs)
 * and its connection ladder (Diagram); a tab's data is asked for when it is first shown.
 */
export function StreamView({ transport, captureId, captureName, stream, onGoToFrame }: Props) {
  const [follow, setFollow] = useState<TcpFollow | null>(null);
  const [analysis, setAnalysis] = useState<TcpStreamAnalysis | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [mode, setMode] = useState<FollowMode>('ascii');
  const [direction, setDirection] = useState<FollowDirection>('both');
  const [notice, setNotice] = useState<string | null>(null);
  const [tab, setTab] = useState<StreamTab>('content');
  const [shownTabs, setShownTabs] = useState<ReadonlySet<StreamTab>>(() => new Set(['content']));

  const showTab = (next: StreamTab) => {
    setTab(next);
    setShownTabs((shown) => (shown.has(next) ? shown : new Set([...shown, next])));
  };

  useEffect(() => {
    let current = true;
    setFollow(null);
    setAnalysis(null);
    setError(null);
    setNotice(null);
    transport.call('tcp.follow', { id: captureId, stream, dir: 'both' }).then(
      (f) => current && setFollow(f),
      (e: unknown) => current && setError(message(e)),
    );
    transport.call('tcp.analysis', { id: captureId, stream }).then(
      (a) => current && setAnalysis(a),
      (e: unknown) => current && setError(message(e)),
    );
    return () => {
      current = false;
    };
  }, [transport, captureId, stream]);

  const visible = useMemo(() => {
    const pieces = follow ? follow.pieces.filter((p) => direction === 'both' || p.side === direction) : [];
    return shownPieces(pieces);
  }, [follow, direction]);

  const save = async (side: StreamSide) => {
    setNotice(null);
    try {
      if (transport.saveStream) {
        const result = await transport.saveStream({ id: captureId, stream, side });
        if (result.path !== null) setNotice(savedText(result.path, result.bytes, result.missingBytes, result.complete));
        return;
      }
      const sideFollow = await transport.call('tcp.follow', { id: captureId, stream, dir: side });
      const bytes = streamBytes(sideFollow.pieces);
      const name = `${captureName.replace(/\.(pcapng|pcap|cap)$/i, '') || 'capture'}-stream${stream}-${side}.bin`;
      download(name, bytes);
      const totals = side === 'client' ? sideFollow.clientTotals : sideFollow.serverTotals;
      setNotice(savedText(name, bytes.length, totals.missingBytes, sideFollow.complete));
    } catch (e) {
      setError(message(e));
    }
  };

  const clientBytes = follow?.clientTotals.bytes ?? 0;
  const serverBytes = follow?.serverTotals.bytes ?? 0;
  const client = follow ? endpointText(follow.client) : '…';
  const server = follow ? endpointText(follow.server) : '…';

  const baseName = `${captureName.replace(/\.(pcapng|pcap|cap)$/i, '') || 'capture'}-stream${stream}`;

  return (
    <section className="view stream" aria-label={`TCP stream ${stream}`}>
      <div className="stream-tabs" role="tablist" aria-label="Stream views">
        {STREAM_TABS.map(([name, label]) => (
          <button key={name} type="button" role="tab" aria-selected={tab === name} className={tab === name ? 'active' : ''} onClick={() => showTab(name)}>
            {label}
          </button>
        ))}
      </div>
      {shownTabs.has('graphs') ? (
        <div className="stream-tab-pane" hidden={tab !== 'graphs'}>
          <StreamGraphs transport={transport} captureId={captureId} fileName={baseName} stream={stream} onGoToFrame={onGoToFrame} />
        </div>
      ) : null}
      {shownTabs.has('diagram') ? (
        <div className="stream-tab-pane" hidden={tab !== 'diagram'}>
          <StreamDiagram transport={transport} captureId={captureId} fileName={baseName} stream={stream} onGoToFrame={onGoToFrame} />
        </div>
      ) : null}
      <div className="stream-tab-pane" hidden={tab !== 'content'}>
        <div className="view-bar">
          <strong>
            TCP stream {stream}: <span className="side-client">{client}</span> ⇄ <span className="side-server">{server}</span>
          </strong>
          <label>
            Show{' '}
            <select aria-label="Stream direction" value={direction} onChange={(e) => setDirection(e.target.value as FollowDirection)}>
              <option value="both">Entire conversation ({byteSize(clientBytes + serverBytes)})</option>
              <option value="client">
                {client} → {server} ({byteSize(clientBytes)})
              </option>
              <option value="server">
                {server} → {client} ({byteSize(serverBytes)})
              </option>
            </select>
          </label>
          <label>
            as{' '}
            <select aria-label="Stream format" value={mode} onChange={(e) => setMode(e.target.value as FollowMode)}>
              <option value="ascii">ASCII</option>
              <option value="hex">Hex dump</option>
              <option value="raw">Raw</option>
            </select>
          </label>
          <button type="button" disabled={!follow} onClick={() => void save('client')}>
            Save client bytes…
          </button>
          <button type="button" disabled={!follow} onClick={() => void save('server')}>
            Save server bytes…
          </button>
        </div>
        {error ? <div className="view-message error-text" role="alert">{error}</div> : null}
        {notice ? <div className="view-message" data-testid="save-notice">{notice}</div> : null}
        <div className="stream-panes">
          <div className={`follow follow-${mode}`} role="log" aria-label="Stream content" data-testid="follow">
            {!follow && !error ? <div className="view-message">Reassembling the stream…</div> : null}
            {follow && visible.shown.length === 0 ? <div className="view-message">No bytes were sent in this direction.</div> : null}
            {visible.shown.map((piece, i) => (
              <div
                key={i}
                className={`follow-piece side-${piece.side}${piece.bytes ? '' : ' gap'}`}
                data-side={piece.side}
                data-frame={piece.frame}
                data-offset={piece.offset}
                data-length={piece.length}
                title={`${piece.side === 'client' ? client : server}, frame ${piece.frame}, stream bytes ${piece.offset}–${piece.offset + piece.length - 1} (double-click to show the frame)`}
                onDoubleClick={() => onGoToFrame(piece.frame)}
              >
                {pieceText(piece, mode)}
              </div>
            ))}
            {visible.hiddenBytes > 0 || (follow && !follow.complete) ? (
              <div className="view-message">
                {visible.hiddenBytes > 0 ? `${byteSize(visible.hiddenBytes)} more are not drawn here. ` : ''}
                {follow && !follow.complete ? 'The stream is longer than the window receives; the totals above count all of it. ' : ''}
                Save a side to get its bytes.
              </div>
            ) : null}
          </div>
          <StreamSummary analysis={analysis} follow={follow} onGoToFrame={onGoToFrame} />
        </div>
      </div>
    </section>
  );
}

function savedText(where: string, bytes: number, missing: number, complete: boolean): string {
  let text = `Saved ${integer(bytes)} bytes to ${where}.`;
  if (missing > 0) text += ` ${integer(missing)} bytes missing from the capture are not in the file.`;
  if (!complete) text += ' The stream is longer than the transfer limit: the file holds its beginning only.';
  return text;
}

function yesNo(value: boolean): string {
  return value ? 'yes' : 'no';
}

interface Row {
  label: string;
  value(side: SideAnalysis, missing: number): string;
}

const SIDE_ROWS: readonly Row[] = [
  { label: 'Packets', value: (s) => integer(s.frames) },
  { label: 'Payload bytes', value: (s) => integer(s.payloadBytes) },
  { label: 'Bytes missing', value: (_s, missing) => integer(missing) },
  { label: 'MSS', value: (s) => (s.handshake ? (s.handshake.mss === null ? 'none' : String(s.handshake.mss)) : 'no SYN seen') },
  { label: 'Window scale', value: (s) => (s.handshake ? (s.handshake.windowScale === null ? 'none' : `${s.handshake.windowScale} (×${2 ** s.handshake.windowScale})`) : '—') },
  { label: 'SACK permitted', value: (s) => (s.handshake ? yesNo(s.handshake.sackPermitted) : '—') },
  { label: 'Timestamps', value: (s) => (s.handshake ? yesNo(s.handshake.timestamps) : '—') },
  { label: 'Retransmissions', value: (s) => `${integer(s.retransmissions)} (${integer(s.fastRetransmissions)} fast, ${integer(s.spuriousRetransmissions)} spurious)` },
  { label: 'Out of order', value: (s) => integer(s.outOfOrder) },
  { label: 'Segments not captured', value: (s) => integer(s.previousSegmentNotCaptured) },
  { label: 'Duplicate ACKs', value: (s) => integer(s.duplicateAcks) },
  { label: 'Zero windows', value: (s) => integer(s.zeroWindows) },
  { label: 'Window full', value: (s) => integer(s.windowFull) },
  { label: 'Keep-alives', value: (s) => integer(s.keepAlives) },
  { label: 'RTT min', value: (s) => (s.rtt ? milliseconds(s.rtt.minMs) : 'no samples') },
  { label: 'RTT mean', value: (s) => (s.rtt ? milliseconds(s.rtt.meanMs) : '—') },
  { label: 'RTT max', value: (s) => (s.rtt ? milliseconds(s.rtt.maxMs) : '—') },
  { label: 'Smoothed RTT', value: (s) => (s.rtt ? milliseconds(s.rtt.smoothedMs) : '—') },
  { label: 'RTT samples', value: (s) => (s.rtt ? integer(s.rtt.samples) : '0') },
  { label: 'Sender model', value: (s) => (s.model ? (s.model.model ?? 'none fits') : 'sent no data') },
  { label: 'Largest model cwnd', value: (s) => (s.model?.maxCwnd != null ? `${integer(s.model.maxCwnd)} bytes` : '—') },
];

function StreamSummary({ analysis, follow, onGoToFrame }: { analysis: TcpStreamAnalysis | null; follow: TcpFollow | null; onGoToFrame(frame: number): void }) {
  if (!analysis) return <aside className="stream-summary view-message">Analysing the stream…</aside>;
  const a = analysis;
  const handshake = a.handshakeCompleted
    ? 'complete (SYN, SYN-ACK, ACK)'
    : a.synSeen || a.synAckSeen
      ? `incomplete (${[a.synSeen ? 'SYN' : '', a.synAckSeen ? 'SYN-ACK' : ''].filter(Boolean).join(', ')} seen)`
      : 'not captured (the capture starts mid-connection)';
  const missing = { client: follow?.clientTotals.missingBytes ?? 0, server: follow?.serverTotals.missingBytes ?? 0 };
  return (
    <aside className="stream-summary" aria-label="Stream analysis" data-testid="stream-summary">
      <p className="summary-note">
        A side's RTT is timed from its peer's ACKs (Karn's rule) and timestamp echoes. The sender model is the reference stack's
        congestion-control model that best explains how the side sent, or none when no window model fits.
      </p>
      <table className="summary-table">
        <tbody>
          <tr>
            <th>Packets</th>
            <td>
              {integer(a.frames)} (frames{' '}
              <button type="button" className="link" onClick={() => onGoToFrame(a.firstFrame)}>
                {a.firstFrame}
              </button>{' '}
              to{' '}
              <button type="button" className="link" onClick={() => onGoToFrame(a.lastFrame)}>
                {a.lastFrame}
              </button>
              )
            </td>
          </tr>
          <tr>
            <th>Start, duration</th>
            <td>
              {a.relativeStart.toFixed(6)} s, {a.duration.toFixed(6)} s
            </td>
          </tr>
          <tr>
            <th>Handshake</th>
            <td data-testid="handshake">{handshake}</td>
          </tr>
          <tr>
            <th>Initial RTT</th>
            <td>{a.initialRttMs === null ? '—' : milliseconds(a.initialRttMs)}</td>
          </tr>
          <tr>
            <th>Closed by</th>
            <td>{a.closedBy ?? 'not closed in the capture'}</td>
          </tr>
          <tr>
            <th>Final states</th>
            <td>
              client {a.clientState}, server {a.serverState}
            </td>
          </tr>
        </tbody>
      </table>
      <table className="summary-table sides">
        <thead>
          <tr>
            <th />
            <th className="side-client">Client → server</th>
            <th className="side-server">Server → client</th>
          </tr>
        </thead>
        <tbody>
          {SIDE_ROWS.map((row) => (
            <tr key={row.label}>
              <th>{row.label}</th>
              <td>{row.value(a.client, missing.client)}</td>
              <td>{row.value(a.server, missing.server)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {[a.client, a.server].map((side, i) =>
        side.model ? (
          <p key={i} className="model-verdict">
            <span className={i === 0 ? 'side-client' : 'side-server'}>{i === 0 ? 'Client' : 'Server'}</span> sender: {side.model.verdict}.
          </p>
        ) : null,
      )}
    </aside>
  );
}
