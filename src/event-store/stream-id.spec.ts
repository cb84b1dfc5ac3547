import fc from 'fast-check';
import { validate, version } from 'uuid';
import { describe, expect, it } from 'vitest';
import { streamIdFor } from './stream-id.js';

describe('streamIdFor', () => {
  it('names the same stream for the same key on every run (the namespace is fixed forever)', () => {
    const id = streamIdFor('review', 'alice', 'p-1');
    expect(id).toBe(streamIdFor('review', 'alice', 'p-1'));
    // Pinned: a changed namespace or encoding would orphan every stream already written under a key.
    expect(id).toBe('a293739d-5dc1-5c1c-a8f1-8df99a2db0ea');
    expect(validate(id) && version(id)).toBe(5);
  });

  it('keeps stream types apart', () => {
    expect(streamIdFor('review', 'alice', 'p-1')).not.toBe(streamIdFor('wishlist', 'alice', 'p-1'));
  });

  it('tells keys apart whatever their parts hold: no separator can be forged', () => {
    const ids = [
      streamIdFor('t', 'ab', 'c'),
      streamIdFor('t', 'a', 'bc'),
      streamIdFor('t', 'abc'),
      streamIdFor('t', 'a,b', 'c'),
      streamIdFor('t', 'a', 'b,c'),
      streamIdFor('t', 'a', 'b', 'c'),
      streamIdFor('t', 'c', 'ab'),
      streamIdFor('t', '["ab","c"]'),
      streamIdFor('t', ''),
      streamIdFor('t', '', ''),
    ];
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('gives different keys different ids (property)', () => {
    const key = fc.array(fc.string(), { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(key, key, (a, b) => {
        fc.pre(JSON.stringify(a) !== JSON.stringify(b));
        expect(streamIdFor('t', ...a)).not.toBe(streamIdFor('t', ...b));
      }),
    );
  });

  it('refuses a key without parts or a stream without a type', () => {
    expect(() => streamIdFor('review')).toThrow(/at least one key part/);
    expect(() => streamIdFor('', 'x')).toThrow(/stream type/);
  });
});
