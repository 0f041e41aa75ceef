/*
 * The `matches` operator: Wireshark 4.0 compiles a PCRE2 pattern, case-insensitive by default
 * (PCRE2_CASELESS; "(?-i)" at the start makes it case-sensitive). We run JavaScript regular expressions
 * and translate what differs:
 * - inline options at the very start, (?i) (?-i) (?s) (?m) and combinations, become flags; anywhere
 *   else, and scoped (?i:...), they are rejected (JavaScript in Node 20 has no inline modifiers);
 * - \A, \z, \Z and a non-multiline $ (PCRE's $ also matches before a final newline) become lookarounds;
 * - (?P<name>...) and (?P=name) become (?<name>...) and \k<name>; \Q...\E quotes;
 * - POSIX classes inside brackets ([[:alpha:]], [[:digit:]], ...) are expanded; a ']' first in a class
 *   is a literal, as in PCRE.
 * Not supported (rejected, as JavaScript rejects them): possessive quantifiers (a++), atomic groups
 * (?>...), recursion (?R), conditionals, (?x) extended mode, \K. Semantics that differ silently: without
 * the 'u' flag JavaScript matches UTF-16 code units where PCRE2 in Wireshark matches bytes, which only
 * matters for non-ASCII text; byte fields are matched as one character per byte (Latin-1).
 */

export type PatternResult = { ok: true; pattern: RegExp } | { ok: false; message: string };

const POSIX_CLASSES: Readonly<Record<string, string>> = {
  alpha: 'a-zA-Z',
  digit: '0-9',
  alnum: 'a-zA-Z0-9',
  upper: 'A-Z',
  lower: 'a-z',
  xdigit: '0-9A-Fa-f',
  space: '\\s',
  blank: ' \\t',
  word: '\\w',
  punct: '!-\\/:-@\\[-`{-~',
  cntrl: '\\x00-\\x1f\\x7f',
  print: '\\x20-\\x7e',
  graph: '\\x21-\\x7e',
};

const END_OF_SUBJECT = '(?![\\s\\S])';

export function compilePattern(source: string): PatternResult {
  const flags = new Set(['i']);
  let rest = source;
  for (let option = /^\(\?([a-zA-Z]*)(?:-([a-zA-Z]*))?\)/.exec(rest); option; option = /^\(\?([a-zA-Z]*)(?:-([a-zA-Z]*))?\)/.exec(rest)) {
    for (const [letters, on] of [[option[1], true], [option[2] ?? '', false]] as const) {
      for (const letter of letters) {
        if (letter !== 'i' && letter !== 'm' && letter !== 's') return { ok: false, message: `The regular expression option (?${letter}) is not supported.` };
        if (on) flags.add(letter);
        else flags.delete(letter);
      }
    }
    rest = rest.slice(option[0].length);
  }
  const translated = translate(rest, flags.has('m'));
  if (typeof translated !== 'string') return translated;
  try {
    return { ok: true, pattern: new RegExp(translated, [...flags].join('')) };
  } catch (error) {
    return { ok: false, message: `"${source}" is not a valid regular expression: ${error instanceof Error ? error.message : String(error)}` };
  }
}

function translate(pattern: string, multiline: boolean): string | { ok: false; message: string } {
  let out = '';
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i];
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if (next === 'A') out += '(?<![\\s\\S])';
      else if (next === 'z') out += END_OF_SUBJECT;
      else if (next === 'Z') out += `(?=\\n?${END_OF_SUBJECT})`;
      else if (next === 'Q') {
        const end = pattern.indexOf('\\E', i + 2);
        const quoted = pattern.slice(i + 2, end < 0 ? pattern.length : end);
        out += quoted.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
        i = end < 0 ? pattern.length : end + 2;
        continue;
      } else out += c + next;
      i += 2;
      continue;
    }
    if (c === '$' && !multiline) {
      out += `(?=\\n?${END_OF_SUBJECT})`;
      i++;
      continue;
    }
    if (c === '[') {
      const parsed = translateClass(pattern, i);
      out += parsed.text;
      i = parsed.end;
      continue;
    }
    if (pattern.startsWith('(?P<', i)) {
      out += '(?<';
      i += 4;
      continue;
    }
    if (pattern.startsWith('(?P=', i)) {
      const close = pattern.indexOf(')', i);
      if (close < 0) break;
      out += `\\k<${pattern.slice(i + 4, close)}>`;
      i = close + 1;
      continue;
    }
    if (/^\(\?-?[a-zA-Z]+[:)]/.test(pattern.slice(i))) {
      return { ok: false, message: 'Regular expression options such as (?i) are supported only at the start of the pattern.' };
    }
    out += c;
    i++;
  }
  return out;
}

/** A bracket expression starting at pattern[open]; returns its JavaScript text and the index after it. */
function translateClass(pattern: string, open: number): { text: string; end: number } {
  let i = open + 1;
  let text = '[';
  if (pattern[i] === '^') {
    text += '^';
    i++;
  }
  if (pattern[i] === ']') {
    text += '\\]';
    i++;
  }
  while (i < pattern.length && pattern[i] !== ']') {
    const posix = /^\[:([a-z]+):\]/.exec(pattern.slice(i));
    if (posix && POSIX_CLASSES[posix[1]]) {
      text += POSIX_CLASSES[posix[1]];
      i += posix[0].length;
      continue;
    }
    if (pattern[i] === '\\') {
      text += pattern.slice(i, i + 2);
      i += 2;
      continue;
    }
    text += pattern[i] === '[' ? '\\[' : pattern[i];
    i++;
  }
  // Unterminated: leave it open so that RegExp reports it.
  if (i >= pattern.length) return { text, end: i };
  return { text: `${text}]`, end: i + 1 };
}
