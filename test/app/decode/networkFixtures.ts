import type { RawFrame } from '../../../app/capture/types';
import type { CaptureState, Dissection } from '../../../app/decode/dissection';
import { decodeFrame, newCaptureState } from '../../../app/decode/frame';
import { fieldOccurrences, formatFieldValue } from '../../../app/fields/format';
import { fieldByName } from '../../../app/fields/registry';
import { hex } from '../../helpers/dissection';

/*
 * Helpers for the link- and network-layer decoder tests: frames from hexdumps, decoded through the real
 * pipeline with trees on, and field values as `tshark -T fields` prints them.
 */

export { hex };

export interface FrameOptions {
  linkType?: number;
  number?: number;
  /** Bytes on the wire, when the capture cut the frame short. */
  originalLength?: number;
  state?: CaptureState;
}

export function decode(data: Uint8Array, options: FrameOptions = {}): Dissection {
  const raw: RawFrame = {
    number: options.number ?? 1,
    linkType: options.linkType ?? 1,
    interfaceId: 0,
    tsSeconds: 1_700_000_000,
    tsNanos: 0,
    originalLength: options.originalLength ?? data.length,
    data,
    fileOffset: 0,
  };
  return decodeFrame(options.state ?? newCaptureState(), raw, true);
}

/** Decodes frames in order through one capture state (fragments, ...), numbering them from 1. */
export function decodeAll(frames: readonly Uint8Array[], linkType = 1): Dissection[] {
  const state = newCaptureState();
  return frames.map((data, i) => decode(data, { linkType, number: i + 1, state }));
}

/** Every occurrence of a field, as tshark -T fields prints each. */
export function values(d: Dissection, name: string): string[] {
  const def = fieldByName(name);
  if (!def) throw new Error(`no field ${name}`);
  return fieldOccurrences(d.tree.roots, def).map((node) => formatFieldValue(node, d.sources));
}

/** The first occurrence (tshark's -E occurrence=f), or '' when absent. */
export function first(d: Dissection, name: string): string {
  return values(d, name)[0] ?? '';
}

/** Several fields' first occurrences at once, keyed by name. */
export function firsts(d: Dissection, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.map((name) => [name, first(d, name)]));
}
