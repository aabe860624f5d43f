/**
 * BuildKit's own parser tests, read from ../shared/conformance/buildkit: the golden dumps, the
 * negative files, line numbers and every section of parser-cases.json.
 */
import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { conformancePath } from '../helpers/paths.js';
import {
  DirectiveParser,
  DockerfileSyntaxError,
  chompHeredocContent,
  detectSyntax,
  dump,
  heredocsFromLine,
  parse,
  parseDirective,
  parseHeredoc,
  parseJSONArray,
  parseWords,
} from '../../src/dockerfile/index.js';
import { parseNameVal } from '../../src/dockerfile/line-parsers.js';
import type { Node } from '../../src/dockerfile/index.js';

const root = conformancePath('buildkit');
const skip = root === undefined ? 'shared conformance data (../shared/conformance/buildkit) is absent' : false;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON test data of many shapes
type Json = any;
const cases = (): Json => JSON.parse(readFileSync(join(root!, 'parser-cases.json'), 'utf8'));

function values(n: Node | null): string[] {
  const out: string[] = [];
  for (let x = n; x !== null; x = x.next) out.push(x.value);
  return out;
}

describe('BuildKit parser golden files', { skip }, () => {
  it('dumps every testfiles/* Dockerfile exactly as its result file', () => {
    const dir = join(root!, 'testfiles');
    const names = readdirSync(dir).sort();
    assert.ok(names.length >= 33);
    for (const name of names) {
      const text = readFileSync(join(dir, name, 'Dockerfile'), 'utf8');
      const expected = readFileSync(join(dir, name, 'result'), 'utf8');
      assert.equal(dump(parse(text).ast) + '\n', expected, `testfiles/${name}`);
    }
  });

  it('refuses every testfiles-negative/* Dockerfile with a DockerfileSyntaxError', () => {
    const dir = join(root!, 'testfiles-negative');
    const names = readdirSync(dir).sort();
    assert.deepEqual(names, ['empty_dockerfile', 'env_no_value', 'only_comments', 'shykes-nested-json']);
    for (const name of names) {
      const text = readFileSync(join(dir, name, 'Dockerfile'), 'utf8');
      assert.throws(() => parse(text), DockerfileSyntaxError, `testfiles-negative/${name}`);
    }
  });

  it('records start and end lines of the tree and its instructions (lineNumbers)', () => {
    const c = cases().lineNumbers;
    const { ast } = parse(readFileSync(join(root!, c.file), 'utf8'));
    assert.equal(ast.startLine, c.astStartLine);
    assert.equal(ast.endLine, c.astEndLine);
    assert.deepEqual(
      ast.children.map((n) => [n.startLine, n.endLine]),
      c.children,
    );
  });
});

