import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { DisplayFilterCheck, FilterProgress, FilterSuggestions } from '../app/api/types';
import type { Transport } from './transport';

/** Applied filters kept, newest first. */
const MAX_HISTORY = 30;
const HISTORY_KEY = 'wirelens.displayFilterHistory';

export function loadFilterHistory(): string[] {
  try {
    const stored: unknown = JSON.parse(localStorage.getItem(HISTORY_KEY) ?? '[]');
    return Array.isArray(stored) ? stored.filter((s): s is string => typeof s === 'string').slice(0, MAX_HISTORY) : [];
  } catch {
    // A history written by something else, or storage that is not available: start empty.
    return [];
  }
}

function saveFilterHistory(history: readonly string[]): void {
  try {
    localStorage.setItem(HISTORY_KEY, JSON.stringify(history));
  } catch {
    // Storage full or disabled: the history lasts for this session only.
  }
}

interface Props {
  transport: Transport;
  /** The filter whose frames the list shows ('' for all frames). */
  applied: string;
  /** Progress of the filter being applied, null when none is running. */
  progress: FilterProgress | null;
  onApply(filter: string): void;
}

type Check = { state: 'empty' } | { state: 'valid' } | { state: 'invalid'; error: Extract<DisplayFilterCheck, { ok: false }>['error'] };

/**
 * Wireshark's display filter bar: green while the text compiles, red (with the message and the offending
 * text underlined) when not, neutral when empty. Enter applies, Escape clears, field names complete as
 * you type (Tab or arrows and Enter pick one), Up/Down at the start walk the history of applied filters,
 * Ctrl+/ focuses it.
 */
