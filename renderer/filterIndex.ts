import type { FilterIndexStatus } from '../app/api/types';
import { byteSize } from './format';

/*
 * The status bar's hint about the field index a capture builds after it is read: while it builds, display
 * filters decode every frame (seconds on a large capture); once built, filters over its fields apply at once.
 */

/** How far each state is along the build; 'built' and 'failed' both end it. */
const STAGE: Record<FilterIndexStatus['state'], number> = { waiting: 0, building: 1, built: 2, failed: 2 };

/**
 * The later of what the client knows and a report (an event, or a status answer that may arrive after
 * newer events, since events and answers travel apart over the web bridge): the build only goes forward.
 */
export function laterFilterIndex(known: FilterIndexStatus | null, reported: FilterIndexStatus | null): FilterIndexStatus | null {
  if (!known || !reported) return reported ?? known;
  const ahead = STAGE[reported.state] - STAGE[known.state];
  if (ahead !== 0) return ahead > 0 ? reported : known;
  return known.state === 'building' && reported.frames >= known.frames ? reported : known;
}

export interface FilterIndexHint {
  text: string;
  /** The tooltip: what the state means for display filters. */
  title: string;
}

/** Nothing while the index waits for the capture to be read (the load's progress shows instead). */
export function filterIndexHint(index: FilterIndexStatus | null): FilterIndexHint | null {
  switch (index?.state) {
    case undefined:
    case 'waiting':
      return null;
    case 'building': {
      const percent = index.total > 0 ? Math.floor((index.frames / index.total) * 100) : 0;
      return { text: `Filter index: building ${percent}%`, title: 'Until the index is built, display filters decode every frame' };
    }
    case 'built':
      return { text: 'Filter index ready', title: `Display filters over indexed fields apply instantly (index: ${byteSize(index.memoryBytes)})` };
    case 'failed':
      return { text: 'Filter index unavailable: filters decode every frame', title: "The capture's frames could not be read back to build the index" };
  }
}
