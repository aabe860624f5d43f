/**
 * Go's encoding/json as docker's `json` template function uses it. Go's outputs for the escapes
 * below: `json.Marshal` with `SetEscapeHTML(false)` (and with it on for the HTML case).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goJSON, goJSONString } from './json.js';

test('strings: Go escapes, plain text as is', () => {
  assert.equal(goJSONString('gantry-bench/img-1'), '"gantry-bench/img-1"');
  assert.equal(goJSONString('a"b\\c'), '"a\\"b\\\\c"');
  assert.equal(goJSONString('\b\f\n\r\t\u0001'), '"\\u0008\\u000c\\n\\r\\t\\u0001"');
  assert.equal(goJSONString('<a&b>'), '"<a&b>"');
  assert.equal(goJSONString('<a&b>', true), '"\\u003ca\\u0026b\\u003e"');
  assert.equal(goJSONString('héllo \u2028 😀'), '"héllo \\u2028 😀"');
  assert.equal(goJSONString('\ud800x'), '"\\ufffdx"');
  assert.equal(goJSONString('\x7f'), '"\x7f"');
});

test('printable ASCII objects encode as JSON.stringify of the key-sorted object', () => {
  let seed = 7;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const text = (): string => Array.from({ length: rnd(12) }, () => String.fromCharCode(0x20 + rnd(0x5f))).join('');
  for (let i = 0; i < 300; i++) {
    const o: Record<string, string> = {};
    for (let k = 0, n = rnd(6); k < n; k++) o[rnd(3) === 0 ? String(rnd(20)) : text()] = text();
    const sorted = Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
    // JSON.stringify keeps integer-like keys first whatever the order: compare entry by entry.
    const expected = `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${JSON.stringify(sorted[k])}`).join(',')}}`;
    assert.equal(goJSON(o), expected);
  }
});

test('map keys sort bytewise (integer-like keys too) and nest with indentation', () => {
  assert.equal(goJSON({ b: 1, a: { d: [1, 'x'], c: null }, 10: true, 9: false }), '{"10":true,"9":false,"a":{"c":null,"d":[1,"x"]},"b":1}');
  assert.equal(goJSON({ b: 1, a: { c: 'x' } }, '  '), '{\n  "a": {\n    "c": "x"\n  },\n  "b": 1\n}');
  assert.equal(goJSON(new Map([['b', 1], ['a', 2]])), '{"a":2,"b":1}');
  assert.equal(goJSON({}), '{}');
});
