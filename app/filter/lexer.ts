/**
 * The tokens of Wireshark's display filter language, as tshark 4.0 scans them (epan/dfilter/scanner.l).
 *
 * Positions are 0-based offsets into the filter text; the public error of compileFilter turns them into
 * 1-based columns. Words are not classified here: whether `tcp`, `A` or `10.0.0.1` names a field or a
 * literal depends on the field registry and on the other side of the comparison, so the compiler decides.
 */

export type ComparisonOp = 'any_eq' | 'all_ne' | 'all_eq' | 'any_ne' | 'gt' | 'ge' | 'lt' | 'le';
export type ArithmeticOp = 'plus' | 'minus' | 'times' | 'divide' | 'modulo' | 'bitand';

export type TokenKind =
  | 'word' // a field name or an unquoted literal: tcp.port, 10.0.0.0/8, 00:11:22, 0x50, Set
  | 'string' // "..." or r"..."
  | 'char' // 'a' or '\x41': one byte
  | 'slice' // [0:3,5]: the text between the brackets, parsed by the parser
  | 'comparison'
  | 'contains'
  | 'matches'
  | 'in'
  | 'not'
  | 'and'
  | 'or'
  | 'quantifier' // any, all
  | 'arithmetic'
  | 'lparen'
  | 'rparen'
  | 'lbrace'
  | 'rbrace'
  | 'comma'
  | 'dotdot'
  | 'unsupported'; // $ and #: field references and layers of Wireshark 4.0, not implemented here

export interface Token {
  kind: TokenKind;
  /** The text as written (for strings: including the quotes). */
  text: string;
  start: number;
  /** Exclusive end offset. */
  end: number;
  comparison?: ComparisonOp;
  arithmetic?: ArithmeticOp;
  /** Strings: the value as UTF-8 bytes (escapes \xNN and \NNN give raw bytes). Chars: one byte. */
  bytes?: Uint8Array;
}

export interface LexError {
  start: number;
  end: number;
  message: string;
}

export type LexResult = { ok: true; tokens: Token[] } | { ok: false; error: LexError };

const KEYWORDS: Readonly<Record<string, Pick<Token, 'kind' | 'comparison' | 'arithmetic'>>> = {
  eq: { kind: 'comparison', comparison: 'any_eq' },
  any_eq: { kind: 'comparison', comparison: 'any_eq' },
  ne: { kind: 'comparison', comparison: 'all_ne' },
  all_ne: { kind: 'comparison', comparison: 'all_ne' },
  all_eq: { kind: 'comparison', comparison: 'all_eq' },
  any_ne: { kind: 'comparison', comparison: 'any_ne' },
  gt: { kind: 'comparison', comparison: 'gt' },
  ge: { kind: 'comparison', comparison: 'ge' },
  lt: { kind: 'comparison', comparison: 'lt' },
  le: { kind: 'comparison', comparison: 'le' },
  contains: { kind: 'contains' },
  matches: { kind: 'matches' },
  in: { kind: 'in' },
  not: { kind: 'not' },
  and: { kind: 'and' },
  or: { kind: 'or' },
  any: { kind: 'quantifier' },
  all: { kind: 'quantifier' },
  bitwise_and: { kind: 'arithmetic', arithmetic: 'bitand' },
};

