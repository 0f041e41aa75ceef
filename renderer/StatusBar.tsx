import type { CaptureProgress, CaptureStatus, DetailNode, FilterIndexStatus } from '../app/api/types';
import { filterIndexHint } from './filterIndex';

interface Props {
  status: CaptureStatus | null;
  progress: CaptureProgress | null;
  field: DetailNode | null;
  /** Frames the applied display filter accepts; null without one. */
  displayed?: number | null;
  /** The capture's field index, as far as the client knows. */
  filterIndex?: FilterIndexStatus | null;
}

function seconds(value: number): string {
  return value < 10 ? `${value.toFixed(2)} s` : `${value.toFixed(1)} s`;
}

/** File, frame counts, load progress or load time, the selected field's name, and whether filters are fast yet. */
export function StatusBar({ status, progress, field, displayed = null, filterIndex = null }: Props) {
  if (!status) return <footer className="status-bar">No capture open</footer>;
  const hint = filterIndexHint(filterIndex);
  const loading = progress?.state === 'loading';
  const percent = progress && progress.totalBytes > 0 ? Math.floor((progress.bytesRead / progress.totalBytes) * 100) : 0;
  const frames = progress?.framesRead ?? status.frames;
  return (
    <footer className="status-bar">
      <span className="status-file" title={status.info.path}>
        {status.info.name}
      </span>
      {field ? (
        <span className="status-field">
          {field.name}
          {field.length > 0 ? `, ${field.length} byte${field.length === 1 ? '' : 's'}` : ''}
        </span>
      ) : null}
      <span data-testid="frames">Frames: {frames.toLocaleString('en-US')}</span>
      <span data-testid="displayed">Displayed: {(displayed ?? frames).toLocaleString('en-US')}</span>
      <span>Malformed: {status.malformed.toLocaleString('en-US')}</span>
      {loading && status.info.live ? (
        <span className="status-progress" data-testid="progress">
          Capturing · {seconds(progress?.elapsedSeconds ?? 0)}
        </span>
      ) : loading && progress ? (
        <span className="status-progress" data-testid="progress">
          Loading {percent}% · {progress.megabytesPerSecond.toFixed(0)} MB/s
          {progress.secondsLeft !== null ? ` · ${seconds(progress.secondsLeft)} left` : ''}
        </span>
      ) : (
        <span data-testid="load-time">
          {status.info.live ? 'Captured for' : 'Load time:'} {seconds(progress?.elapsedSeconds ?? status.loadSeconds)}
        </span>
      )}
      {hint && filterIndex ? (
        // Busy while building: screen readers announce the outcome, not every percent.
        <span
          className="status-filter-index"
          data-testid="filter-index"
          data-state={filterIndex.state}
          role="status"
          aria-busy={filterIndex.state === 'building'}
          title={hint.title}
        >
          {hint.text}
        </span>
      ) : null}
    </footer>
  );
}
