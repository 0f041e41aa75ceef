import { describe, expect, it } from 'vitest';
import { tokenize } from '../../../app/filter/lexer';
import type { Token } from '../../../app/filter/lexer';

function tokens(text: string): Token[] {
  const result = tokenize(text);
  if (!result.ok) throw new Error(result.error.message);
  return result.tokens;
}

/** kind:text, or kind(comparison|arithmetic) for operators. */
function summary(text: string): string[] {
  return tokens(text).map((t) => (t.comparison ?? t.arithmetic ? `${t.kind}(${t.comparison ?? t.arithmetic})` : `${t.kind}:${t.text}`));
}

function bytesOf(text: string): number[] {
  return Array.from(tokens(text)[0].bytes ?? []);
}

describe('tokenize', () => {
  it.each([
    ['==', 'any_eq'],
    ['eq', 'any_eq'],
    ['any_eq', 'any_eq'],
    ['!=', 'all_ne'],
    ['ne', 'all_ne'],
    ['all_ne', 'all_ne'],
    ['===', 'all_eq'],
    ['all_eq', 'all_eq'],
    ['!==', 'any_ne'],
    ['any_ne', 'any_ne'],
    ['~=', 'any_ne'],
    ['>', 'gt'],
    ['gt', 'gt'],
    ['>=', 'ge'],
    ['ge', 'ge'],
    ['<', 'lt'],
    ['lt', 'lt'],
    ['<=', 'le'],
    ['le', 'le'],
  ])('comparison %s', (op, comparison) => {
    expect(summary(`a ${op} b`)).toEqual(['word:a', `comparison(${comparison})`, 'word:b']);
  });

  it.each([
    ['&&', 'and'],
    ['and', 'and'],
    ['||', 'or'],
    ['or', 'or'],
    ['!', 'not'],
    ['not', 'not'],
    ['contains', 'contains'],
    ['matches', 'matches'],
    ['~', 'matches'],
    ['in', 'in'],
    ['any', 'quantifier'],
    ['all', 'quantifier'],
  ])('keyword or symbol %s', (text, kind) => {
    expect(tokens(text)[0].kind).toBe(kind);
  });

  it('operators need no spaces: the longest symbol wins', () => {
    expect(summary('!tcp.port===80&&a!==b')).toEqual([
      'not:!', 'word:tcp.port', 'comparison(all_eq)', 'word:80', 'and:&&', 'word:a', 'comparison(any_ne)', 'word:b',
    ]);
    expect(summary('tcp.flags&0x02')).toEqual(['word:tcp.flags', 'arithmetic(bitand)', 'word:0x02']);
    // '-' and '/' are word characters inside a word (mac-lte, 10.0.0.0/8), so b-c would be one word.
    expect(summary('a+b - c*d / e%f')).toEqual([
      'word:a', 'arithmetic(plus)', 'word:b', 'arithmetic(minus)', 'word:c', 'arithmetic(times)', 'word:d', 'arithmetic(divide)', 'word:e', 'arithmetic(modulo)', 'word:f',
    ]);
  });

  it('words hold addresses, CIDR, byte strings and hyphenated names; ".." splits a range', () => {
    expect(summary('10.0.0.0/8 fe80::1/64 00:11:22 08-00-27 mac-lte .tcp')).toEqual([
      'word:10.0.0.0/8', 'word:fe80::1/64', 'word:00:11:22', 'word:08-00-27', 'word:mac-lte', 'word:.tcp',
    ]);
    expect(summary('{10.0.0.1..10.0.0.9, 80..90}')).toEqual([
      'lbrace:{', 'word:10.0.0.1', 'dotdot:..', 'word:10.0.0.9', 'comma:,', 'word:80', 'dotdot:..', 'word:90', 'rbrace:}',
    ]);
  });

  it('a minus starts no word: -1 is minus and 1', () => {
    expect(summary('tcp.port==-1')).toEqual(['word:tcp.port', 'comparison(any_eq)', 'arithmetic(minus)', 'word:1']);
  });

  it('slices keep the text between the brackets', () => {
    const [field, slice] = tokens('eth.src[0:3, -1]');
    expect(field.text).toBe('eth.src');
    expect(slice).toMatchObject({ kind: 'slice', text: '0:3, -1', start: 7, end: 16 });
  });

  it('records 0-based offsets', () => {
    expect(tokens(' tcp  ==  "x"').map((t) => [t.start, t.end])).toEqual([[1, 4], [6, 8], [10, 13]]);
  });

  it('strings: C escapes, octal, hex and Unicode escapes become bytes', () => {
    expect(bytesOf(String.raw`"a\tb\n\\\"\'"`)).toEqual([0x61, 0x09, 0x62, 0x0a, 0x5c, 0x22, 0x27]);
    expect(bytesOf(String.raw`"\101\x42\x4"`)).toEqual([0x41, 0x42, 0x04]);
    expect(bytesOf(String.raw`"\xff"`)).toEqual([0xff]);
    expect(bytesOf(String.raw`"\u00e9\U0001F600"`)).toEqual([0xc3, 0xa9, 0xf0, 0x9f, 0x98, 0x80]);
    expect(bytesOf('"é"')).toEqual([0xc3, 0xa9]);
  });

  it('raw strings keep backslashes', () => {
    expect(bytesOf(String.raw`r"\d+\"x"`)).toEqual([...'\\d+\\"x'].map((c) => c.charCodeAt(0)));
    expect(tokens('R"a"')[0].kind).toBe('string');
  });

  it('character constants are one byte', () => {
    expect(bytesOf("'P'")).toEqual([0x50]);
    expect(bytesOf(String.raw`'\x01'`)).toEqual([0x01]);
    expect(bytesOf(String.raw`'\''`)).toEqual([0x27]);
    expect(bytesOf(String.raw`'\n'`)).toEqual([0x0a]);
  });

  it.each([
    ['"abc', 0, 4, 'The final quote was missing from a quoted string.'],
    [String.raw`"\q"`, 1, 3, String.raw`\q is not a valid character escape sequence`],
    [String.raw`"\400"`, 1, 5, String.raw`\400 is larger than 255.`],
    [String.raw`"\u12"`, 1, 5, String.raw`\u must be followed by 4 hexadecimal digits of a Unicode code point.`],
    ["'ab'", 0, 4, "'ab' is too long to be a valid character constant."],
    ["'a", 0, 2, 'The final quote was missing from a character constant.'],
    ['eth.src[0', 7, 9, 'The right bracket was missing from a slice.'],
    ['a = b', 2, 3, '"=" was unexpected in this context.'],
    ['a | b', 2, 3, '"|" was unexpected in this context.'],
    ['\\', 0, 1, '"\\" was unexpected in this context.'],
  ])('rejects %s', (text, start, end, message) => {
    expect(tokenize(text)).toEqual({ ok: false, error: { start, end, message } });
  });
});
