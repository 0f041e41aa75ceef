import type { FieldDef } from './registry';

/** An exact instant or duration: whole seconds plus nanoseconds (0..999_999_999). */
export interface Timestamp {
  seconds: number;
  nanos: number;
}

/** null: the value is the bytes at [offset, offset+length) of the node's source (ether, ipv4, ipv6, bytes). */
export type FieldValue = number | bigint | boolean | string | Timestamp | null;

export interface FieldNode {
  readonly field: FieldDef;
  /** Index into Dissection.sources: 0 is the frame, higher ones are reassembled buffers. */
  readonly source: number;
  /** Absolute offset and length of the field's bytes in its source (length 0 for generated fields). */
  readonly offset: number;
  readonly length: number;
  readonly value: FieldValue;
  /** Computed by the analyser, not read from the bytes (Wireshark shows these in [brackets]). */
  readonly generated: boolean;
  children: FieldNode[] | null;
}

/**
 * Collects the decoded fields of one frame as a tree, in decoding order (the order Wireshark shows and
 * tshark's occurrence=f picks the first of). When disabled it stores nothing, so the fast indexing path
 * can run the same decoders without building trees.
 */
export class FieldTree {
  readonly roots: FieldNode[] = [];
  /** The data source new fields refer to; decoders set it when they decode a reassembled buffer. */
  source = 0;
  private readonly parents: FieldNode[] = [];

  constructor(readonly enabled: boolean) {}

  add(field: FieldDef, offset: number, length: number, value: FieldValue = null): FieldNode {
    return this.append(field, offset, length, value, false);
  }

  /** A value computed by the analyser (tcp.len, tcp.stream, frame.time_epoch, ...). */
  addGenerated(field: FieldDef, value: FieldValue): FieldNode {
    return this.append(field, 0, 0, value, true);
  }

  /** A generated value appended under an earlier node (frame.protocols, known only after every layer). */
  addGeneratedUnder(parent: FieldNode, field: FieldDef, value: FieldValue): void {
    if (this.enabled) (parent.children ??= []).push({ field, source: 0, offset: 0, length: 0, value, generated: true, children: null });
  }

  /** Adds a node and makes it the parent of the fields added until the matching close(). */
  open(field: FieldDef, offset: number, length: number, value: FieldValue = null): FieldNode {
    const node = this.append(field, offset, length, value, false);
    if (this.enabled) this.parents.push(node);
    return node;
  }

  close(): void {
    if (this.enabled) this.parents.pop();
  }

  /** Closes every open subtree (the frame pipeline calls this after each layer, so one layer's nesting never leaks). */
  closeAll(): void {
    // Usually nothing is open (always so when disabled); setting an array's length is not free.
    if (this.parents.length > 0) this.parents.length = 0;
  }

  private append(field: FieldDef, offset: number, length: number, value: FieldValue, generated: boolean): FieldNode {
    if (!this.enabled) return DISABLED_NODE;
    const node: FieldNode = { field, source: this.source, offset, length, value, generated, children: null };
    const parent = this.parents[this.parents.length - 1];
    if (parent) (parent.children ??= []).push(node);
    else this.roots.push(node);
    return node;
  }
}

const DISABLED_NODE: FieldNode = Object.freeze({
  field: Object.freeze({ id: -1, name: '', label: '', type: 'label', base: 'dec', bits: 0, mask: 0, strings: null }),
  source: 0,
  offset: 0,
  length: 0,
  value: null,
  generated: false,
  children: null,
}) as FieldNode;

/**
 * A disabled tree whose methods are empty: decoders call the tree for every field, and on the fast path
 * (a million frames, a few dozen fields each) V8 inlines these to nothing where FieldTree's would test
 * `enabled` each time.
 */
class DisabledFieldTree extends FieldTree {
  constructor() {
    super(false);
  }
  override add(): FieldNode {
    return DISABLED_NODE;
  }
  override addGenerated(): FieldNode {
    return DISABLED_NODE;
  }
  override addGeneratedUnder(): void {}
  override open(): FieldNode {
    return DISABLED_NODE;
  }
  override close(): void {}
  override closeAll(): void {}
}

/** A disabled tree stores nothing, so this one serves every frame decoded without a tree. */
export const DISABLED_FIELD_TREE: FieldTree = new DisabledFieldTree();

/** Depth-first, in tree order: the first node of a field is what tshark's occurrence=f prints. */
export function* walkFields(nodes: readonly FieldNode[]): Generator<FieldNode> {
  for (const node of nodes) {
    yield node;
    if (node.children) yield* walkFields(node.children);
  }
}
