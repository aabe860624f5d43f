import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goDuration, goList, goQuote, goQuoteASCII, goQuoteList, goQuoteRune } from './go-compat.js';

test('goQuote() matches strconv.Quote', () => {
  assert.equal(goQuote('a"b\\c'), '"a\\"b\\\\c"');
  assert.equal(goQuote('tab\there\n'), '"tab\\there\\n"');
  assert.equal(goQuote('\x00\x7f'), '"\\x00\\x7f"');
  assert.equal(goQuote('héllo 한국어'), '"héllo 한국어"');
  assert.equal(goQuote('\u00a0'), '"\\u00a0"');
  assert.equal(goQuote('\x07\b\f\v'), '"\\a\\b\\f\\v"');
  assert.equal(goQuote('é♥😀'), '"é♥😀"');
  assert.equal(goQuote('\u200b\ufeff'), '"\\u200b\\ufeff"');
  assert.equal(goQuote('\u{e0001}'), '"\\U000e0001"');
});

test('goQuote() prints surrogate-escaped stray bytes as \\xNN and other lone surrogates as U+FFFD', () => {
  assert.equal(goQuote('a\udcff\udc80'), '"a\\xff\\x80"');
  assert.equal(goQuote('\ud800'), '"\\ufffd"');
});

test('goQuoteList() and goList() print slices as %q and %v do', () => {
  assert.equal(goQuoteList(['/bin/sh', '-c', 'echo "hi"']), '["/bin/sh" "-c" "echo \\"hi\\""]');
  assert.equal(goList(['/data', '/logs']), '[/data /logs]');
  assert.equal(goList([]), '[]');
});

test('goDuration() matches time.Duration.String()', () => {
  assert.equal(goDuration(0), '0s');
  assert.equal(goDuration(30_000_000_000), '30s');
  assert.equal(goDuration(90_000_000_000), '1m30s');
  assert.equal(goDuration(3_600_000_000_000), '1h0m0s');
  assert.equal(goDuration(1_500_000), '1.5ms');
  assert.equal(goDuration(1_500), '1.5µs');
  assert.equal(goDuration(12), '12ns');
  assert.equal(goDuration(2_500_000_000), '2.5s');
  assert.equal(goDuration(-5_000_000_000), '-5s');
});

test('goQuoteASCII() matches strconv.QuoteToASCII and goQuoteRune() strconv.QuoteRune', () => {
  assert.equal(goQuoteASCII('héllo ☺\n'), '"h\\u00e9llo \\u263a\\n"');
  assert.equal(goQuoteASCII('😀'), '"\\U0001f600"');
  assert.equal(goQuoteRune(0x61), "'a'");
  assert.equal(goQuoteRune(0x27), "'\\''");
  assert.equal(goQuoteRune(0x22), "'\"'");
  assert.equal(goQuoteRune(0x263a), "'☺'");
  assert.equal(goQuoteRune(0x0a), "'\\n'");
  assert.equal(goQuoteRune(0x110000), "'�'");
});
