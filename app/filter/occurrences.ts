import type { Dissection } from '../decode/dissection';
import type { FieldNode } from '../fields/tree';
import type { FilterField } from './fields';
import { nodeLength, nodeValue } from './values';
import type { Value } from './values';

/**
 * The occurrences of a compiled filter's fields in one frame, in tree order: all a filter reads. Slots
 * are the filter's own numbering of its fields (CompiledFilter.slots). Two sources implement it: a
 * frame's field tree (below) and a row of the field index (./columns.ts).
 */
export interface Occurrences {
  /** The values of a slot's occurrences (labels have none; protocols' are their bytes, trees only). */
  values(slot: number): readonly Value[];
  /** How many occurrences the slot has (presence, count()). */
  count(slot: number): number;
  /** len() of each occurrence. */
  lengths(slot: number): readonly number[];
}

/** Occurrences read from a frame's tree, collected in one walk per frame. Not reentrant. */
export class TreeOccurrences implements Occurrences {
  private d: Dissection | null = null;
  private readonly lists: FieldNode[][];
  /** Registry field id -> the slots its nodes belong to (its own, and aliases over it). */
  private readonly targets = new Map<number, FieldNode[][]>();

  constructor(private readonly slots: readonly FilterField[]) {
    this.lists = slots.map(() => []);
    slots.forEach((field, slot) => {
      for (const def of field.defs) {
        const targets = this.targets.get(def.id);
        if (targets) targets.push(this.lists[slot]);
        else this.targets.set(def.id, [this.lists[slot]]);
      }
    });
  }

  load(d: Dissection): void {
    this.d = d;
    for (const list of this.lists) list.length = 0;
    if (this.lists.length > 0) this.collect(d.tree.roots);
  }

  values(slot: number): Value[] {
    const d = this.d as Dissection;
    const type = this.slots[slot].type;
    const values: Value[] = [];
    for (const node of this.lists[slot]) {
      const value = nodeValue(d, node, type);
      if (value !== null) values.push(value);
    }
    return values;
  }

  count(slot: number): number {
    return this.lists[slot].length;
  }

  lengths(slot: number): number[] {
    const field = this.slots[slot];
    return this.lists[slot].map((node) => nodeLength(node, field.type, field.bits));
  }

  private collect(nodes: readonly FieldNode[]): void {
    for (const node of nodes) {
      const targets = this.targets.get(node.field.id);
      if (targets) for (const list of targets) list.push(node);
      if (node.children) this.collect(node.children);
    }
  }
}
