import { useMemo, useRef, useState } from 'react';
import type { CaptureId, FlowRow } from '../app/api/types';
import { byteSize, integer } from './format';
import type { Transport } from './transport';
import { useRefreshedList } from './useRefreshedList';
import { VirtualTable, type Column, type SortOrder } from './VirtualTable';

type Protocol = 'tcp' | 'udp';

const COLUMNS: readonly Column<FlowRow>[] = [
  { key: 'stream', label: 'Stream', width: '70px', numeric: true, text: (r) => String(r.stream), sortValue: (r) => r.stream },
  { key: 'addressA', label: 'Address A', width: 'minmax(120px, 1fr)', text: (r) => r.addressA, sortValue: (r) => r.addressA },
  { key: 'portA', label: 'Port A', width: '70px', numeric: true, text: (r) => String(r.portA), sortValue: (r) => r.portA },
  { key: 'addressB', label: 'Address B', width: 'minmax(120px, 1fr)', text: (r) => r.addressB, sortValue: (r) => r.addressB },
  { key: 'portB', label: 'Port B', width: '70px', numeric: true, text: (r) => String(r.portB), sortValue: (r) => r.portB },
  { key: 'frames', label: 'Packets', width: '80px', numeric: true, text: (r) => integer(r.framesAToB + r.framesBToA), sortValue: (r) => r.framesAToB + r.framesBToA },
  { key: 'bytes', label: 'Bytes', width: '90px', numeric: true, text: (r) => byteSize(r.bytesAToB + r.bytesBToA), sortValue: (r) => r.bytesAToB + r.bytesBToA },
  { key: 'framesAToB', label: 'Packets A → B', width: '120px', numeric: true, text: (r) => integer(r.framesAToB), sortValue: (r) => r.framesAToB },
  { key: 'bytesAToB', label: 'Bytes A → B', width: '95px', numeric: true, text: (r) => byteSize(r.bytesAToB), sortValue: (r) => r.bytesAToB },
  { key: 'framesBToA', label: 'Packets B → A', width: '120px', numeric: true, text: (r) => integer(r.framesBToA), sortValue: (r) => r.framesBToA },
  { key: 'bytesBToA', label: 'Bytes B → A', width: '95px', numeric: true, text: (r) => byteSize(r.bytesBToA), sortValue: (r) => r.bytesBToA },
  { key: 'start', label: 'Rel Start', width: '135px', numeric: true, text: (r) => r.relativeStart.toFixed(6), sortValue: (r) => r.relativeStart },
  { key: 'duration', label: 'Duration', width: '85px', numeric: true, text: (r) => r.duration.toFixed(4), sortValue: (r) => r.duration },
];

const BY_STREAM: SortOrder = { key: 'stream', descending: false };

const rowKey = (row: FlowRow) => `${row.protocol}:${row.stream}`;

interface Props {
  transport: Transport;
  captureId: CaptureId;
  /**
   * The capture is fully read (a live one stopped): the list is final. Until then it holds the
   * conversations so far, with their packets so far, and is refreshed while the view is shown.
   */
  complete: boolean;
  onOpenStream(stream: number): void;
}

/** Wireshark's Conversations window: TCP and UDP tables, sortable; a TCP row opens its stream. */
export function ConversationsView({ transport, captureId, complete, onOpenStream }: Props) {
  const [protocol, setProtocol] = useState<Protocol>('tcp');
  const [selected, setSelected] = useState<string | null>(null);
  const [sorts, setSorts] = useState<Record<Protocol, SortOrder>>({ tcp: BY_STREAM, udp: BY_STREAM });
  const section = useRef<HTMLElement>(null);
  const { rows: flows, error } = useRefreshedList(transport, 'flows.list', captureId, complete, section);

  const counts = useMemo(() => ({ tcp: flows?.filter((f) => f.protocol === 'tcp').length ?? 0, udp: flows?.filter((f) => f.protocol === 'udp').length ?? 0 }), [flows]);
  const rows = useMemo(() => flows?.filter((f) => f.protocol === protocol) ?? [], [flows, protocol]);
  const selectedRow = rows.find((row) => rowKey(row) === selected) ?? null;

  const open = (row: FlowRow) => {
    if (row.protocol === 'tcp') onOpenStream(row.stream);
  };

  return (
    <section ref={section} className="view conversations" aria-label="Conversations">
      <div className="view-bar">
        <div className="segmented" role="tablist" aria-label="Conversation protocol">
          {(['tcp', 'udp'] as const).map((p) => (
            <button key={p} type="button" role="tab" aria-selected={protocol === p} className={protocol === p ? 'active' : ''} onClick={() => setProtocol(p)}>
              {p.toUpperCase()} · {flows ? integer(counts[p]) : '…'}
            </button>
          ))}
        </div>
        {protocol === 'tcp' ? (
          <button type="button" disabled={!selectedRow} onClick={() => selectedRow && open(selectedRow)}>
            Follow stream{selectedRow ? ` ${selectedRow.stream}` : ''}
          </button>
        ) : null}
        {complete ? null : (
          <span className="view-updating" role="status" data-testid="conversations-updating" title="The capture is still being read: the counts so far, refreshed every 2 s">
            updating…
          </span>
        )}
        <span className="view-note">
          {protocol === 'tcp' ? 'Double-click a conversation (or press Enter) to follow its stream and see its analysis.' : 'A is the side that sent the first packet.'}
        </span>
      </div>
      {error ? (
        <div className="view-message error-text">{error}</div>
      ) : !flows ? (
        <div className="view-message">Loading conversations…</div>
      ) : rows.length === 0 ? (
        <div className="view-message">
          No {protocol.toUpperCase()} conversations {complete ? 'in this capture' : 'yet'}.
        </div>
      ) : (
        <VirtualTable
          key={protocol}
          label={`${protocol.toUpperCase()} conversations`}
          columns={COLUMNS}
          rows={rows}
          rowKey={rowKey}
          sort={sorts[protocol]}
          onSort={(sort) => setSorts((old) => ({ ...old, [protocol]: sort }))}
          selectedKey={selected}
          onSelect={(row) => setSelected(rowKey(row))}
          onActivate={open}
        />
      )}
    </section>
  );
}
