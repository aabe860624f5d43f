/**
 * Go text/template behaviour table. Every expected output and error text below was produced by
 * running Go's own text/template (Go 1.19.8, with docker's template functions added) on the same
 * template and data; the two entries with a `note` record where we follow newer Go or differ on
 * purpose. Data: `D` below (JSON-like maps, slices, ints and floats), `null`, or a struct `S`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDockerTemplate } from '../docker-template.js';
import { goFunc } from './values.js';

const D = {
  a: 1,
  b: 1.5,
  s: 'hello',
  e: '',
  t: true,
  f: false,
  z: 0,
  arr: ['x', 'y', 'z'],
  nums: [3, 1, 2],
  m: { k2: 'v2', k1: 'v1' },
  em: {},
  ea: [],
  n: null,
  nested: { deep: { v: 'dv' } },
  big: 1000000,
  neg: -42,
  uni: 'héllo wörld',
  html: `<a href="x">'&'</a>`,
};

/** Mirrors the Go struct `main.S` the expectations were produced with. */
class S {
  static goType = 'main.S';
  Name = 'Bob';
  Age = 30;
  Tags = ['a', 'b'];
  Labels = { k: 'v', a: 'z' };
  Inner = null;
  Upper(): string {
    return this.Name.toUpperCase();
  }
  Greet(p: string): string {
    return `hi ${p} from ${this.Name}`;
  }
}
(S.prototype.Greet as unknown as { goSignature: unknown }).goSignature = goFunc(['string'], function (this: S, p) {
  return `hi ${String(p)} from ${this.Name}`;
});

interface Case {
  name: string;
  tmpl: string;
  data?: unknown;
  missingKey?: 'zero' | 'error';
  out: string;
  err?: string;
  note?: string;
}

