import { useMemo, useRef, useState } from 'react';
import type { CaptureId, DnsTransaction } from '../app/api/types';
import { integer, milliseconds } from './format';
import type { Transport } from './transport';
import { useRefreshedList } from './useRefreshedList';
import { VirtualTable, type Column, type SortOrder } from './VirtualTable';

const COLUMNS: readonly Column<DnsTransaction>[] = [
  { key: 'query', label: 'Query', width: '70px', numeric: true, text: (t) => String(t.queryFrame), sortValue: (t) => t.queryFrame },
  { key: 'response', label: 'Response', width: '80px', numeric: true, text: (t) => (t.responseFrame === null ? '—' : String(t.responseFrame)), sortValue: (t) => t.responseFrame ?? Infinity },
  { key: 'id', label: 'ID', width: '64px', text: (t) => `0x${t.transactionId.toString(16).padStart(4, '0')}`, sortValue: (t) => t.transactionId },
  { key: 'client', label: 'Client', width: 'minmax(110px, 1fr)', text: (t) => t.client, sortValue: (t) => t.client },
  { key: 'server', label: 'Server', width: 'minmax(110px, 1fr)', text: (t) => t.server, sortValue: (t) => t.server },
  { key: 'name', label: 'Name', width: 'minmax(180px, 2fr)', text: (t) => t.name, sortValue: (t) => t.name },
  { key: 'type', label: 'Type', width: '64px', text: (t) => t.type, sortValue: (t) => t.type },
  { key: 'rcode', label: 'Result', width: '96px', text: (t) => t.rcode ?? 'no response', sortValue: (t) => t.rcode ?? '~' },
  {
    key: 'latency',
    label: 'Latency',
    width: '90px',
    numeric: true,
    text: (t) => (t.responseSeconds === null ? '—' : milliseconds(t.responseSeconds * 1000)),
    sortValue: (t) => t.responseSeconds ?? Infinity,
  },
  { key: 'answers', label: 'Answers', width: 'minmax(200px, 3fr)', text: (t) => t.answers.join('; '), sortValue: (t) => t.answers.join('; ') },
];

const rowKey = (t: DnsTransaction) => String(t.queryFrame);

function rowClass(t: DnsTransaction): string {
  if (t.rcode === null) return 'dns-unanswered';
  return t.rcode === 'NoError' ? '' : 'dns-error';
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

interface Props {
  transport: Transport;
  captureId: CaptureId;
  /**
   * The capture is fully read (a live one stopped): the list is final. Until then it holds the
   * transactions so far and is refreshed while the view is shown.
   */
  complete: boolean;
  /** Frames indexed so far, shown while the capture is read. */
  frames: number;
  onGoToFrame(frame: number): void;
}

/** DNS queries matched with their responses: latency, result code and answers; unanswered queries stand out. */
export function DnsView({ transport, captureId, complete, frames, onGoToFrame }: Props) {
  const [unansweredOnly, setUnansweredOnly] = useState(false);
  const [selected, setSelected] = useState<string | null>(null);
  const [sort, setSort] = useState<SortOrder>({ key: 'query', descending: false });
  const section = useRef<HTMLElement>(null);
  const { rows: transactions, error } = useRefreshedList(transport, 'dns.transactions', captureId, complete, section);

  const summary = useMemo(() => {
    const all = transactions ?? [];
    const answered = all.filter((t) => t.responseFrame !== null);
    const latency = median(answered.map((t) => t.responseSeconds ?? 0));
    return { total: all.length, answered: answered.length, unanswered: all.length - answered.length, medianMs: latency === null ? null : latency * 1000 };
  }, [transactions]);
  const shown = useMemo(() => (transactions ?? []).filter((t) => !unansweredOnly || t.responseFrame === null), [transactions, unansweredOnly]);

  return (
    <section ref={section} className="view dns" aria-label="DNS">
      <div className="view-bar">
        <span className="view-summary" data-testid="dns-summary">
          {transactions === null ? (
            'Loading…'
          ) : (
            <>
              {integer(summary.total)} queries · {integer(summary.answered)} answered · {integer(summary.unanswered)} unanswered
              {summary.medianMs !== null ? ` · median latency ${milliseconds(summary.medianMs)}` : ''}
            </>
          )}
        </span>
        {complete ? null : (
          <span className="view-updating" role="status" data-testid="dns-updating" title="The capture is still being read: the transactions so far, refreshed every 2 s">
            updating… ({integer(frames)} frames read)
          </span>
        )}
        <label className="check">
          <input type="checkbox" checked={unansweredOnly} onChange={(e) => setUnansweredOnly(e.target.checked)} /> Unanswered only
        </label>
        <span className="view-note">Double-click a query (or press Enter) to show it in the packet list.</span>
      </div>
      {error ? (
        <div className="view-message error-text">{error}</div>
      ) : !transactions ? (
        <div className="view-message">Loading DNS transactions…</div>
      ) : shown.length === 0 ? (
        <div className="view-message">{unansweredOnly ? `Every query was answered${complete ? '' : ' so far'}.` : `No DNS queries ${complete ? 'in this capture' : 'yet'}.`}</div>
      ) : (
        <VirtualTable
          label="DNS transactions"
          columns={COLUMNS}
          rows={shown}
          rowKey={rowKey}
          rowClass={rowClass}
          sort={sort}
          onSort={setSort}
          selectedKey={selected}
          onSelect={(t) => setSelected(rowKey(t))}
          onActivate={(t) => onGoToFrame(t.queryFrame)}
        />
      )}
    </section>
  );
}
