import { describe, expect, it } from 'vitest';
import type { FilterIndexStatus } from '../../app/api/types';
import { filterIndexHint, laterFilterIndex } from '../../renderer/filterIndex';

const waiting: FilterIndexStatus = { state: 'waiting', frames: 0, total: 0, memoryBytes: 0 };
const building = (frames: number): FilterIndexStatus => ({ state: 'building', frames, total: 1000, memoryBytes: frames * 80 });
const built: FilterIndexStatus = { state: 'built', frames: 1000, total: 1000, memoryBytes: 80_000 };
const failed: FilterIndexStatus = { state: 'failed', frames: 300, total: 1000, memoryBytes: 24_000 };

describe('filter index hint', () => {
  it('only goes forward: a status answer older than the events does not undo them', () => {
    expect(laterFilterIndex(null, waiting)).toBe(waiting);
    expect(laterFilterIndex(waiting, null)).toBe(waiting);
    expect(laterFilterIndex(waiting, building(0))).toEqual(building(0));
    expect(laterFilterIndex(building(200), building(400))).toEqual(building(400));
    expect(laterFilterIndex(building(400), building(200))).toEqual(building(400));
    expect(laterFilterIndex(built, building(400))).toBe(built);
    expect(laterFilterIndex(built, waiting)).toBe(built);
    expect(laterFilterIndex(building(400), failed)).toBe(failed);
    expect(laterFilterIndex(failed, built)).toBe(failed);
  });

  it('says nothing while waiting, the percent while building, and what filters do once built or failed', () => {
    expect(filterIndexHint(null)).toBeNull();
    expect(filterIndexHint(waiting)).toBeNull();
    expect(filterIndexHint(building(456))?.text).toBe('Filter index: building 45%');
    expect(filterIndexHint({ ...building(0), total: 0 })?.text).toBe('Filter index: building 0%');
    expect(filterIndexHint(built)).toEqual({ text: 'Filter index ready', title: 'Display filters over indexed fields apply instantly (index: 80 kB)' });
    expect(filterIndexHint(failed)?.text).toBe('Filter index unavailable: filters decode every frame');
  });
});
