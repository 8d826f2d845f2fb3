import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.js';

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[{"y":2,"z":1}]},"b":1}');
  });

  it('keeps array order and turns undefined items into null, like JSON.stringify', () => {
    expect(canonicalJson([3, undefined, 1])).toBe('[3,null,1]');
    expect(canonicalJson('text')).toBe('"text"');
  });
});

describe('canonicalJson on hostile input', () => {
  it('serializes a 100,000-deep value without recursion', () => {
    let value: unknown = 1;
    for (let level = 0; level < 100_000; level++) value = { b: value, a: [level] };
    const text = canonicalJson(value);
    expect(text.startsWith('{"a":[99999],"b":{"a":[99998],"b":')).toBe(true);
    expect(text.length).toBeGreaterThan(1_000_000);
  });

  it('matches JSON.stringify on the values JSON can hold', () => {
    const value = { z: [1, 'two', null, true, { y: 1.5, x: undefined }], a: new Date(0), f: () => 1 };
    expect(canonicalJson(value)).toBe('{"a":"1970-01-01T00:00:00.000Z","z":[1,"two",null,true,{"y":1.5}]}');
    expect(canonicalJson([() => 1, Symbol('s')])).toBe('[null,null]');
  });
});
