import { describe, expect, it } from 'vitest';
import { parseFilter } from '../../../app/filter/parser';
import type { Entity, Expr } from '../../../app/filter/parser';

function entity(e: Entity): string {
  switch (e.kind) {
    case 'word':
      return e.text;
    case 'string':
      return JSON.stringify(e.text);
    case 'char':
      return `'${String.fromCharCode(e.byte)}'`;
    case 'slice':
      return `${entity(e.base)}[${e.ranges.map((r) => `${r.from}:${r.length ?? ''}`).join(',')}]`;
    case 'call':
      return `${e.name}(${e.args.map(entity).join(', ')})`;
    case 'arithmetic':
      return `(${e.op} ${entity(e.left)} ${entity(e.right)})`;
    case 'negate':
      return `(neg ${entity(e.operand)})`;
  }
}

/** The tree as an S-expression, to compare structure in one line. */
function tree(e: Expr): string {
  switch (e.kind) {
    case 'or':
    case 'and':
      return `(${e.kind} ${tree(e.left)} ${tree(e.right)})`;
    case 'not':
      return `(not ${tree(e.operand)})`;
    case 'exists':
      return entity(e.entity);
    case 'relation':
      return `(${e.quantifier ? `${e.quantifier} ` : ''}${e.op} ${entity(e.left)} ${entity(e.right)})`;
    case 'in':
      return `(in ${entity(e.left)} {${e.items.map((i) => (i.high ? `${entity(i.low)}..${entity(i.high)}` : entity(i.low))).join(', ')}})`;
  }
}

function parsed(text: string): string {
  const result = parseFilter(text);
  if (!result.ok) throw new Error(`${result.error.message} at ${result.error.start}`);
  return tree(result.expr);
}

