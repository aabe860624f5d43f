import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../../test/helpers/paths.js';
import { compileGoMatcher, compileGoRegexp, goReplaceAll, GoRegexpSyntaxError, type GoMatcher } from './go-regexp.js';

test('Go-only syntax translates: POSIX classes, ] first in a class, \\Q…\\E, octal and \\x{…} escapes', () => {
  assert.ok(compileGoRegexp('^[[:upper:]][[:digit:]]+$').test('A12'));
  assert.ok(compileGoRegexp('^[]a]$').test(']'));
  assert.ok(compileGoRegexp('^\\Q*.\\E$').test('*.'));
  assert.ok(compileGoRegexp('^\\101\\x{3b1}$').test('Aα'));
  assert.ok(compileGoRegexp('^\\s$').test('\n') && !compileGoRegexp('^\\s$').test('\u00a0'));
  assert.ok(compileGoRegexp('^.$').test('\r') && !compileGoRegexp('^.$').test('\n'));
});

test('what Go refuses is a GoRegexpSyntaxError', () => {
  for (const bad of ['[z-a]', '\\1', '\\8', '\\e', 'a**', '[[:foo:]]', '(', ')', '[a', '\\', '(?i)a', '\\C']) {
    assert.throws(() => compileGoRegexp(bad), GoRegexpSyntaxError, bad);
  }
});

test('ReplaceAllString skips an empty match right after a match and expands $0', () => {
  assert.equal(goReplaceAll(compileGoRegexp('.*'), 'abc', 'X'), 'X');
  assert.equal(goReplaceAll(compileGoRegexp('a*'), 'baaac', '-'), '-b-c-');
  assert.equal(goReplaceAll(compileGoRegexp('n'), 'banana', '[$0]'), 'ba[n]a[n]a');
  assert.equal(goReplaceAll(compileGoRegexp('n'), 'banana', '$$ ${0}$x$'), 'ba$ n$a$ n$a');
});

test('1500 seeded random Go regexps: the same compile verdict and matches as Go 1.19, on both back ends', () => {
  const data = JSON.parse(readFileSync(join(repoRoot, 'src/dockerfile/testdata/go-regexp-fuzz.json'), 'utf8')) as {
    cases: { re: string; error?: boolean; inputs?: string[]; matches?: boolean[] }[];
  };
  const failures: string[] = [];
  for (const [name, compile] of [
    ['RegExp', (src: string): GoMatcher => compileGoRegexp(src)],
    ['automaton', (src: string): GoMatcher => compileGoMatcher(src, { engine: 'automaton' })],
  ] as const) {
    for (const c of data.cases) {
      let re: GoMatcher;
      try {
        re = compile(c.re);
      } catch (err) {
        if (!(err instanceof GoRegexpSyntaxError)) throw err;
        // Perl flag groups are valid Go but never produced by our generators; we refuse them.
        if (c.error !== true && !c.re.includes('(?i)')) failures.push(`${name} ${JSON.stringify(c.re)}: refused`);
        continue;
      }
      if (c.error === true) {
        failures.push(`${name} ${JSON.stringify(c.re)}: accepted, Go refuses`);
        continue;
      }
      c.inputs!.forEach((s, i) => {
        if (re.test(s) !== c.matches![i]) failures.push(`${name} ${JSON.stringify(c.re)} on ${JSON.stringify(s)}: ${!c.matches![i]}`);
      });
    }
  }
  assert.deepEqual(failures.slice(0, 15), []);
});

test('the automaton matches in linear time where backtracking explodes', () => {
  const m = compileGoMatcher(`^${'(.*/)?'.repeat(40)}z$`);
  assert.ok(!(m instanceof RegExp));
  const path = `${'a/'.repeat(2000)}b`;
  assert.equal(m.test(path), false);
  assert.equal(m.test(`${path}/z`), true);
  assert.equal(compileGoMatcher('^(a|ab)(c|bcd)(d*)$', { engine: 'automaton' }).test('abcd'), true);
  assert.equal(compileGoMatcher('^a{2,3}$', { engine: 'automaton' }).test('aaaa'), false);
  assert.equal(compileGoMatcher('^a{2,}$', { engine: 'automaton' }).test('aaaa'), true);
  assert.equal(compileGoMatcher('\\bfoo\\b').test('a foo.'), true);
  assert.equal(compileGoMatcher('\\bfoo\\b').test('afoo'), false);
});