describe('BuildKit parser-cases.json', { skip }, () => {
  it('extracts heredocs with name, fd, expand, chomp and content (parseExtractsHeredoc)', () => {
    const c = cases().parseExtractsHeredoc;
    const { ast } = parse(c.dockerfile);
    for (const e of c.expected) {
      const got = ast.children[e.childIndex]!.heredocs;
      const want = e.heredocs ?? [];
      assert.deepEqual(got, want, `child ${e.childIndex}: ${ast.children[e.childIndex]!.original}`);
    }
  });

  it('finds no heredocs in JSON-form RUN (parseJSONHeredoc)', () => {
    const c = cases().parseJSONHeredoc;
    const { ast } = parse(c.dockerfile);
    for (const i of c.childrenWithoutHeredocs) assert.deepEqual(ast.children[i]!.heredocs, []);
  });

  it('strips leading tabs from chomped heredoc bodies (heredocChomp)', () => {
    for (const c of cases().heredocChomp) assert.equal(chompHeredocContent(c.input), c.expected);
  });

  it('tells heredoc words, malformed heredocs and other words apart (parseHeredocHelpers)', () => {
    const c = cases().parseHeredocHelpers;
    for (const w of c.valid) assert.equal(parseHeredoc(w)?.name, 'EOF', w);
    for (const w of c.invalid) assert.throws(() => parseHeredoc(w), Error, w);
    for (const w of c.notHeredocs) assert.equal(parseHeredoc(w), null, w);
  });

  it('finds the heredocs a line opens as BuildKit really does (heredocsFromLine)', () => {
    for (const c of cases().heredocsFromLine.cases) {
      assert.deepEqual(
        heredocsFromLine(c.line).map((h) => h.name),
        c.actualBuildkitNames,
        c.line,
      );
    }
  });

  it('parses exec-form JSON arrays and refuses non-string elements (jsonArraysOfStrings)', () => {
    const c = cases().jsonArraysOfStrings;
    for (const v of c.valid) assert.deepEqual(parseJSONArray(v.input), v.expected, v.input);
    for (const v of c.invalid) assert.throws(() => parseJSONArray(v), /arrays must be comprised of strings only/, v);
  });

  it('reads parser directives case-insensitively, ignoring unknown keys (directives)', () => {
    for (const c of cases().directives.cases) {
      const got = new DirectiveParser().parseAll(c.input).map((d) => ({ name: d.name, value: d.value }));
      assert.deepEqual(got, c.expected, c.input);
    }
  });

  it('detects the syntax directive in #, // and JSON forms, after a shebang and a BOM (detectSyntax)', () => {
    for (const c of cases().detectSyntax.cases) {
      const got = detectSyntax(c.input);
      assert.equal(got !== undefined, c.ok, c.input);
      if (c.ref !== undefined) assert.equal(got?.value ?? '', c.ref, c.input);
      if (c.cmdline !== undefined) assert.equal(got?.cmdline ?? '', c.cmdline, c.input);
      if (c.line !== undefined) assert.equal(got?.line, c.line, c.input);
    }
  });

  it('reads a named directive in # form only (parseDirective)', () => {
    for (const c of cases().parseDirective.cases) {
      const got = parseDirective(c.key, c.input);
      assert.equal(got !== undefined, c.ok, c.input);
      if (c.value !== undefined) assert.equal(got?.value ?? '', c.value, c.input);
      if (c.cmdline !== undefined) assert.equal(got?.cmdline ?? '', c.cmdline, c.input);
      if (c.line !== undefined) assert.equal(got?.line, c.line, c.input);
    }
  });

  it('splits words on whitespace outside quotes, keeping quotes (parseWords)', () => {
    for (const c of cases().parseWords.cases) assert.deepEqual(parseWords(c.input, { escapeToken: '\\' }), c.expected, c.input);
  });

  it('reads name/value pairs in both formats and refuses a lone ENV name (parseNameVal)', () => {
    for (const c of cases().parseNameVal.cases) {
      if (c.error === true) {
        assert.throws(() => parseNameVal(c.input, c.cmd, { escapeToken: '\\' }), c.input);
      } else {
        assert.deepEqual(values(parseNameVal(c.input, c.cmd, { escapeToken: '\\' })), c.expected, c.input);
      }
    }
  });

  it('warns about empty continuation lines but not comment lines (emptyContinuationWarnings)', () => {
    const c = cases().emptyContinuationWarnings;
    const { warnings } = parse(c.dockerfile);
    assert.equal(warnings.length, c.warningCount);
    c.warningShortContains.forEach((parts: string[], i: number) => {
      for (const p of parts) assert.ok(warnings[i]!.short.includes(p), `${warnings[i]!.short} ∌ ${p}`);
    });
    assert.ok(warnings[0]!.detail[0]!.includes(c.firstWarningDetailContains));
  });

  it('refuses a line of 64 KiB or more with BuildKit\'s scanner message (scannerError)', () => {
    const c = cases().scannerError;
    const text = '\n\t\tFROM image\n\t\tLABEL test=' + 'a'.repeat(c.labelValueLength) + '\n';
    assert.throws(
      () => parse(text),
      (e: unknown) => e instanceof DockerfileSyntaxError && e.reason === c.expectedError,
    );
  });
});
