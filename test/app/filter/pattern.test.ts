import { describe, expect, it } from 'vitest';
import { compilePattern } from '../../../app/filter/pattern';

function test(pattern: string, subject: string): boolean {
  const compiled = compilePattern(pattern);
  if (!compiled.ok) throw new Error(compiled.message);
  return compiled.pattern.test(subject);
}

describe('compilePattern (PCRE2 as Wireshark 4.0 runs it)', () => {
  it('is case-insensitive by default; a leading (?-i) makes it case-sensitive', () => {
    expect(test('GOOGLE', 'www.google.com')).toBe(true);
    expect(test('(?-i)GOOGLE', 'www.google.com')).toBe(false);
    expect(test('(?-i)google', 'www.google.com')).toBe(true);
    expect(test('(?s)(?-i)a.b', 'a\nb')).toBe(true);
    expect(test('a.b', 'a\nb')).toBe(false);
  });

  it('$ also matches before a final newline unless multiline; \\z does not', () => {
    expect(test('com$', 'a.com\n')).toBe(true);
    expect(test('com\\z', 'a.com\n')).toBe(false);
    expect(test('com\\Z', 'a.com\n')).toBe(true);
    expect(test('(?m)^b$', 'a\nb\nc')).toBe(true);
    expect(test('^b$', 'a\nb\nc')).toBe(false);
  });

  it('\\A anchors at the start even in multiline mode', () => {
    expect(test('(?m)\\Ab', 'a\nb')).toBe(false);
    expect(test('\\Aa', 'a\nb')).toBe(true);
  });

  it('POSIX classes, a leading ] in a class, \\Q...\\E, (?P<name>)', () => {
    expect(test('^[[:digit:]]+$', '123')).toBe(true);
    expect(test('^[[:alpha:]]+$', 'ab1')).toBe(false);
    expect(test('[]a]', ']')).toBe(true);
    expect(test('\\Qa.b\\E', 'axb')).toBe(false);
    expect(test('\\Qa.b\\E', 'a.b')).toBe(true);
    expect(test('(?P<w>ab)(?P=w)', 'abab')).toBe(true);
  });

  it.each([
    ['(a', '"(a" is not a valid regular expression: Invalid regular expression: /(a/i: Unterminated group'],
    ['a++', '"a++" is not a valid regular expression: Invalid regular expression: /a++/i: Nothing to repeat'],
    ['[a', '"[a" is not a valid regular expression: Invalid regular expression: /[a/i: Unterminated character class'],
    ['(?x)a b', 'The regular expression option (?x) is not supported.'],
    ['a(?i)b', 'Regular expression options such as (?i) are supported only at the start of the pattern.'],
    ['(?i:a)', 'Regular expression options such as (?i) are supported only at the start of the pattern.'],
  ])('rejects %s', (pattern, message) => {
    expect(compilePattern(pattern)).toEqual({ ok: false, message });
  });
});