const cases: Case[] = [
  {"name": "plain text", "tmpl": "hello", "out": "hello"},
  {"name": "empty", "tmpl": "", "out": ""},
  {"name": "trim left", "tmpl": "a  {{- \"b\"}}", "out": "ab"},
  {"name": "trim right", "tmpl": "{{\"a\" -}}   b", "out": "ab"},
  {"name": "trim both newline", "tmpl": "x\n  {{- .s -}}\n  y", "out": "xhelloy"},
  {"name": "comment", "tmpl": "a{{/* c */}}b", "out": "ab"},
  {"name": "trim comment", "tmpl": "a  {{- /* c */ -}}  b", "out": "ab"},
  {"name": "minus number not trim", "tmpl": "{{-3}}", "out": "-3"},
  {"name": "multiline action", "tmpl": "{{.s\n}}", "out": "hello"},
  {"name": "dot map", "tmpl": "{{.a}} {{.s}} {{.t}}", "out": "1 hello true"},
  {"name": "float", "tmpl": "{{.b}}", "out": "1.5"},
  {"name": "big int", "tmpl": "{{.big}}", "out": "1000000"},
  {"name": "negative", "tmpl": "{{.neg}}", "out": "-42"},
  {"name": "missing key", "tmpl": "{{.nope}}", "out": "<no value>"},
  {"name": "missing key missingkey=zero", "tmpl": "{{.nope}}", "data": {"a": 1, "b": 1.5, "s": "hello", "e": "", "t": true, "f": false, "z": 0, "arr": ["x", "y", "z"], "nums": [3, 1, 2], "m": {"k2": "v2", "k1": "v1"}, "em": {}, "ea": [], "n": null, "nested": {"deep": {"v": "dv"}}, "big": 1000000, "neg": -42, "uni": "héllo wörld", "html": "<a href=\"x\">'&'</a>"}, "missingKey": "zero", "out": "<no value>"},
  {"name": "missing key missingkey=error", "tmpl": "{{.nope}}", "data": {"a": 1, "b": 1.5, "s": "hello", "e": "", "t": true, "f": false, "z": 0, "arr": ["x", "y", "z"], "nums": [3, 1, 2], "m": {"k2": "v2", "k1": "v1"}, "em": {}, "ea": [], "n": null, "nested": {"deep": {"v": "dv"}}, "big": 1000000, "neg": -42, "uni": "héllo wörld", "html": "<a href=\"x\">'&'</a>"}, "missingKey": "error", "out": "", "err": "template: :1:2: executing \"\" at <.nope>: map has no entry for key \"nope\""},
  {"name": "null value", "tmpl": "{{.n}}", "out": "<no value>"},
  {"name": "nested", "tmpl": "{{.nested.deep.v}}", "out": "dv"},
  {"name": "nested missing", "tmpl": "{{.nested.nope.v}}", "out": "<no value>"},
  {"name": "field on string", "tmpl": "{{.s.x}}", "out": "", "err": "template: :1:4: executing \"\" at <.s.x>: can't evaluate field x in type interface {}"},
  {"name": "field on null", "tmpl": "{{.n.x}}", "out": "", "err": "template: :1:4: executing \"\" at <.n.x>: nil pointer evaluating interface {}.x"},
  {"name": "array print", "tmpl": "{{.arr}}", "out": "[x y z]"},
  {"name": "map print", "tmpl": "{{.m}}", "out": "map[k1:v1 k2:v2]"},
  {"name": "empty map print", "tmpl": "{{.em}}", "out": "map[]"},
  {"name": "dot print whole", "tmpl": "{{.nested}}", "out": "map[deep:map[v:dv]]"},
  {"name": "nil data dot", "tmpl": "{{.}}", "data": null, "out": "<no value>"},
  {"name": "nil data field", "tmpl": "{{.x}}", "data": null, "out": "<no value>"},
  {"name": "nil data field missingkey=error", "tmpl": "{{.x}}", "data": null, "missingKey": "error", "out": "", "err": "template: :1:2: executing \"\" at <.x>: nil data; no entry for key \"x\""},
  {"name": "unicode", "tmpl": "{{.uni}}", "out": "héllo wörld"},
  {"name": "string const", "tmpl": "{{\"a\\tb\"}}", "out": "a\tb"},
  {"name": "raw string", "tmpl": "{{`a\\tb`}}", "out": "a\\tb"},
  {"name": "char const", "tmpl": "{{'a'}}", "out": "97"},
  {"name": "char escape", "tmpl": "{{'\\n'}}", "out": "10"},
  {"name": "hex int", "tmpl": "{{0x1F}}", "out": "31"},
  {"name": "octal", "tmpl": "{{0o17}} {{017}}", "out": "15 15"},
  {"name": "binary", "tmpl": "{{0b101}}", "out": "5"},
  {"name": "underscore", "tmpl": "{{1_000}}", "out": "1000"},
  {"name": "float const", "tmpl": "{{1.5}} {{2.0}} {{1e3}} {{1e6}}", "out": "1.5 2 1000 1e+06"},
  {"name": "bool const", "tmpl": "{{true}} {{false}}", "out": "true false"},
  {"name": "nil command", "tmpl": "{{nil}}", "out": "", "err": "template: :1:2: executing \"\" at <nil>: nil is not a command"},
  {"name": "printf %T float const", "tmpl": "{{printf \"%T %T %T\" 2.0 2 \"s\"}}", "out": "float64 int string"},
  {"name": "var declare", "tmpl": "{{$x := .s}}{{$x}}", "out": "hello"},
  {"name": "var assign", "tmpl": "{{$x := 1}}{{$x = 2}}{{$x}}", "out": "2"},
  {"name": "var dollar", "tmpl": "{{with .nested}}{{$.s}}{{end}}", "out": "hello"},
  {"name": "var field chain", "tmpl": "{{$n := .nested}}{{$n.deep.v}}", "out": "dv"},
  {"name": "var scope in if", "tmpl": "{{if true}}{{$x := 1}}{{end}}{{$x}}", "out": "", "err": "template: :1: undefined variable \"$x\""},
  {"name": "undefined var", "tmpl": "{{$y}}", "out": "", "err": "template: :1: undefined variable \"$y\""},
  {"name": "var in range scope", "tmpl": "{{range .arr}}{{$v := .}}{{$v}}{{end}}", "out": "xyz"},
  {"name": "assign in range persists", "tmpl": "{{$c := 0}}{{range .arr}}{{$c = .}}{{end}}{{$c}}", "out": "z"},
  {"name": "if true", "tmpl": "{{if .t}}yes{{end}}", "out": "yes"},
  {"name": "if false else", "tmpl": "{{if .f}}yes{{else}}no{{end}}", "out": "no"},
  {"name": "if empty string", "tmpl": "{{if .e}}yes{{else}}no{{end}}", "out": "no"},
  {"name": "if zero", "tmpl": "{{if .z}}yes{{else}}no{{end}}", "out": "no"},
  {"name": "if empty array", "tmpl": "{{if .ea}}yes{{else}}no{{end}}", "out": "no"},
  {"name": "if empty map", "tmpl": "{{if .em}}yes{{else}}no{{end}}", "out": "no"},
  {"name": "if missing", "tmpl": "{{if .nope}}yes{{else}}no{{end}}", "out": "no"},
  {"name": "if null", "tmpl": "{{if .n}}yes{{else}}no{{end}}", "out": "no"},
  {"name": "else if chain", "tmpl": "{{if .f}}a{{else if .z}}b{{else if .s}}c{{else}}d{{end}}", "out": "c"},
  {"name": "if with decl", "tmpl": "{{if $x := .s}}{{$x}}{{end}}", "out": "hello"},
  {"name": "nested if", "tmpl": "{{if .t}}{{if .f}}x{{else}}y{{end}}{{end}}", "out": "y"},
  {"name": "with", "tmpl": "{{with .nested.deep}}{{.v}}{{end}}", "out": "dv"},
  {"name": "with else", "tmpl": "{{with .e}}x{{else}}empty{{end}}", "out": "empty"},
  {"name": "with var", "tmpl": "{{with $v := .s}}{{$v}} {{.}}{{end}}", "out": "hello hello"},
  {"name": "else with (Go 1.23)", "tmpl": "{{with .e}}a{{else with .s}}{{.}}{{end}}", "out": "hello", "note": "Go 1.23+ (docker builds with Go 1.25); Go 1.19 refused \"else with\""},
  {"name": "range array", "tmpl": "{{range .arr}}[{{.}}]{{end}}", "out": "[x][y][z]"},
  {"name": "range index", "tmpl": "{{range $i, $v := .arr}}{{$i}}={{$v}} {{end}}", "out": "0=x 1=y 2=z "},
  {"name": "range one var", "tmpl": "{{range $v := .arr}}{{$v}}{{end}}", "out": "xyz"},
  {"name": "range map sorted", "tmpl": "{{range $k, $v := .m}}{{$k}}:{{$v}};{{end}}", "out": "k1:v1;k2:v2;"},
  {"name": "range map values", "tmpl": "{{range .m}}{{.}},{{end}}", "out": "v1,v2,"},
  {"name": "range empty else", "tmpl": "{{range .ea}}x{{else}}none{{end}}", "out": "none"},
  {"name": "range missing else", "tmpl": "{{range .nope}}x{{else}}none{{end}}", "out": "none"},
  {"name": "range null else", "tmpl": "{{range .n}}x{{else}}none{{end}}", "out": "none"},
  {"name": "range break", "tmpl": "{{range .arr}}{{if eq . \"y\"}}{{break}}{{end}}{{.}}{{end}}", "out": "x"},
  {"name": "range continue", "tmpl": "{{range .arr}}{{if eq . \"y\"}}{{continue}}{{end}}{{.}}{{end}}", "out": "xz"},
  {"name": "range over string", "tmpl": "{{range .s}}x{{end}}", "out": "", "err": "template: :1:8: executing \"\" at <.s>: range can't iterate over hello"},
  {"name": "range over bool", "tmpl": "{{range .t}}x{{end}}", "out": "", "err": "template: :1:8: executing \"\" at <.t>: range can't iterate over true"},
  {"name": "range dollar", "tmpl": "{{range .arr}}{{$.a}}{{end}}", "out": "111"},
  {"name": "break outside range", "tmpl": "{{break}}", "out": "", "err": "template: :1: {{break}} outside {{range}}"},
  {"name": "range three vars", "tmpl": "{{range $a, $b, $c := .arr}}{{end}}", "out": "", "err": "template: :1: too many declarations in range"},
  {"name": "pipe printf", "tmpl": "{{.s | printf \"%q\"}}", "out": "\"hello\""},
  {"name": "pipe chain", "tmpl": "{{.s | printf \"%s!\" | printf \"[%s]\"}}", "out": "[hello!]"},
  {"name": "paren pipeline", "tmpl": "{{printf \"%s-%s\" (.s) (printf \"%d\" .a)}}", "out": "hello-1"},
  {"name": "paren field chain", "tmpl": "{{(.nested).deep.v}}", "out": "dv"},
  {"name": "non executable stage", "tmpl": "{{.s | \"x\"}}", "out": "", "err": "template: :1: non executable command in pipeline stage 2"},
  {"name": "arg to non function", "tmpl": "{{.s 1}}", "out": "", "err": "template: :1:2: executing \"\" at <.s>: s is not a method but has arguments"},
  {"name": "arg to var", "tmpl": "{{$x := 1}}{{$x 2}}", "out": "", "err": "template: :1:13: executing \"\" at <$x>: can't give argument to non-function $x"},
  {"name": "and", "tmpl": "{{and 1 0 2}}|{{and 1 2}}", "out": "0|2"},
  {"name": "or", "tmpl": "{{or 0 \"\" \"x\"}}|{{or 0 \"\"}}", "out": "x|"},
  {"name": "and short circuit", "tmpl": "{{and false (index .arr 9)}}", "out": "false"},
  {"name": "or short circuit", "tmpl": "{{or true (index .arr 9)}}", "out": "true"},
  {"name": "not", "tmpl": "{{not 0}} {{not \"a\"}} {{not .ea}}", "out": "true false true"},
  {"name": "and pipe final", "tmpl": "{{1 | and 2}}", "out": "1"},
  {"name": "len", "tmpl": "{{len .s}} {{len .arr}} {{len .m}} {{len .uni}}", "out": "5 3 2 13"},
  {"name": "len int", "tmpl": "{{len 3}}", "out": "", "err": "template: :1:2: executing \"\" at <len 3>: error calling len: len of type int"},
  {"name": "len missing", "tmpl": "{{len .nope}}", "out": "", "err": "template: :1:2: executing \"\" at <len .nope>: error calling len: reflect: call of reflect.Value.Type on zero Value"},
  {"name": "index array", "tmpl": "{{index .arr 1}}", "out": "y"},
  {"name": "index out of range", "tmpl": "{{index .arr 5}}", "out": "", "err": "template: :1:2: executing \"\" at <index .arr 5>: error calling index: index out of range: 5"},
  {"name": "index at len", "tmpl": "{{index .arr 3}}", "out": "", "err": "template: :1:2: executing \"\" at <index .arr 3>: error calling index: reflect: slice index out of range"},
  {"name": "index map", "tmpl": "{{index .m \"k1\"}}", "out": "v1"},
  {"name": "index map missing", "tmpl": "{{index .m \"zz\"}}", "out": "<no value>"},
  {"name": "index map int key", "tmpl": "{{index .m 1}}", "out": "", "err": "template: :1:2: executing \"\" at <index .m 1>: error calling index: value has type int; should be string"},
  {"name": "index string", "tmpl": "{{index .s 1}}", "out": "101"},
  {"name": "index nested", "tmpl": "{{index .nested \"deep\" \"v\"}}", "out": "dv"},
  {"name": "index of nil", "tmpl": "{{index .nope 1}}", "out": "", "err": "template: :1:2: executing \"\" at <index .nope 1>: error calling index: index of untyped nil"},
  {"name": "index bool", "tmpl": "{{index .t 1}}", "out": "", "err": "template: :1:2: executing \"\" at <index .t 1>: error calling index: can't index item of type bool"},
  {"name": "index negative", "tmpl": "{{index .arr -1}}", "out": "", "err": "template: :1:2: executing \"\" at <index .arr -1>: error calling index: index out of range: -1"},
  {"name": "slice array", "tmpl": "{{slice .arr 1}} {{slice .arr 1 2}} {{slice .arr}}", "out": "[y z] [y] [x y z]"},
  {"name": "slice string", "tmpl": "{{slice .s 1 3}}", "out": "el"},
  {"name": "slice bad", "tmpl": "{{slice .arr 2 1}}", "out": "", "err": "template: :1:2: executing \"\" at <slice .arr 2 1>: error calling slice: invalid slice index: 2 > 1"},
  {"name": "slice 3 string", "tmpl": "{{slice .s 1 2 3}}", "out": "", "err": "template: :1:2: executing \"\" at <slice .s 1 2 3>: error calling slice: cannot 3-index slice a string"},
  {"name": "eq ints", "tmpl": "{{eq 1 1}} {{eq 1 2}}", "out": "true false"},
  {"name": "eq multi", "tmpl": "{{eq .s \"a\" \"hello\"}}", "out": "true"},
  {"name": "eq strings", "tmpl": "{{eq .s \"hello\"}}", "out": "true"},
  {"name": "eq int float", "tmpl": "{{eq 1 1.0}}", "out": "", "err": "template: :1:2: executing \"\" at <eq 1 1.0>: error calling eq: incompatible types for comparison"},
  {"name": "eq missing", "tmpl": "{{eq .nope 1}}", "out": "false"},
  {"name": "eq one arg", "tmpl": "{{eq 1}}", "out": "", "err": "template: :1:2: executing \"\" at <eq 1>: error calling eq: missing argument for comparison"},
  {"name": "ne", "tmpl": "{{ne 1 2}} {{ne \"a\" \"a\"}}", "out": "true false"},
  {"name": "lt le gt ge", "tmpl": "{{lt 1 2}} {{le 2 2}} {{gt 3 2}} {{ge 1 2}}", "out": "true true true false"},
  {"name": "lt strings", "tmpl": "{{lt \"a\" \"b\"}}", "out": "true"},
  {"name": "lt mixed", "tmpl": "{{lt 1 \"a\"}}", "out": "", "err": "template: :1:2: executing \"\" at <lt 1 \"a\">: error calling lt: incompatible types for comparison"},
  {"name": "lt bool", "tmpl": "{{lt true false}}", "out": "", "err": "template: :1:2: executing \"\" at <lt true false>: error calling lt: invalid type for comparison"},
  {"name": "lt array", "tmpl": "{{lt .arr .arr}}", "out": "", "err": "template: :1:2: executing \"\" at <lt .arr .arr>: error calling lt: invalid type for comparison"},
  {"name": "eq arrays", "tmpl": "{{eq .arr .arr}}", "out": "", "err": "template: :1:2: executing \"\" at <eq .arr .arr>: error calling eq: non-comparable type [x y z]: []interface {}"},
  {"name": "eq float", "tmpl": "{{eq .b 1.5}}", "out": "true"},
  {"name": "print", "tmpl": "{{print 1 2 \"a\" \"b\" 3}}", "out": "1 2ab3"},
  {"name": "print missing", "tmpl": "{{print .nope}}", "out": "<nil>"},
  {"name": "println", "tmpl": "{{println 1 \"a\"}}", "out": "1 a\n"},
  {"name": "printf %d", "tmpl": "{{printf \"%d\" 42}}", "out": "42"},
  {"name": "printf %5d|%-5d|%05d", "tmpl": "{{printf \"%5d|%-5d|%05d\" 42 42 42}}", "out": "   42|42   |00042"},
  {"name": "printf %s width", "tmpl": "{{printf \"%-10s|%10s|\" \"ab\" \"cd\"}}", "out": "ab        |        cd|"},
  {"name": "printf %.2s", "tmpl": "{{printf \"%.2s\" \"hello\"}}", "out": "he"},
  {"name": "printf %q", "tmpl": "{{printf \"%q\" \"a\\\"b\"}}", "out": "\"a\\\"b\""},
  {"name": "printf %x", "tmpl": "{{printf \"%x %X %x\" 255 255 \"hi\"}}", "out": "ff FF 6869"},
  {"name": "printf %o %b", "tmpl": "{{printf \"%o %b %#o %#x\" 8 5 8 255}}", "out": "10 101 010 0xff"},
  {"name": "printf %f", "tmpl": "{{printf \"%f %.2f %8.3f %.0f\" 3.14159 3.14159 3.14159 2.5}}", "out": "3.141590 3.14    3.142 2"},
  {"name": "printf %e %g", "tmpl": "{{printf \"%e %g %g %G\" 1234.5678 0.00001234 1e21 1e-7}}", "out": "1.234568e+03 1.234e-05 1e+21 1E-07"},
  {"name": "printf %v composite", "tmpl": "{{printf \"%v|%v|%v\" .arr .m .nested}}", "out": "[x y z]|map[k1:v1 k2:v2]|map[deep:map[v:dv]]"},
  {"name": "printf %+v %#v", "tmpl": "{{printf \"%+v %#v\" .arr .arr}}", "out": "[x y z] []interface {}{\"x\", \"y\", \"z\"}"},
  {"name": "printf %t", "tmpl": "{{printf \"%t %t\" true 1}}", "out": "true %!t(int=1)"},
  {"name": "printf %c %U", "tmpl": "{{printf \"%c %U %#U\" 65 65 9731}}", "out": "A U+0041 U+2603 '☃'"},
  {"name": "printf %%", "tmpl": "{{printf \"100%%\"}}", "out": "100%"},
  {"name": "printf missing arg", "tmpl": "{{printf \"%d %d\" 1}}", "out": "1 %!d(MISSING)"},
  {"name": "printf extra arg", "tmpl": "{{printf \"%d\" 1 2 \"x\"}}", "out": "1%!(EXTRA int=2, string=x)"},
  {"name": "printf bad verb", "tmpl": "{{printf \"%d\" \"x\"}}", "out": "%!d(string=x)"},
  {"name": "printf %s int", "tmpl": "{{printf \"%s\" 5}}", "out": "%!s(int=5)"},
  {"name": "printf nil", "tmpl": "{{printf \"%v %d\" .nope .nope}}", "out": "<nil> %!d(<nil>)"},
  {"name": "printf star width", "tmpl": "{{printf \"%*d|%-*d\" 5 1 4 2}}", "out": "    1|2   "},
  {"name": "printf plus space", "tmpl": "{{printf \"%+d % d %+.1f\" 5 5 2.5}}", "out": "+5  5 +2.5"},
  {"name": "printf no verb", "tmpl": "{{printf \"%\"}}", "out": "%!(NOVERB)"},
  {"name": "printf index", "tmpl": "{{printf \"%[2]s %[1]s\" \"a\" \"b\"}}", "out": "b a"},
  {"name": "printf non-string format", "tmpl": "{{printf 3}}", "out": "", "err": "template: :1:9: executing \"\" at <3>: expected string; found 3"},
  {"name": "printf %q int", "tmpl": "{{printf \"%q\" 65}}", "out": "'A'"},
  {"name": "printf %6.2f%%", "tmpl": "{{printf \"%6.2f%%\" 99.5}}", "out": " 99.50%"},
  {"name": "printf %x float", "tmpl": "{{printf \"%v %.3g\" 123456789.0 123456789.0}}", "out": "1.23456789e+08 1.23e+08"},
  {"name": "html", "tmpl": "{{html .html}}", "out": "&lt;a href=&#34;x&#34;&gt;&#39;&amp;&#39;&lt;/a&gt;"},
  {"name": "js", "tmpl": "{{js .html}}", "out": "\\u003Ca href\\u003D\\\"x\\\"\\u003E\\'\\u0026\\'\\u003C/a\\u003E"},
  {"name": "urlquery", "tmpl": "{{urlquery \"a b&c=d/é\"}}", "out": "a+b%26c%3Dd%2F%C3%A9"},
  {"name": "html multi", "tmpl": "{{html 1 \"<\" 2}}", "out": "1&lt;2"},
  {"name": "html missing", "tmpl": "{{html .nope}}", "out": "&lt;no value&gt;"},
  {"name": "call non func", "tmpl": "{{call .s}}", "out": "", "err": "template: :1:2: executing \"\" at <call .s>: error calling call: non-function of type string"},
  {"name": "call nil", "tmpl": "{{call .nope}}", "out": "", "err": "template: :1:2: executing \"\" at <call .nope>: error calling call: call of nil"},
  {"name": "json map", "tmpl": "{{json .m}}", "out": "{\"k1\":\"v1\",\"k2\":\"v2\"}"},
  {"name": "json whole", "tmpl": "{{json .nested}}", "out": "{\"deep\":{\"v\":\"dv\"}}"},
  {"name": "json array", "tmpl": "{{json .arr}}", "out": "[\"x\",\"y\",\"z\"]"},
  {"name": "json string escaping", "tmpl": "{{json .html}}", "out": "\"<a href=\\\"x\\\">'&'</a>\""},
  {"name": "json number", "tmpl": "{{json .b}} {{json .a}} {{json .big}}", "out": "1.5 1 1000000"},
  {"name": "json missing", "tmpl": "{{json .nope}}", "out": "null"},
  {"name": "json null", "tmpl": "{{json .n}}", "out": "null"},
  {"name": "join", "tmpl": "{{join .arr \", \"}}", "out": "x, y, z"},
  {"name": "join map", "tmpl": "{{join .m \"+\"}}", "out": "v1+v2"},
  {"name": "join nums", "tmpl": "{{join .nums \"-\"}}", "out": "3-1-2"},
  {"name": "join string err", "tmpl": "{{join .s \",\"}}", "out": "", "err": "template: :1:2: executing \"\" at <join .s \",\">: error calling join: expected slice, got string"},
  {"name": "join missing", "tmpl": "{{join .nope \",\"}}", "out": ""},
  {"name": "split", "tmpl": "{{split \"a,b,c\" \",\"}}", "out": "[a b c]"},
  {"name": "split index", "tmpl": "{{index (split \"a:b\" \":\") 1}}", "out": "b"},
  {"name": "split empty sep", "tmpl": "{{split \"abc\" \"\"}}", "out": "[a b c]"},
  {"name": "title", "tmpl": "{{title \"hello world-foo bar_baz\"}}", "out": "Hello World-Foo Bar_baz"},
  {"name": "lower upper", "tmpl": "{{lower \"AbC\"}} {{upper \"AbC\"}}", "out": "abc ABC"},
  {"name": "pad", "tmpl": "[{{pad \"x\" 2 3}}][{{pad \"\" 2 3}}]", "out": "[  x   ][]"},
  {"name": "truncate", "tmpl": "{{truncate \"hello\" 3}} {{truncate \"hi\" 3}} {{truncate \"abc\" 3}}", "out": "hel hi abc"},
  {"name": "upper wrong type", "tmpl": "{{upper 3}}", "out": "", "err": "template: :1:8: executing \"\" at <3>: expected string; found 3"},
  {"name": "upper field wrong type", "tmpl": "{{upper .a}}", "out": "", "err": "template: :1:8: executing \"\" at <.a>: wrong type for value; expected string; got int"},
  {"name": "upper missing", "tmpl": "{{upper .nope}}", "out": "", "err": "template: :1:8: executing \"\" at <.nope>: invalid value; expected string"},
  {"name": "upper arg count", "tmpl": "{{upper \"a\" \"b\"}}", "out": "", "err": "template: :1:2: executing \"\" at <upper>: wrong number of args for upper: want 1 got 2"},
  {"name": "pad wrong arg", "tmpl": "{{pad \"x\" \"a\" 1}}", "out": "", "err": "template: :1:10: executing \"\" at <\"a\">: expected integer; found \"a\""},
  {"name": "pipe into upper", "tmpl": "{{.s | upper}}", "out": "HELLO"},
  {"name": "pipe into truncate", "tmpl": "{{.s | truncate 2}}", "out": "", "err": "template: :1:16: executing \"\" at <2>: expected string; found 2"},
  {"name": "nil to string", "tmpl": "{{upper nil}}", "out": "", "err": "template: :1:8: executing \"\" at <nil>: cannot assign nil to string"},
  {"name": "define and template", "tmpl": "{{define \"T\"}}[{{.}}]{{end}}{{template \"T\" .s}}", "out": "[hello]"},
  {"name": "template no pipe", "tmpl": "{{define \"T\"}}[{{.}}]{{end}}{{template \"T\"}}", "out": "[<no value>]"},
  {"name": "template undefined", "tmpl": "{{template \"nope\"}}", "out": "", "err": "template: :1:11: executing \"\" at <{{template \"nope\"}}>: template \"nope\" not defined"},
  {"name": "block", "tmpl": "{{block \"B\" .s}}<{{.}}>{{end}}", "out": "<hello>"},
  {"name": "template dollar", "tmpl": "{{define \"T\"}}{{$}}{{end}}{{template \"T\" 5}}", "out": "5"},
  {"name": "multiple definition", "tmpl": "{{define \"T\"}}a{{end}}{{define \"T\"}}b{{end}}", "out": "", "err": "template: :1: template: multiple definition of template \"T\""},
  {"name": "unknown function", "tmpl": "{{InvalidFunction}}", "out": "", "err": "template: :1: function \"InvalidFunction\" not defined"},
  {"name": "unclosed action", "tmpl": "{{.s", "out": "", "err": "template: :1: unclosed action"},
  {"name": "unclosed action multiline", "tmpl": "{{.s\n\n", "out": "", "err": "template: :3: unclosed action started at :1"},
  {"name": "unexpected brace in operand", "tmpl": "{{.s }", "out": "", "err": "template: :1: unexpected \"}\" in operand"},
  {"name": "bad character", "tmpl": "{{.s}", "out": "", "err": "template: :1: bad character U+007D '}'"},
  {"name": "unexpected end", "tmpl": "{{end}}", "out": "", "err": "template: :1: unexpected {{end}}"},
  {"name": "unexpected else", "tmpl": "{{else}}", "out": "", "err": "template: :1: unexpected {{else}}"},
  {"name": "missing end", "tmpl": "{{if .t}}x", "out": "", "err": "template: :1: unexpected EOF"},
  {"name": "missing value for if", "tmpl": "{{if}}x{{end}}", "out": "", "err": "template: :1: missing value for if"},
  {"name": "empty action", "tmpl": "{{}}", "out": "", "err": "template: :1: missing value for command"},
  {"name": "unterminated string", "tmpl": "{{\"abc}}", "out": "", "err": "template: :1: unterminated quoted string"},
  {"name": "unterminated raw", "tmpl": "{{`abc}}", "out": "", "err": "template: :1: unterminated raw quoted string"},
  {"name": "unterminated char", "tmpl": "{{'a}}", "out": "", "err": "template: :1: unterminated character constant"},
  {"name": "bad number", "tmpl": "{{3k}}", "out": "", "err": "template: :1: bad number syntax: \"3k\""},
  {"name": "unclosed paren", "tmpl": "{{(.s}}", "out": "", "err": "template: :1: unclosed left paren"},
  {"name": "unexpected right paren", "tmpl": "{{.s)}}", "out": "", "err": "template: :1: unexpected \")\" in command"},
  {"name": "unclosed comment", "tmpl": "{{/* x", "out": "", "err": "template: :1: unclosed comment"},
  {"name": "comment bad end", "tmpl": "{{/* x */ .s}}", "out": "", "err": "template: :1: comment ends before closing delimiter"},
  {"name": "expected :=", "tmpl": "{{$x : 1}}", "out": "", "err": "template: :1: undefined variable \"$x\""},
  {"name": "unexpected . after term", "tmpl": "{{\"a\".b}}", "out": "", "err": "template: :1: unexpected . after term \"\\\"a\\\"\""},
  {"name": "bad escape", "tmpl": "{{\"\\q\"}}", "out": "", "err": "template: :1: invalid syntax"},
  {"name": "non-ascii in action", "tmpl": "{{.s é}}", "out": "", "err": "template: :1: function \"é\" not defined"},
  {"name": "unrecognized char", "tmpl": "{{.s \u0001}}", "out": "", "err": "template: :1: unrecognized character in action: U+0001"},
  {"name": "integer overflow", "tmpl": "{{99999999999999999999}}", "out": "", "err": "template: :1: integer overflow: \"99999999999999999999\""},
  {"name": "too many decls", "tmpl": "{{$a, $b := 1}}", "out": "", "err": "template: :1: too many declarations in command"},
  {"name": "else after else", "tmpl": "{{if 1}}a{{else}}b{{else}}c{{end}}", "out": "", "err": "template: :1: expected end; found {{else}}"},
  {"name": "define bad name", "tmpl": "{{define T}}{{end}}", "out": "", "err": "template: :1: unexpected \"T\" in define clause"},
  {"name": "template bad name", "tmpl": "{{template T}}", "out": "", "err": "template: :1: unexpected \"T\" in template clause"},
  {"name": "unexpected in define", "tmpl": "{{define \"T\"}}a{{else}}b{{end}}", "out": "", "err": "template: :1: unexpected {{else}} in define clause"},
  {"name": "line numbers", "tmpl": "a\nb\n{{.s}}\n{{nope}}", "out": "", "err": "template: :4: function \"nope\" not defined"},
  {"name": "exec error line col", "tmpl": "line1\n  {{index .arr 7}}", "out": "line1\n  ", "err": "template: :2:4: executing \"\" at <index .arr 7>: error calling index: index out of range: 7"},
  {"name": "undefined variable in template", "tmpl": "{{$x := 1}}{{define \"T\"}}{{$x}}{{end}}", "out": "", "err": "template: :1: undefined variable \"$x\""},
  {"name": "continue outside", "tmpl": "{{continue}}", "out": "", "err": "template: :1: {{continue}} outside {{range}}"},
  {"name": "break with args", "tmpl": "{{range .arr}}{{break 1}}{{end}}", "out": "", "err": "template: :1: unexpected \"1\" in {{break}}"},
  {"name": "struct fields", "tmpl": "{{.Name}} {{.Age}} {{.Tags}} {{.Labels}}", "data": "struct", "out": "Bob 30 [a b] map[a:z k:v]"},
  {"name": "struct method", "tmpl": "{{.Upper}} {{.Greet \"you\"}}", "data": "struct", "out": "BOB hi you from Bob"},
  {"name": "struct method pipe", "tmpl": "{{\"me\" | .Greet}}", "data": "struct", "out": "hi me from Bob"},
  {"name": "struct print", "tmpl": "{{.}}", "data": "struct", "out": "{Bob 30 [a b] map[a:z k:v] <nil>}"},
  {"name": "struct printf %+v", "tmpl": "{{printf \"%+v\" .}}", "data": "struct", "out": "{Name:Bob Age:30 Tags:[a b] Labels:map[a:z k:v] Inner:<nil>}"},
  {"name": "struct missing field", "tmpl": "{{.Nope}}", "data": "struct", "out": "", "err": "template: :1:2: executing \"\" at <.Nope>: can't evaluate field Nope in type main.S"},
  {"name": "struct method wrong args", "tmpl": "{{.Greet}}", "data": "struct", "out": "", "err": "template: :1:2: executing \"\" at <.Greet>: wrong number of args for Greet: want 1 got 0"},
  {"name": "struct method wrong type", "tmpl": "{{.Greet 3}}", "data": "struct", "out": "", "err": "template: :1:9: executing \"\" at <3>: expected string; found 3"},
  {"name": "struct field with args", "tmpl": "{{.Name \"x\"}}", "data": "struct", "out": "", "err": "template: :1:2: executing \"\" at <.Name>: Name has arguments but cannot be invoked as function"},
  {"name": "struct nil pointer field", "tmpl": "{{.Inner.Name}}", "data": "struct", "out": "", "err": "template: :1:8: executing \"\" at <.Inner.Name>: nil pointer evaluating interface {}.Name", "note": "Go names the static type (*main.S); JS null has none"},
  {"name": "struct json", "tmpl": "{{json .}}", "data": "struct", "out": "{\"Name\":\"Bob\",\"Age\":30,\"Tags\":[\"a\",\"b\"],\"Labels\":{\"a\":\"z\",\"k\":\"v\"},\"Inner\":null}"},
  {"name": "struct range labels", "tmpl": "{{range $k, $v := .Labels}}{{$k}}={{$v}} {{end}}", "data": "struct", "out": "a=z k=v "},
  {"name": "struct if", "tmpl": "{{if .}}t{{end}}", "data": "struct", "out": "t"},
  {"name": "struct index labels", "tmpl": "{{index .Labels \"k\"}}", "data": "struct", "out": "v"},
  {"name": "struct len tags", "tmpl": "{{len .Tags}}", "data": "struct", "out": "2"},
  {"name": "struct join tags", "tmpl": "{{join .Tags \",\"}}", "data": "struct", "out": "a,b"},
];

for (const c of cases) {
  test(`template: ${c.name}`, () => {
    const data = c.data === 'struct' ? new S() : c.data === undefined ? structuredClone(D) : c.data;
    let out: string;
    let err: string | undefined;
    try {
      let t = parseDockerTemplate(c.tmpl);
      if (c.missingKey !== undefined) t = t.withMissingKey(c.missingKey);
      const r = t.executePartial(data);
      out = r.output;
      err = r.error?.message;
    } catch (e) {
      out = '';
      err = (e as Error).message;
    }
    assert.equal(err, c.err, 'error text');
    assert.equal(out, c.out, 'output');
  });
}

test('the table holds at least 120 cases', () => {
  assert.ok(cases.length >= 120, String(cases.length));
});
