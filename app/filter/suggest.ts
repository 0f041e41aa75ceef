import { filterFieldNames } from './fields';

/** Field names for the filter bar: the word being typed at the cursor, and the names that complete it. */
export interface FieldSuggestions {
  /** [start, end) of the word the suggestions replace (0-based offsets into the text). */
  start: number;
  end: number;
  names: string[];
}

const WORD_CHAR = /[A-Za-z0-9_.\-]/;

/**
 * Names that start with the word at the cursor, children of the word's own name first: typing "tcp.a"
 * offers tcp.ack, tcp.analysis, tcp.analysis.flags, ... Words inside quotes are not completed.
 */
export function suggestFields(text: string, cursor: number, limit = 50): FieldSuggestions {
  let start = cursor;
  while (start > 0 && WORD_CHAR.test(text[start - 1])) start--;
  let end = cursor;
  while (end < text.length && WORD_CHAR.test(text[end])) end++;
  const word = text.slice(start, cursor);
  const quotes = (text.slice(0, start).match(/"/g) ?? []).length;
  if (word === '' || quotes % 2 === 1 || /^[0-9]/.test(word)) return { start, end, names: [] };
  const names = filterFieldNames()
    .filter((name) => name.startsWith(word))
    // Fewer dots first (tcp.analysis before tcp.analysis.flags), then alphabetically.
    .sort((a, b) => dots(a) - dots(b) || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, limit);
  return { start, end, names };
}

function dots(name: string): number {
  return name.split('.').length;
}
