import { useEffect, useState, type KeyboardEvent } from 'react';
import type { DetailNode } from '../app/api/types';

interface Props {
  tree: DetailNode[];
  selected: DetailNode | null;
  onSelect(node: DetailNode): void;
}

/** Stable key of a node across frames: the field names on its path (expanded subtrees stay expanded). */
function pathKey(path: readonly DetailNode[]): string {
  return path.map((node) => node.name).join('/');
}

/**
 * The packet details: the decoded fields as a tree, Wireshark's labels, the field name on hover.
 * Selecting a field highlights its bytes in the hex view.
 */
export function DetailsTree({ tree, selected, onSelect }: Props) {
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set());

  // A field selected from the hex view may be deep in collapsed subtrees: open the path to it.
  useEffect(() => {
    if (!selected) return;
    const path = pathTo(tree, selected);
    if (!path || path.length < 2) return;
    const keys = path.slice(0, -1).map((_, i) => pathKey(path.slice(0, i + 1)));
    setExpanded((old) => (keys.every((key) => old.has(key)) ? old : new Set([...old, ...keys])));
  }, [tree, selected]);

  const toggle = (key: string) =>
    setExpanded((old) => {
      const next = new Set(old);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });

  // id: position in the tree (unique, for React); key: field names on the path (for expansion).
  const lines: { node: DetailNode; depth: number; id: string; key: string; open: boolean }[] = [];
  const visit = (nodes: readonly DetailNode[], path: DetailNode[], idPrefix: string) => {
    nodes.forEach((node, i) => {
      const nodePath = [...path, node];
      const key = pathKey(nodePath);
      const open = expanded.has(key);
      const id = `${idPrefix}${i}`;
      lines.push({ node, depth: path.length, id, key, open });
      if (open && node.children.length > 0) visit(node.children, nodePath, `${id}.`);
    });
  };
  visit(tree, [], '');

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const at = lines.findIndex((line) => line.node === selected);
    const line = lines[at];
    if (event.key === 'ArrowDown' && at + 1 < lines.length) onSelect(lines[at + 1].node);
    else if (event.key === 'ArrowUp' && at > 0) onSelect(lines[at - 1].node);
    else if ((event.key === 'ArrowRight' || event.key === 'ArrowLeft' || event.key === 'Enter') && line?.node.children.length) {
      if ((event.key === 'ArrowRight') !== line.open || event.key === 'Enter') toggle(line.key);
    } else return;
    event.preventDefault();
  };

  return (
    <div className="details" tabIndex={0} role="tree" aria-label="Packet details" onKeyDown={onKeyDown}>
      {lines.map(({ node, depth, id, key, open }) => (
        <div
          key={id}
          role="treeitem"
          aria-expanded={node.children.length > 0 ? open : undefined}
          aria-selected={node === selected}
          className={`detail-line${node === selected ? ' selected' : ''}${node.generated ? ' generated' : ''}`}
          style={{ paddingLeft: 6 + depth * 16 }}
          title={`${node.name}${node.length > 0 ? ` (${node.length} byte${node.length === 1 ? '' : 's'} at ${node.offset})` : ''}`}
          data-field={node.name}
          onMouseDown={() => onSelect(node)}
        >
          <span
            className="twisty"
            onMouseDown={(e) => {
              e.stopPropagation();
              if (node.children.length > 0) toggle(key);
            }}
          >
            {node.children.length > 0 ? (open ? '▾' : '▸') : ''}
          </span>
          {node.label}
        </div>
      ))}
    </div>
  );
}

/** The nodes from a root down to target, or null when target is not in the tree. */
function pathTo(nodes: readonly DetailNode[], target: DetailNode): DetailNode[] | null {
  for (const node of nodes) {
    if (node === target) return [node];
    const below = pathTo(node.children, target);
    if (below) return [node, ...below];
  }
  return null;
}