export function FilterBar({ transport, applied, progress, onApply }: Props) {
  const input = useRef<HTMLInputElement>(null);
  const [text, setText] = useState(applied);
  const [check, setCheck] = useState<Check>({ state: 'empty' });
  const [suggestions, setSuggestions] = useState<FilterSuggestions | null>(null);
  /** The suggestion highlighted with the arrow keys, -1 for none. */
  const [picked, setPicked] = useState(-1);
  const [history, setHistory] = useState<string[]>(loadFilterHistory);
  const [historyAt, setHistoryAt] = useState(-1);
  const [historyOpen, setHistoryOpen] = useState(false);

  useEffect(() => setText(applied), [applied]);

  // Compile as you type; the answer for older text is dropped.
  useEffect(() => {
    if (text.trim() === '') {
      setCheck({ state: 'empty' });
      return;
    }
    let current = true;
    transport.call('filter.check', { text }).then(
      (result) => {
        if (current) setCheck(result.ok ? { state: 'valid' } : { state: 'invalid', error: result.error });
      },
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [transport, text]);

  const suggest = (value: string, at: number) => {
    transport.call('filter.suggest', { text: value, cursor: at }).then(
      (result) => {
        if (input.current?.value !== value) return;
        // A word that is already a complete name and the only one offered needs no list.
        const word = value.slice(result.start, result.end);
        setSuggestions(result.names.length === 0 || (result.names.length === 1 && result.names[0] === word) ? null : result);
        setPicked(-1);
      },
      () => setSuggestions(null),
    );
  };

  useEffect(() => {
    const onKey = (event: globalThis.KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && event.key === '/') {
        event.preventDefault();
        input.current?.focus();
        input.current?.select();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const apply = (value: string) => {
    setSuggestions(null);
    setHistoryOpen(false);
    setHistoryAt(-1);
    const filter = value.trim();
    if (filter !== '') {
      const next = [filter, ...history.filter((h) => h !== filter)].slice(0, MAX_HISTORY);
      setHistory(next);
      saveFilterHistory(next);
    }
    onApply(filter);
  };

  const complete = (name: string) => {
    if (!suggestions) return;
    const value = text.slice(0, suggestions.start) + name + text.slice(suggestions.end);
    const at = suggestions.start + name.length;
    setText(value);
    setSuggestions(null);
    requestAnimationFrame(() => input.current?.setSelectionRange(at, at));
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    const list = suggestions?.names ?? [];
    if (list.length > 0 && (event.key === 'ArrowDown' || event.key === 'ArrowUp')) {
      event.preventDefault();
      setPicked((p) => (event.key === 'ArrowDown' ? (p + 1) % list.length : p <= 0 ? list.length - 1 : p - 1));
    } else if (list.length > 0 && (event.key === 'Tab' || (event.key === 'Enter' && picked >= 0))) {
      // Tab takes the highlighted name, or the first; Enter completes only a name picked with the arrows.
      event.preventDefault();
      complete(list[Math.max(picked, 0)]);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      apply(text);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      if (suggestions || historyOpen) {
        setSuggestions(null);
        setHistoryOpen(false);
      } else {
        setText('');
        if (applied !== '') onApply('');
      }
    } else if ((event.key === 'ArrowUp' || event.key === 'ArrowDown') && history.length > 0) {
      event.preventDefault();
      const at = event.key === 'ArrowUp' ? Math.min(historyAt + 1, history.length - 1) : historyAt - 1;
      setHistoryAt(at);
      setText(at < 0 ? '' : history[at]);
    }
  };

  const error = check.state === 'invalid' ? check.error : null;
  const errorStart = error ? Math.min(error.column - 1, text.length) : 0;
  const running = progress !== null && progress.total > 0;

  return (
    <div className="filter-bar" data-state={check.state}>
      <div className="filter-field">
        <input
          ref={input}
          aria-label="Display filter"
          aria-invalid={check.state === 'invalid'}
          placeholder="Apply a display filter … <Ctrl-/>"
          spellCheck={false}
          value={text}
          className={`filter-input filter-${check.state}`}
          onChange={(e) => {
            setText(e.target.value);
            setHistoryAt(-1);
            suggest(e.target.value, e.target.selectionStart ?? e.target.value.length);
          }}
          onKeyDown={onKeyDown}
          onBlur={() => setTimeout(() => setSuggestions(null), 150)}
        />
        {error ? (
          // The text again, invisible, with the offending part underlined under the input's own text.
          <div className="filter-underline" aria-hidden="true">
            <span>{text.slice(0, errorStart)}</span>
            <mark>{text.slice(errorStart, errorStart + error.length) || ' '}</mark>
          </div>
        ) : null}
        {suggestions ? (
          <ul className="filter-suggestions" role="listbox" aria-label="Field names">
            {suggestions.names.map((name, i) => (
              <li
                key={name}
                role="option"
                aria-selected={i === picked}
                className={i === picked ? 'picked' : ''}
                onMouseDown={(e) => {
                  e.preventDefault();
                  complete(name);
                }}
              >
                {name}
              </li>
            ))}
          </ul>
        ) : null}
        {historyOpen && history.length > 0 ? (
          <ul className="filter-suggestions" role="listbox" aria-label="Recent filters">
            {history.map((filter) => (
              <li
                key={filter}
                role="option"
                aria-selected={filter === applied}
                onMouseDown={(e) => {
                  e.preventDefault();
                  setText(filter);
                  apply(filter);
                }}
              >
                {filter}
              </li>
            ))}
          </ul>
        ) : null}
      </div>
      <button type="button" aria-label="Recent filters" title="Recent filters" onClick={() => setHistoryOpen((open) => !open)}>
        ▾
      </button>
      <button type="button" disabled={check.state === 'invalid'} onClick={() => apply(text)}>
        Apply
      </button>
      {error ? (
        <span className="filter-message" role="alert" data-testid="filter-error">
          Column {error.column}: {error.message}
        </span>
      ) : running ? (
        <span className="filter-message" data-testid="filter-progress">
          Filtering {Math.floor((progress.scanned / progress.total) * 100)}% · {progress.matched.toLocaleString('en-US')} match
        </span>
      ) : null}
    </div>
  );
}