/** Longest first: '===' before '==', '!==' before '!=' before '!'. */
const SYMBOLS: ReadonlyArray<readonly [string, Pick<Token, 'kind' | 'comparison' | 'arithmetic'>]> = [
  ['===', { kind: 'comparison', comparison: 'all_eq' }],
  ['!==', { kind: 'comparison', comparison: 'any_ne' }],
  ['==', { kind: 'comparison', comparison: 'any_eq' }],
  ['!=', { kind: 'comparison', comparison: 'all_ne' }],
  // Deprecated in Wireshark 4.0 but still accepted: the old "any not equal".
  ['~=', { kind: 'comparison', comparison: 'any_ne' }],
  ['>=', { kind: 'comparison', comparison: 'ge' }],
  ['<=', { kind: 'comparison', comparison: 'le' }],
  ['>', { kind: 'comparison', comparison: 'gt' }],
  ['<', { kind: 'comparison', comparison: 'lt' }],
  ['&&', { kind: 'and' }],
  ['||', { kind: 'or' }],
  ['!', { kind: 'not' }],
  ['~', { kind: 'matches' }],
  ['&', { kind: 'arithmetic', arithmetic: 'bitand' }],
  ['+', { kind: 'arithmetic', arithmetic: 'plus' }],
  ['-', { kind: 'arithmetic', arithmetic: 'minus' }],
  ['*', { kind: 'arithmetic', arithmetic: 'times' }],
  ['/', { kind: 'arithmetic', arithmetic: 'divide' }],
  ['%', { kind: 'arithmetic', arithmetic: 'modulo' }],
  ['..', { kind: 'dotdot' }],
  ['(', { kind: 'lparen' }],
  [')', { kind: 'rparen' }],
  ['{', { kind: 'lbrace' }],
  ['}', { kind: 'rbrace' }],
  [',', { kind: 'comma' }],
  ['$', { kind: 'unsupported' }],
  ['#', { kind: 'unsupported' }],
];

function isWordStart(c: string): boolean {
  return /[A-Za-z0-9_:.]/.test(c);
}

function isWordChar(c: string): boolean {
  return /[A-Za-z0-9_:.\-/]/.test(c);
}

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = {
  a: 0x07,
  b: 0x08,
  f: 0x0c,
  n: 0x0a,
  r: 0x0d,
  t: 0x09,
  v: 0x0b,
  '\\': 0x5c,
  '"': 0x22,
  "'": 0x27,
};

const utf8 = new TextEncoder();

export function tokenize(text: string): LexResult {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if ((c === 'r' || c === 'R') && text[i + 1] === '"') {
      const scanned = scanString(text, i + 1, true);
      if ('message' in scanned) return { ok: false, error: scanned };
      tokens.push({ kind: 'string', text: text.slice(i, scanned.end), start: i, end: scanned.end, bytes: scanned.bytes });
      i = scanned.end;
      continue;
    }
    if (c === '"') {
      const scanned = scanString(text, i, false);
      if ('message' in scanned) return { ok: false, error: scanned };
      tokens.push({ kind: 'string', text: text.slice(i, scanned.end), start: i, end: scanned.end, bytes: scanned.bytes });
      i = scanned.end;
      continue;
    }
    if (c === "'") {
      const scanned = scanChar(text, i);
      if ('message' in scanned) return { ok: false, error: scanned };
      tokens.push({ kind: 'char', text: text.slice(i, scanned.end), start: i, end: scanned.end, bytes: scanned.bytes });
      i = scanned.end;
      continue;
    }
    if (c === '[') {
      const close = text.indexOf(']', i + 1);
      if (close < 0) return { ok: false, error: { start: i, end: text.length, message: 'The right bracket was missing from a slice.' } };
      tokens.push({ kind: 'slice', text: text.slice(i + 1, close), start: i, end: close + 1 });
      i = close + 1;
      continue;
    }
    // A word may start with '.', but '..' is the range operator (10.0.0.1..10.0.0.9 is three tokens).
    if (isWordStart(c) && !(c === '.' && text[i + 1] === '.')) {
      let end = i + 1;
      while (end < text.length && isWordChar(text[end]) && !(text[end] === '.' && text[end + 1] === '.')) end++;
      const word = text.slice(i, end);
      const keyword = KEYWORDS[word];
      tokens.push({ ...(keyword ?? { kind: 'word' }), text: word, start: i, end });
      i = end;
      continue;
    }
    const symbol = SYMBOLS.find(([s]) => text.startsWith(s, i));
    if (symbol) {
      const [s, token] = symbol;
      tokens.push({ ...token, text: s, start: i, end: i + s.length });
      i += s.length;
      continue;
    }
    return { ok: false, error: { start: i, end: i + 1, message: `"${c}" was unexpected in this context.` } };
  }
  return { ok: true, tokens };
}

type Scanned = { end: number; bytes: Uint8Array } | LexError;

