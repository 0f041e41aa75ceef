import { useEffect, useState } from 'react';
import type { CaptureId, StreamSeries } from '../app/api/types';
import { StreamCharts } from './charts';
import { message } from './format';
import type { Transport } from './transport';

interface Props {
  transport: Transport;
  captureId: CaptureId;
  /** Base name of exported charts. */
  fileName: string;
  stream: number;
  onGoToFrame(frame: number): void;
}

/** The Graphs tab of a TCP stream: its chart series (tcp.streamSeries) drawn by the linked stream charts. */
export function StreamGraphs({ transport, captureId, fileName, stream, onGoToFrame }: Props) {
  const [series, setSeries] = useState<StreamSeries | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    setSeries(null);
    setError(null);
    transport.call('tcp.streamSeries', { id: captureId, stream }).then(
      (s) => current && setSeries(s),
      (e: unknown) => current && setError(message(e)),
    );
    return () => {
      current = false;
    };
  }, [transport, captureId, stream]);

  if (error) return <div className="view-message error-text" role="alert">{error}</div>;
  if (!series) return <div className="view-message">Building the stream's charts…</div>;
  return (
    <div className="stream-graphs" data-testid="stream-graphs">
      <StreamCharts series={series} onSelectFrame={onGoToFrame} fileName={fileName} />
    </div>
  );
}
