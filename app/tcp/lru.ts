/**
 * Live conversations by key, least recently active first: O(1) lookup, touch and eviction. (A Map re-set on
 * every packet keeps the order too, but finding its oldest entry walks over the holes its deletions
 * leave, which made eviction linear in the traffic.)
 */
interface Node<T> {
  key: string;
  value: T;
  older: Node<T> | null;
  newer: Node<T> | null;
}

export class LruMap<T> {
  private readonly nodes = new Map<string, Node<T>>();
  private oldest: Node<T> | null = null;
  private newest: Node<T> | null = null;

  get size(): number {
    return this.nodes.size;
  }

  /** The value of a key, made the most recently active. */
  touch(key: string): T | undefined {
    // Packets of one conversation come in runs: most often it is the newest already (no map lookup then).
    const newest = this.newest;
    if (newest !== null && newest.key === key) return newest.value;
    const node = this.nodes.get(key);
    if (!node) return undefined;
    this.unlink(node);
    this.append(node);
    return node.value;
  }

  /** Sets a key's value (replacing any), as the most recently active. */
  set(key: string, value: T): void {
    const existing = this.nodes.get(key);
    if (existing) {
      existing.value = value;
      this.unlink(existing);
      this.append(existing);
      return;
    }
    const node: Node<T> = { key, value, older: null, newer: null };
    this.nodes.set(key, node);
    this.append(node);
  }

  /** Removes and returns the least recently active entry. */
  shift(): [string, T] | null {
    const node = this.oldest;
    if (!node) return null;
    this.unlink(node);
    this.nodes.delete(node.key);
    return [node.key, node.value];
  }

  values(): IterableIterator<T> {
    return (function* (first: Node<T> | null) {
      for (let node = first; node; node = node.newer) yield node.value;
    })(this.oldest);
  }

  clear(): void {
    this.nodes.clear();
    this.oldest = this.newest = null;
  }

  private unlink(node: Node<T>): void {
    if (node.older) node.older.newer = node.newer;
    else this.oldest = node.newer;
    if (node.newer) node.newer.older = node.older;
    else this.newest = node.older;
    node.older = node.newer = null;
  }

  private append(node: Node<T>): void {
    node.older = this.newest;
    if (this.newest) this.newest.newer = node;
    else this.oldest = node;
    this.newest = node;
  }
}