describe('parseFilter', () => {
  it.each([
    ['tcp', 'tcp'],
    ['tcp.port == 80', '(any_eq tcp.port 80)'],
    ['tcp.port eq 80', '(any_eq tcp.port 80)'],
    ['ip.addr != 10.0.0.1', '(all_ne ip.addr 10.0.0.1)'],
    ['ip.addr ne 10.0.0.1', '(all_ne ip.addr 10.0.0.1)'],
    ['a === b', '(all_eq a b)'],
    ['a !== b', '(any_ne a b)'],
    ['a ~= b', '(any_ne a b)'],
    ['a < 1 || a lt 1 || a <= 1 || a le 1 || a > 1 || a gt 1 || a >= 1 || a ge 1',
      '(or (or (or (or (or (or (or (lt a 1) (lt a 1)) (le a 1)) (le a 1)) (gt a 1)) (gt a 1)) (ge a 1)) (ge a 1))'],
    ['dns.qry.name contains "x"', '(contains dns.qry.name "x")'],
    ['dns.qry.name matches "^a"', '(matches dns.qry.name "^a")'],
    ['dns.qry.name ~ "^a"', '(matches dns.qry.name "^a")'],
  ])('relation %s', (text, expected) => {
    expect(parsed(text)).toBe(expected);
  });

  it('and binds tighter than or; not tighter than and (tshark: "a or b and c" is "a or (b and c)")', () => {
    expect(parsed('a or b and c')).toBe('(or a (and b c))');
    expect(parsed('a && b || c')).toBe('(or (and a b) c)');
    expect(parsed('!a and b')).toBe('(and (not a) b)');
    expect(parsed('not a == 1 or b')).toBe('(or (not (any_eq a 1)) b)');
    expect(parsed('a and b and c')).toBe('(and (and a b) c)');
  });

  it('parentheses group', () => {
    expect(parsed('(a or b) and c')).toBe('(and (or a b) c)');
    expect(parsed('!(a == 1)')).toBe('(not (any_eq a 1))');
    expect(parsed('((a))')).toBe('a');
  });

  it('chained comparisons join with and: a == b == c is a == b and b == c', () => {
    expect(parsed('a == b == c')).toBe('(and (any_eq a b) (any_eq b c))');
  });

  it('quantifiers', () => {
    expect(parsed('all tcp.port > 1024')).toBe('(all gt tcp.port 1024)');
    expect(parsed('any tcp.port != 80')).toBe('(any all_ne tcp.port 80)');
  });

  it('membership: commas, ranges, "not in"', () => {
    expect(parsed('tcp.port in {80, 443, 8000..8080}')).toBe('(in tcp.port {80, 443, 8000..8080})');
    expect(parsed('tcp.port in { 80 .. 90 }')).toBe('(in tcp.port {80..90})');
    expect(parsed('ip.src in {10.0.0.1..10.0.0.9}')).toBe('(in ip.src {10.0.0.1..10.0.0.9})');
    expect(parsed('tcp.port not in {80}')).toBe('(not (in tcp.port {80}))');
    expect(parsed('dns.qry.name in {"a", "b"}')).toBe('(in dns.qry.name {"a", "b"})');
  });

  it('slices: start:length, start-end, single byte, open ends, lists, chained', () => {
    expect(parsed('eth.src[0:3] == 00:11:22')).toBe('(any_eq eth.src[0:3] 00:11:22)');
    expect(parsed('eth.src[1-3]')).toBe('eth.src[1:3]');
    expect(parsed('eth.src[2]')).toBe('eth.src[2:1]');
    expect(parsed('eth.src[:2]')).toBe('eth.src[0:2]');
    expect(parsed('eth.src[4:]')).toBe('eth.src[4:]');
    expect(parsed('eth.src[-3:]')).toBe('eth.src[-3:]');
    expect(parsed('eth.src[-3--1]')).toBe('eth.src[-3:3]');
    expect(parsed('eth.src[0:3, 5]')).toBe('eth.src[0:3,5:1]');
    expect(parsed('frame[0:4][1]')).toBe('frame[0:4][1:1]');
  });

  it('functions and arithmetic (* / % & before + -, braces group, unary minus)', () => {
    expect(parsed('len(dns.qry.name) > 10')).toBe('(gt len(dns.qry.name) 10)');
    expect(parsed('max(a, b, c) == 1')).toBe('(any_eq max(a, b, c) 1)');
    expect(parsed('frame.len - 14 == ip.len')).toBe('(any_eq (minus frame.len 14) ip.len)');
    expect(parsed('a + b * c == 1')).toBe('(any_eq (plus a (times b c)) 1)');
    expect(parsed('{a + b} * c == 1')).toBe('(any_eq (times (plus a b) c) 1)');
    expect(parsed('tcp.flags & 0x12 == 0x12')).toBe('(any_eq (bitand tcp.flags 0x12) 0x12)');
    expect(parsed('tcp.flags bitwise_and 2')).toBe('(bitand tcp.flags 2)');
    expect(parsed('-a == -1')).toBe('(any_eq (neg a) (neg 1))');
  });

  it('literals: strings and character constants', () => {
    expect(parsed(String.raw`x == "a\"b"`)).toBe('(any_eq x "a\\"b")');
    expect(parsed("x == 'P'")).toBe("(any_eq x 'P')");
  });

  it.each([
    ['(tcp', 0, 1, 'Unbalanced parenthesis: "(" is never closed.'],
    ['((tcp)', 0, 1, 'Unbalanced parenthesis: "(" is never closed.'],
    ['tcp)', 3, 4, 'Unbalanced parenthesis: ")" has no matching "(".'],
    ['(tcp))', 5, 6, 'Unbalanced parenthesis: ")" has no matching "(".'],
    ['()', 1, 2, '")" was unexpected in this context.'],
    ['tcp &&', 6, 6, 'Unexpected end of filter expression.'],
    ['tcp.port ==', 11, 11, 'Unexpected end of filter expression.'],
    ['or tcp', 0, 2, '"or" was unexpected in this context.'],
    ['tcp and or udp', 8, 10, '"or" was unexpected in this context.'],
    ['== 80', 0, 2, '"==" was unexpected in this context.'],
    ['tcp.port 80', 9, 11, '"80" was unexpected in this context.'],
    ['tcp.port in 80', 12, 14, '"80" was unexpected in this context.'],
    ['tcp.port in {80', 12, 13, '"{" is never closed.'],
    ['tcp.port in {}', 13, 14, '"}" was unexpected in this context.'],
    ['tcp.port in {80 443}', 16, 19, '"443" was unexpected in this context.'],
    ['tcp.port in {80,}', 16, 17, '"}" was unexpected in this context.'],
    ['tcp.port in {80..}', 17, 18, '"}" was unexpected in this context.'],
    ['all tcp', 7, 7, 'Unexpected end of filter expression.'],
    ['eth.src[2:0]', 8, 11, "Range 2:0 isn't valid because length 0 isn't positive"],
    ['eth.src[1-1]', 8, 11, "Range 1-1 isn't valid because 1 is greater or equal than 1"],
    ['eth.src[-1-2]', 8, 12, "Range -1-2 isn't valid because -1 and 2 have different signs"],
    ['eth.src[1a]', 8, 10, '"1a" is not a valid range.'],
    ['len(a', 3, 4, 'Unbalanced parenthesis: "(" is never closed.'],
    ['$a', 0, 1, '"$" is not supported (field references and layers are not implemented).'],
  ])('rejects %s', (text, start, end, message) => {
    expect(parseFilter(text)).toEqual({ ok: false, error: { start, end, message } });
  });
});
