import { describe, expect, it } from 'vitest';
import { suggestFields } from '../../../app/filter/suggest';
import './fixture';

describe('suggestFields', () => {
  it('completes the word at the cursor, shorter names first', () => {
    const text = 'udp && tcp.fl';
    expect(suggestFields(text, text.length)).toEqual({ start: 7, end: 13, names: ['tcp.flags', 'tcp.flags.ack', 'tcp.flags.syn'] });
  });

  it('offers the both-direction names next to the fields', () => {
    expect(suggestFields('ip.a', 4).names).toEqual(['ip.addr']);
    expect(suggestFields('tcp.p', 5).names).toEqual(['tcp.port']);
  });

  it('replaces the whole word when the cursor is inside it', () => {
    expect(suggestFields('ip.ttl == 1', 4)).toMatchObject({ start: 0, end: 6 });
  });

  it('offers nothing inside a string, for numbers or for an empty word', () => {
    expect(suggestFields('dns.qry.name == "tcp', 20).names).toEqual([]);
    expect(suggestFields('ip.ttl == 6', 11).names).toEqual([]);
    expect(suggestFields('tcp && ', 7).names).toEqual([]);
  });

  it('stops at the limit', () => {
    expect(suggestFields('t', 1, 2).names).toEqual(['tcp', 'tcp.analysis']);
  });
});