/**
 * A double-quoted string starting at text[quote]. Escapes as in C (scanner.l): \a \b \f \n \r \t \v \\ \" \',
 * \NNN octal (at most 255), \xN[N] hex, \uXXXX and \UXXXXXXXX code points. Raw strings (r"...") keep
 * every backslash and only use \" and \\ to avoid ending the string.
 */
function scanString(text: string, quote: number, raw: boolean): Scanned {
  const bytes: number[] = [];
  let i = quote + 1;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') return { end: i + 1, bytes: Uint8Array.from(bytes) };
    if (c !== '\\') {
      const codePoint = text.codePointAt(i) ?? 0;
      const char = String.fromCodePoint(codePoint);
      bytes.push(...utf8.encode(char));
      i += char.length;
      continue;
    }
    if (i + 1 >= text.length) break;
    if (raw) {
      bytes.push(0x5c, text.charCodeAt(i + 1));
      i += 2;
      continue;
    }
    const escape = scanEscape(text, i);
    if ('message' in escape) return escape;
    bytes.push(...escape.bytes);
    i = escape.end;
  }
  return { start: quote, end: text.length, message: 'The final quote was missing from a quoted string.' };
}

/** One escape sequence starting at the backslash text[at]. */
function scanEscape(text: string, at: number): Scanned {
  const next = text[at + 1];
  const simple = SIMPLE_ESCAPES[next];
  if (simple !== undefined) return { end: at + 2, bytes: Uint8Array.of(simple) };
  const octal = /^[0-7]{1,3}/.exec(text.slice(at + 1, at + 4));
  if (octal) {
    const value = parseInt(octal[0], 8);
    if (value > 0xff) return { start: at, end: at + 1 + octal[0].length, message: `\\${octal[0]} is larger than 255.` };
    return { end: at + 1 + octal[0].length, bytes: Uint8Array.of(value) };
  }
  if (next === 'x') {
    const hex = /^[0-9A-Fa-f]{1,2}/.exec(text.slice(at + 2, at + 4));
    if (hex) return { end: at + 2 + hex[0].length, bytes: Uint8Array.of(parseInt(hex[0], 16)) };
  }
  if (next === 'u' || next === 'U') {
    const digits = next === 'u' ? 4 : 8;
    const hex = (/^[0-9A-Fa-f]*/.exec(text.slice(at + 2, at + 2 + digits)) as RegExpExecArray)[0];
    const codePoint = hex.length === digits ? parseInt(hex, 16) : -1;
    if (codePoint < 0 || codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) {
      return { start: at, end: at + 2 + hex.length, message: `\\${next} must be followed by ${digits} hexadecimal digits of a Unicode code point.` };
    }
    return { end: at + 2 + digits, bytes: utf8.encode(String.fromCodePoint(codePoint)) };
  }
  return { start: at, end: at + 2, message: `\\${next ?? ''} is not a valid character escape sequence` };
}

/** A character constant 'x' starting at text[quote]: exactly one byte. */
function scanChar(text: string, quote: number): Scanned {
  const close = text[quote + 1] === '\\' ? findCharEnd(text, quote) : text.indexOf("'", quote + 1);
  if (close < 0) return { start: quote, end: text.length, message: 'The final quote was missing from a character constant.' };
  const body = text.slice(quote + 1, close);
  let bytes: Uint8Array | null = null;
  if (body.startsWith('\\')) {
    const escape = scanEscape(text, quote + 1);
    if ('message' in escape) return escape;
    if (escape.end === close && escape.bytes.length === 1) bytes = escape.bytes;
  } else if (body.length === 1 && body.charCodeAt(0) < 0x80) {
    bytes = Uint8Array.of(body.charCodeAt(0));
  }
  if (!bytes) return { start: quote, end: close + 1, message: `${text.slice(quote, close + 1)} is too long to be a valid character constant.` };
  return { end: close + 1, bytes };
}

/** The closing quote of a character constant whose body starts with a backslash ('\'' is a quote). */
function findCharEnd(text: string, quote: number): number {
  return text.indexOf("'", quote + 3);
}
