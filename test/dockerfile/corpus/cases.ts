/**
 * A corpus of Dockerfiles with what BuildKit makes of them, derived from BuildKit's documented and
 * coded behaviour (moby/buildkit frontend/dockerfile parser + instructions, and dockerfile2llb for
 * stage resolution). Each case gives the text and any of:
 * - `dump`: the parse tree in BuildKit's dump format;
 * - `error`: the refusal (a substring of BuildKit's message, and the line it points at);
 * - `instructions`: a partial match of each typed instruction, in order (FROM included);
 * - `stages`, `metaArgs`, `heredocs`, `warnings`, `directives`, `escape`: partial matches of those;
 * - `target`: stage selection (`--target`) and the stage names (or errors) it yields;
 * - `expand`: expansion with a table of variables, and the expected instructions afterwards.
 */

export interface CorpusCase {
  name: string;
  dockerfile: string;
  dump?: string;
  error?: { contains: string; line?: number };
  instructions?: unknown[];
  stages?: unknown[];
  metaArgs?: unknown[];
  /** Heredocs per instruction index. */
  heredocs?: Record<number, unknown[]>;
  warnings?: string[];
  directives?: unknown[];
  escape?: string;
  target?: { target?: string; stages?: string[]; error?: string };
  expand?: { vars: Record<string, string>; instructions: unknown[] };
}

export const corpus: CorpusCase[] = [
  // ── Parser directives ───────────────────────────────────────────────────────────────────────
  {
    name: 'escape directive switches to backtick for continuations',
    dockerfile: '# escape=`\nFROM windows\nRUN dir `\n  c:\\\n',
    dump: '(from "windows")\n(run "dir   c:\\\\")',
    escape: '`',
    directives: [{ name: 'escape', value: '`', line: 1 }],
  },
  {
    name: 'escape directive with backslash is the default',
    dockerfile: '# escape=\\\nFROM a\nRUN x \\\n y\n',
    dump: '(from "a")\n(run "x  y")',
    escape: '\\',
  },
  {
    name: 'directive names are case-insensitive and may have spaces around =',
    dockerfile: '#  ESCAPE  =  `\nFROM a\nRUN b `\n c\n',
    dump: '(from "a")\n(run "b  c")',
    directives: [{ name: 'escape', value: '`' }],
  },
  {
    name: 'syntax and check directives are recorded in order',
    dockerfile: '# syntax=docker/dockerfile:1\n# check=skip=all\nFROM a\n',
    directives: [
      { name: 'syntax', value: 'docker/dockerfile:1', line: 1 },
      { name: 'check', value: 'skip=all', line: 2 },
    ],
  },
  {
    name: 'a directive after an ordinary comment is just a comment',
    dockerfile: '# hello\n# escape=`\nFROM a\nRUN b \\\n c\n',
    dump: '(from "a")\n(run "b  c")',
    directives: [],
    escape: '\\',
  },
  {
    name: 'a directive after a blank line is just a comment',
    dockerfile: '\n# escape=`\nFROM a\n',
    directives: [],
    escape: '\\',
  },
  {
    name: 'a directive after an instruction is just a comment',
    dockerfile: 'FROM a\n# escape=`\nRUN b \\\n c\n',
    dump: '(from "a")\n(run "b  c")',
    directives: [],
  },
  {
    name: 'an unknown directive ends the directive block',
    dockerfile: '# foo=bar\n# escape=`\nFROM a\n',
    directives: [],
    escape: '\\',
  },
  {
    name: 'a repeated directive is refused',
    dockerfile: '# escape=`\n# escape=\\\nFROM a\n',
    error: { contains: 'only one escape parser directive can be used', line: 2 },
  },
  {
    name: 'an escape token other than backslash or backtick is refused',
    dockerfile: '# escape=x\nFROM a\n',
    error: { contains: "invalid escape token 'x' does not match ` or \\", line: 1 },
  },
  {
    name: 'indented directives count',
    dockerfile: '   # escape=`\nFROM a\n',
    escape: '`',
  },
  {
    name: 'a BOM before the first directive is ignored',
    dockerfile: '\ufeff# escape=`\nFROM a\n',
    escape: '`',
    dump: '(from "a")',
  },

  // ── Comments, blank lines, whitespace, line endings ──────────────────────────────────────────
  {
    name: 'comments and blank lines are skipped',
    dockerfile: '# comment\n\nFROM a\n\n   # indented comment\nRUN b\n',
    dump: '(from "a")\n(run "b")',
  },
  {
    name: 'leading whitespace before an instruction is ignored',
    dockerfile: '   FROM a\n\t\tRUN   b   c  \n',
    dump: '(from "a")\n(run "b   c")',
  },
  {
    name: 'CRLF line endings parse like LF',
    dockerfile: 'FROM a\r\nRUN b \\\r\n c\r\nCMD ["x"]\r\n',
    dump: '(from "a")\n(run "b  c")\n(cmd "x")',
  },
  {
    name: 'a byte-order mark is dropped',
    dockerfile: '\ufeffFROM a\n',
    dump: '(from "a")',
  },
  {
    name: 'a file with only comments is refused',
    dockerfile: '# one\n# two\n',
    error: { contains: 'file with no instructions' },
  },
  {
    name: 'an empty file is refused',
    dockerfile: '',
    error: { contains: 'file with no instructions' },
  },
  {
    name: 'a whitespace-only file is refused',
    dockerfile: '  \n\t\n',
    error: { contains: 'file with no instructions' },
  },
  {
    name: 'lower-case instructions are accepted and dumped lower-case',
    dockerfile: 'from a\nrun b\n',
    dump: '(from "a")\n(run "b")',
    instructions: [{ kind: 'from', keyword: 'from' }, { kind: 'run', keyword: 'run' }],
  },
  {
    name: 'comments directly above an instruction are attached to it',
    dockerfile: 'FROM a\n# first\n# second\nRUN b\n',
    instructions: [{ comments: [] }, { comments: ['first', 'second'] }],
  },
  {
    name: 'a last line without newline is read',
    dockerfile: 'FROM a\nRUN b',
    dump: '(from "a")\n(run "b")',
    instructions: [{}, { location: { startLine: 2, endLine: 2 } }],
  },

  // ── Line continuations ───────────────────────────────────────────────────────────────────────
  {
    name: 'a continued line is joined, keeping the next line\'s indentation',
    dockerfile: 'FROM a\nRUN apt-get update && \\\n    apt-get install -y x\n',
    dump: '(from "a")\n(run "apt-get update &&     apt-get install -y x")',
    instructions: [{}, { location: { startLine: 2, endLine: 3 } }],
  },
  {
    name: 'comment lines inside a continuation are dropped',
    dockerfile: 'FROM a\nRUN one \\\n# a comment\n  two \\\n    # indented comment\n  three\n',
    dump: '(from "a")\n(run "one   two   three")',
    warnings: [],
  },
  {
    name: 'an empty line inside a continuation is dropped with a warning',
    dockerfile: 'FROM a\nRUN one \\\n\n  two\n',
    dump: '(from "a")\n(run "one   two")',
    warnings: ['Empty continuation line found in: RUN one   two'],
  },
  {
    name: 'a continuation at end of file ends the instruction',
    dockerfile: 'FROM a\nRUN one \\',
    dump: '(from "a")\n(run "one")',
  },
  {
    name: 'spaces after the escape character still continue the line',
    dockerfile: 'FROM a\nRUN one \\   \n two\n',
    dump: '(from "a")\n(run "one  two")',
  },
  {
    name: 'an escaped escape character at end of line does not continue',
    dockerfile: 'FROM a\nRUN echo \\\\\nRUN two\n',
    dump: '(from "a")\n(run "echo \\\\\\\\")\n(run "two")',
  },
  {
    name: 'a line holding only the escape character continues with nothing',
    dockerfile: 'FROM a\nRUN one \\\n\\\n two\n',
    dump: '(from "a")\n(run "one  two")',
  },
  {
    name: 'a continued JSON array is joined before JSON parsing',
    dockerfile: 'FROM a\nCMD ["a", \\\n     "b"]\n',
    dump: '(from "a")\n(cmd "a" "b")',
  },
  {
    name: 'continued flags are joined',
    dockerfile: 'FROM a\nCOPY --chown=1:1 \\\n     --chmod=644 src /dst\n',
    dump: '(from "a")\n(copy ["--chown=1:1" "--chmod=644"] "src" "/dst")',
  },

  // ── Heredocs ─────────────────────────────────────────────────────────────────────────────────
  {
    name: 'RUN heredoc body is captured and the terminator line ends it',
    dockerfile: 'FROM a\nRUN <<EOF\necho one\necho two\nEOF\nRUN after\n',
    dump: '(from "a")\n(run "<<EOF")\n(run "after")',
    heredocs: { 1: [{ name: 'EOF', content: 'echo one\necho two\n', expand: true, chomp: false, fileDescriptor: 0 }] },
    instructions: [{}, { location: { startLine: 2, endLine: 5 }, command: { cmdLine: ['<<EOF'], prependShell: true, files: [{ name: 'EOF', data: 'echo one\necho two\n', chomp: false }] } }, {}],
  },
  {
    name: '<<- strips tabs from the terminator; RUN keeps them in the body with chomp set',
    dockerfile: 'FROM a\nRUN <<-EOF\n\techo hi\n\tEOF\n',
    heredocs: { 1: [{ name: 'EOF', content: '\techo hi\n', chomp: true }] },
    instructions: [{}, { command: { files: [{ name: 'EOF', data: '\techo hi\n', chomp: true }] } }],
  },
  {
    name: 'a quoted delimiter turns expansion off',
    dockerfile: "FROM a\nRUN <<'EOF'\necho $HOME\nEOF\n",
    heredocs: { 1: [{ name: 'EOF', expand: false, content: 'echo $HOME\n' }] },
  },
  {
    name: 'a double-quoted delimiter turns expansion off too',
    dockerfile: 'FROM a\nRUN <<"EOF"\necho $HOME\nEOF\n',
    heredocs: { 1: [{ name: 'EOF', expand: false }] },
  },
  {
    name: 'several heredocs on one line are read in order',
    dockerfile: 'FROM a\nCOPY <<one <<two /dst/\nfirst\none\nsecond\ntwo\n',
    heredocs: { 1: [{ name: 'one', content: 'first\n' }, { name: 'two', content: 'second\n' }] },
    instructions: [{}, { kind: 'copy', dest: '/dst/', sources: [], sourceContents: [{ path: 'one', data: 'first\n', expand: true }, { path: 'two', data: 'second\n', expand: true }] }],
  },
  {
    name: 'a heredoc with an interpreter keeps the shebang in the body',
    dockerfile: 'FROM a\nRUN <<EOF\n#!/usr/bin/env python3\nprint("hi")\nEOF\n',
    heredocs: { 1: [{ name: 'EOF', content: '#!/usr/bin/env python3\nprint("hi")\n' }] },
    instructions: [{}, { command: { cmdLine: ['<<EOF'] } }],
  },
  {
    name: 'a heredoc fed to a program on the same line',
    dockerfile: 'FROM a\nRUN python3 <<EOF\nprint(1)\nEOF\n',
    dump: '(from "a")\n(run "python3 <<EOF")',
    heredocs: { 1: [{ name: 'EOF', content: 'print(1)\n' }] },
  },
  {
    name: 'COPY <<- strips leading tabs from the file contents',
    dockerfile: 'FROM a\nCOPY <<-EOF /conf\n\tkey=value\n\tEOF\n',
    instructions: [{}, { sourceContents: [{ path: 'EOF', data: 'key=value\n', expand: true }] }],
  },
  {
    name: 'ADD accepts heredoc sources next to paths',
    dockerfile: 'FROM a\nADD <<EOF file.txt /dst/\ninline\nEOF\n',
    instructions: [{}, { kind: 'add', sources: ['file.txt'], sourceContents: [{ path: 'EOF', data: 'inline\n' }], dest: '/dst/' }],
  },
  {
    name: 'a file descriptor before << is recorded',
    dockerfile: 'FROM a\nRUN cat /dev/fd/3 3<<EOF\nx\nEOF\n',
    heredocs: { 1: [{ name: 'EOF', fileDescriptor: 3, content: 'x\n' }] },
  },
  {
    name: 'blanks between << and the delimiter are allowed',
    dockerfile: 'FROM a\nRUN << EOF\nx\nEOF\n',
    heredocs: { 1: [{ name: 'EOF', content: 'x\n' }] },
  },
  {
    name: '<<- followed by a blank is not a heredoc (BuildKit splits the words)',
    dockerfile: 'FROM a\nRUN cat <<- EOF\n',
    heredocs: { 1: [] },
    dump: '(from "a")\n(run "cat <<- EOF")',
  },
  {
    name: 'an unterminated heredoc is refused',
    dockerfile: 'FROM a\nRUN <<EOF\necho\n',
    error: { contains: 'unterminated heredoc', line: 2 },
  },
  {
    name: 'JSON-form RUN has no heredocs',
    dockerfile: 'FROM a\nRUN ["<<EOF"]\n',
    heredocs: { 1: [] },
    instructions: [{}, { command: { cmdLine: ['<<EOF'], prependShell: false, files: [] } }],
  },
  {
    name: 'heredocs are only read for RUN, COPY and ADD',
    dockerfile: 'FROM a\nLABEL x=<<EOF\nRUN y\n',
    dump: '(from "a")\n(label "x" "<<EOF" "=")\n(run "y")',
  },
  {
    name: 'a quoted << is not a heredoc',
    dockerfile: 'FROM a\nRUN echo "<<EOF"\n',
    heredocs: { 1: [] },
  },
  {
    name: 'ONBUILD RUN reads its heredoc and keeps it in the trigger',
    dockerfile: 'FROM a\nONBUILD RUN <<EOF\necho hi\nEOF\n',
    heredocs: { 1: [{ name: 'EOF', content: 'echo hi\n' }] },
    instructions: [{}, { kind: 'onbuild', expression: 'RUN <<EOF\necho hi\nEOF' }],
  },
  {
    name: 'heredoc bodies keep CRLF line endings',
    dockerfile: 'FROM a\r\nRUN <<EOF\r\necho\r\nEOF\r\n',
    heredocs: { 1: [{ name: 'EOF', content: 'echo\r\n' }] },
  },
  {
    name: 'a heredoc body is not parsed as instructions',
    dockerfile: 'FROM a\nRUN <<EOF\nFROM nothing\nBOGUS line\nEOF\n',
    dump: '(from "a")\n(run "<<EOF")',
  },

  // ── FROM ─────────────────────────────────────────────────────────────────────────────────────
  {
    name: 'FROM with a stage name',
    dockerfile: 'FROM golang:1.22 AS build\n',
    instructions: [{ kind: 'from', baseName: 'golang:1.22', stageName: 'build', platform: '' }],
  },
  {
    name: 'FROM stage names are lower-cased and "as" is case-insensitive',
    dockerfile: 'FROM alpine as Builder\n',
    instructions: [{ stageName: 'builder' }],
  },
  {
    name: 'FROM --platform is kept unexpanded',
    dockerfile: 'FROM --platform=$BUILDPLATFORM alpine AS b\n',
    dump: '(from ["--platform=$BUILDPLATFORM"] "alpine" "AS" "b")',
    instructions: [{ platform: '$BUILDPLATFORM', stageName: 'b' }],
  },
  {
    name: 'a stage name may not start with a digit',
    dockerfile: 'FROM alpine AS 1st\n',
    error: { contains: 'invalid name for build stage: "1st", name can\'t start with a number or contain symbols', line: 1 },
  },
  {
    name: 'FROM with two words is refused',
    dockerfile: 'FROM alpine AS\n',
    error: { contains: 'FROM requires either one or three arguments' },
  },
  {
    name: 'FROM without an image is refused',
    dockerfile: 'FROM\n',
    error: { contains: 'FROM requires either one or three arguments' },
  },
  {
    name: 'FROM with an unknown flag is refused with a suggestion',
    dockerfile: 'FROM --platfrom=linux/amd64 alpine\n',
    error: { contains: 'unknown flag: --platfrom (did you mean platform?)' },
  },
  {
    name: 'FROM expands its base name and platform with the global ARGs',
    dockerfile: 'ARG IMG=alpine\nARG PLAT=linux/arm64\nFROM --platform=$PLAT ${IMG}:3 AS x\n',
    expand: { vars: { IMG: 'alpine', PLAT: 'linux/arm64' }, instructions: [{}, {}, { baseName: 'alpine:3', platform: 'linux/arm64' }] },
  },
  {
    name: 'FROM whose base name expands to nothing is refused',
    dockerfile: 'FROM $NOTHING\n',
    expand: { vars: {}, instructions: [] },
    error: { contains: 'base name ($NOTHING) should not be blank', line: 1 },
  },
  {
    name: 'FROM whose platform expands to nothing is refused',
    dockerfile: 'FROM --platform=$P a\n',
    expand: { vars: {}, instructions: [] },
    error: { contains: 'empty platform value from expression $P' },
  },
  {
    name: 'FROM with "as" but a different word in the middle is refused',
    dockerfile: 'FROM alpine TO b\n',
    error: { contains: 'FROM requires either one or three arguments' },
  },

  // ── RUN ──────────────────────────────────────────────────────────────────────────────────────
  {
    name: 'RUN shell form is one string',
    dockerfile: 'FROM a\nRUN echo "hello world" && ls\n',
    instructions: [{}, { kind: 'run', command: { cmdLine: ['echo "hello world" && ls'], prependShell: true }, network: 'default', security: 'sandbox' }],
  },
  {
    name: 'RUN exec form is the JSON array',
    dockerfile: 'FROM a\nRUN ["/bin/sh", "-c", "echo hi"]\n',
    dump: '(from "a")\n(run "/bin/sh" "-c" "echo hi")',
    instructions: [{}, { command: { cmdLine: ['/bin/sh', '-c', 'echo hi'], prependShell: false } }],
  },
  {
    name: 'invalid JSON falls back to shell form',
    dockerfile: "FROM a\nRUN ['single', 'quotes']\n",
    dump: "(from \"a\")\n(run \"['single', 'quotes']\")",
    instructions: [{}, { command: { prependShell: true, cmdLine: ["['single', 'quotes']"] } }],
  },
  {
    name: 'a JSON array with a non-string element is refused',
    dockerfile: 'FROM a\nRUN ["echo", 1]\n',
    error: { contains: 'when using JSON array syntax, arrays must be comprised of strings only', line: 2 },
  },
  {
    name: 'a JSON array whose numbers overflow is not JSON to Go: shell form',
    dockerfile: 'FROM a\nRUN ["a", [1e400]]\n',
    dump: '(from "a")\n(run "[\\"a\\", [1e400]]")',
  },
  {
    name: 'JSON nested deeper than Go decodes is shell form',
    dockerfile: 'FROM a\nCMD ["a", ' + '['.repeat(10_001) + ']'.repeat(10_001) + ']\n',
    instructions: [{}, { command: { prependShell: true } }],
  },
  {
    name: 'JSON nested as deep as Go decodes is refused as not strings',
    dockerfile: 'FROM a\nCMD ["a", ' + '['.repeat(9_999) + ']'.repeat(9_999) + ']\n',
    error: { contains: 'when using JSON array syntax, arrays must be comprised of strings only' },
  },
  {
    name: 'an empty exec-form RUN has no arguments',
    dockerfile: 'FROM a\nRUN []\n',
    dump: '(from "a")\n(run)',
    instructions: [{}, { command: { cmdLine: [], prependShell: false } }],
  },
  {
    name: 'RUN --mount bind keeps the spec and is read-only once expanded',
    dockerfile: 'FROM a\nRUN --mount=target=/src echo\n',
    instructions: [{}, { mountSpecs: [{ spec: 'target=/src', from: '' }], flagsUsed: ['mount'] }],
    expand: { vars: {}, instructions: [{}, { mounts: [{ type: 'bind', target: '/src', readOnly: true }] }] },
  },
  {
    name: 'RUN --mount type=cache with every cache key',
    dockerfile: 'FROM a\nRUN --mount=type=cache,id=apt,target=/var/cache/apt,sharing=locked,mode=0755,uid=1000,gid=1000 apt-get update\n',
    expand: {
      vars: {},
      instructions: [{}, { mounts: [{ type: 'cache', id: 'apt', target: '/var/cache/apt', sharing: 'locked', mode: 0o755, uid: 1000, gid: 1000, readOnly: false }] }],
    },
  },
  {
    name: 'RUN --mount aliases dst, destination, src, ro and rw',
    dockerfile: 'FROM a\nRUN --mount=type=bind,src=/a,dst=/b,rw --mount=type=bind,source=/c,destination=/d,ro=true x\n',
    expand: {
      vars: {},
      instructions: [{}, { mounts: [{ source: '/a', target: '/b', readOnly: false }, { source: '/c', target: '/d', readOnly: true }] }],
    },
  },
  {
    name: 'RUN --mount type=tmpfs with a size',
    dockerfile: 'FROM a\nRUN --mount=type=tmpfs,target=/tmp,size=64m x\n',
    expand: { vars: {}, instructions: [{}, { mounts: [{ type: 'tmpfs', target: '/tmp', sizeLimit: 64 * 1024 * 1024, readOnly: false }] }] },
  },
  {
    name: 'RUN --mount type=secret with id, env and required',
    dockerfile: 'FROM a\nRUN --mount=type=secret,id=token,env=TOKEN,required x\n',
    expand: { vars: {}, instructions: [{}, { mounts: [{ type: 'secret', id: 'token', env: 'TOKEN', required: true, readOnly: true }] }] },
  },
  {
    name: 'RUN --mount type=ssh',
    dockerfile: 'FROM a\nRUN --mount=type=ssh,required=false git clone x\n',
    expand: { vars: {}, instructions: [{}, { mounts: [{ type: 'ssh', required: false }] }] },
  },
  {
    name: 'RUN --mount values are expanded before they are checked',
    dockerfile: 'FROM a\nRUN --mount=type=$T,target=$DIR x\n',
    expand: { vars: { T: 'cache', DIR: '/c' }, instructions: [{}, { mounts: [{ type: 'cache', target: '/c' }] }] },
  },
  {
    name: 'RUN --mount from may not use a variable',
    dockerfile: 'FROM a\nRUN --mount=from=$STAGE,target=/x x\n',
    error: { contains: "'from' doesn't support variable expansion, define alias stage instead", line: 2 },
  },
  {
    name: 'RUN --mount with an unknown type is refused once expanded',
    dockerfile: 'FROM a\nRUN --mount=type=bnd x\n',
    expand: { vars: {}, instructions: [] },
    error: { contains: 'unsupported mount type "bnd" (did you mean bind?)', line: 2 },
  },
  {
    name: 'RUN --mount size on a non-tmpfs mount is refused once expanded',
    dockerfile: 'FROM a\nRUN --mount=type=cache,target=/c,size=1g x\n',
    expand: { vars: {}, instructions: [] },
    error: { contains: "unexpected key 'size' for mount type 'cache'" },
  },
  {
    name: 'RUN --mount secret without source, target or id is refused once expanded',
    dockerfile: 'FROM a\nRUN --mount=type=secret x\n',
    expand: { vars: {}, instructions: [] },
    error: { contains: 'invalid secret mount. one of source, target required' },
  },
  {
    name: 'RUN --mount with a malformed CSV value is refused at parse time',
    dockerfile: 'FROM a\nRUN --mount=type=\\"cache x\n',
    error: { contains: 'failed to parse csv mounts: parse error on line 1, column 6: bare " in non-quoted-field' },
  },
  {
    name: 'RUN --network none and host',
    dockerfile: 'FROM a\nRUN --network=none x\nRUN --network=host y\n',
    instructions: [{}, { network: 'none', flagsUsed: ['network'] }, { network: 'host' }],
  },
  {
    name: 'RUN --network with an unknown mode is refused',
    dockerfile: 'FROM a\nRUN --network=bridge x\n',
    error: { contains: 'invalid network mode "bridge"', line: 2 },
  },
  {
    name: 'RUN --security insecure',
    dockerfile: 'FROM a\nRUN --security=insecure x\n',
    instructions: [{}, { security: 'insecure' }],
  },
  {
    name: 'RUN --security with an unknown mode is refused',
    dockerfile: 'FROM a\nRUN --security=yes x\n',
    error: { contains: 'security "yes" is not valid' },
  },
  {
    name: 'RUN --device with a CDI name',
    dockerfile: 'FROM a\nRUN --device=vendor.com/gpu=0,required x\n',
    instructions: [{}, { devices: [{ name: 'vendor.com/gpu=0', required: true }] }],
  },
  {
    name: 'RUN with an unknown flag is refused',
    dockerfile: 'FROM a\nRUN --mout=type=cache x\n',
    error: { contains: 'unknown flag: --mout (did you mean mount?)', line: 2 },
  },
  {
    name: 'a bare -- ends the flags',
    dockerfile: 'FROM a\nRUN -- --not-a-flag\n',
    dump: '(from "a")\n(run "--not-a-flag")',
  },
  {
    name: 'quoted flag values are unquoted',
    dockerfile: 'FROM a\nRUN --mount="type=cache,target=/c" x\n',
    dump: '(from "a")\n(run ["--mount=type=cache,target=/c"] "x")',
  },
  {
    name: 'a string flag without a value is refused',
    dockerfile: 'FROM a\nRUN --network x\n',
    error: { contains: 'missing a value on flag: --network' },
  },

  // ── CMD, ENTRYPOINT ──────────────────────────────────────────────────────────────────────────
  {
    name: 'CMD exec form',
    dockerfile: 'FROM a\nCMD ["nginx", "-g", "daemon off;"]\n',
    instructions: [{}, { kind: 'cmd', command: { cmdLine: ['nginx', '-g', 'daemon off;'], prependShell: false } }],
  },
  {
    name: 'CMD shell form',
    dockerfile: 'FROM a\nCMD nginx -g "daemon off;"\n',
    instructions: [{}, { kind: 'cmd', command: { cmdLine: ['nginx -g "daemon off;"'], prependShell: true } }],
  },
  {
    name: 'ENTRYPOINT exec form with JSON escapes',
    dockerfile: 'FROM a\nENTRYPOINT ["/bin/echo", "tab\\there", "\\u00e9"]\n',
    dump: '(from "a")\n(entrypoint "/bin/echo" "tab\\there" "é")',
    instructions: [{}, { kind: 'entrypoint', command: { cmdLine: ['/bin/echo', 'tab\there', 'é'] } }],
  },
  {
    name: 'ENTRYPOINT [] clears the entrypoint',
    dockerfile: 'FROM a\nENTRYPOINT []\n',
    instructions: [{}, { kind: 'entrypoint', command: { cmdLine: [], prependShell: false } }],
  },
  {
    name: 'CMD with JSON that is not an array is shell form',
    dockerfile: 'FROM a\nCMD {"a": 1}\n',
    instructions: [{}, { command: { cmdLine: ['{"a": 1}'], prependShell: true } }],
  },
  {
    name: 'CMD with a flag is refused',
    dockerfile: 'FROM a\nCMD --x=1 run\n',
    error: { contains: 'unknown flag: --x' },
  },

  // ── COPY, ADD ────────────────────────────────────────────────────────────────────────────────
  {
    name: 'COPY with every flag',
    dockerfile: 'FROM a\nCOPY --from=build --chown=app:app --chmod=0644 --link --parents --exclude=*.md --exclude=tmp/ src/ docs/ /app/\n',
    instructions: [{}, {
      kind: 'copy', from: 'build', chown: 'app:app', chmod: '0644', link: true, parents: true, exclude: ['*.md', 'tmp/'],
      sources: ['src/', 'docs/'], dest: '/app/',
    }],
  },
  {
    name: 'COPY defaults',
    dockerfile: 'FROM a\nCOPY . /app\n',
    instructions: [{}, { from: '', chown: '', chmod: '', link: false, parents: false, exclude: [], sources: ['.'], dest: '/app' }],
  },
  {
    name: 'COPY JSON form allows spaces in paths',
    dockerfile: 'FROM a\nCOPY ["my file.txt", "/dst dir/"]\n',
    dump: '(from "a")\n(copy "my file.txt" "/dst dir/")',
    instructions: [{}, { sources: ['my file.txt'], dest: '/dst dir/' }],
  },
  {
    name: 'COPY --link=false',
    dockerfile: 'FROM a\nCOPY --link=false a /b\n',
    instructions: [{}, { link: false }],
  },
  {
    name: 'a bool flag with a non-boolean value is refused',
    dockerfile: 'FROM a\nCOPY --link=yes a /b\n',
    error: { contains: 'expecting boolean value for flag --link, not: yes' },
  },
  {
    name: 'a bool flag with an empty value is refused',
    dockerfile: 'FROM a\nCOPY --link= a /b\n',
    error: { contains: 'missing a value on flag: --link' },
  },
  {
    name: 'a repeated single-value flag is refused',
    dockerfile: 'FROM a\nCOPY --chown=1 --chown=2 a /b\n',
    error: { contains: 'duplicate flag specified: --chown' },
  },
  {
    name: 'COPY with one argument is refused',
    dockerfile: 'FROM a\nCOPY onlyone\n',
    error: { contains: 'COPY requires at least two arguments, but only one was provided. Destination could not be determined', line: 2 },
  },
  {
    name: 'COPY to a heredoc is refused',
    dockerfile: 'FROM a\nCOPY src <<EOF\nEOF\n',
    error: { contains: 'COPY cannot accept a heredoc as a destination' },
  },
  {
    name: 'COPY --checksum is ADD-only',
    dockerfile: 'FROM a\nCOPY --checksum=sha256:abc a /b\n',
    error: { contains: 'unknown flag: --checksum' },
  },
  {
    name: 'ADD with --checksum, --keep-git-dir and --unpack',
    dockerfile: 'FROM a\nADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d --keep-git-dir=true --unpack=false https://example.com/a.tar.gz /x/\n',
    instructions: [{}, {
      kind: 'add', checksum: 'sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d', keepGitDir: true, unpack: false,
      sources: ['https://example.com/a.tar.gz'], dest: '/x/',
    }],
  },
  {
    name: 'ADD leaves --keep-git-dir and --unpack undefined when not given',
    dockerfile: 'FROM a\nADD a.tar /x\n',
    instructions: [{}, { keepGitDir: undefined, unpack: undefined, checksum: '' }],
  },
  {
    name: 'ADD --from is refused',
    dockerfile: 'FROM a\nADD --from=b a /x\n',
    error: { contains: 'unknown flag: --from' },
  },
  {
    name: 'ADD with one argument is refused',
    dockerfile: 'FROM a\nADD x\n',
    error: { contains: 'ADD requires at least two arguments' },
  },
  {
    name: 'COPY sources, destination and ownership expand; heredoc bodies expand unless quoted',
    dockerfile: "FROM a\nCOPY --chown=$U <<EOF <<'RAW' $SRC $DST\nhi $U\nEOF\nhi $U\nRAW\n",
    expand: {
      vars: { U: 'app', SRC: 'src', DST: '/dst' },
      instructions: [{}, { chown: 'app', sources: ['src'], dest: '/dst', sourceContents: [{ path: 'EOF', data: 'hi app\n' }, { path: 'RAW', data: 'hi $U\n' }] }],
    },
  },

  // ── ENV, LABEL, ARG ──────────────────────────────────────────────────────────────────────────
  {
    name: 'ENV with several pairs keeps quotes raw in the tree',
    dockerfile: 'FROM a\nENV A=1 B="two words" C=\'x y\'\n',
    dump: '(from "a")\n(env "A" "1" "=" "B" "\\"two words\\"" "=" "C" "\'x y\'" "=")',
  },
  {
    name: 'legacy ENV key value takes the rest of the line',
    dockerfile: 'FROM a\nENV PATH /usr/local/bin:$PATH and more\n',
    dump: '(from "a")\n(env "PATH" "/usr/local/bin:$PATH and more" "")',
    instructions: [{}, { kind: 'env', env: [{ key: 'PATH', value: '/usr/local/bin:$PATH and more', noDelim: true }] }],
  },
  {
    name: 'ENV with a single word is refused',
    dockerfile: 'FROM a\nENV ONLYKEY\n',
    error: { contains: 'ENV must have two arguments', line: 2 },
  },
  {
    name: 'ENV mixing pairs with a bare word is refused',
    dockerfile: 'FROM a\nENV A=1 B\n',
    error: { contains: 'Syntax error - can\'t find = in "B". Must be of the form: name=value' },
  },
  {
    name: 'ENV with a blank name is refused',
    dockerfile: 'FROM a\nENV =x\n',
    error: { contains: 'ENV names can not be blank' },
  },
  {
    name: 'ENV without arguments is refused',
    dockerfile: 'FROM a\nENV\n',
    error: { contains: 'ENV requires at least one argument' },
  },
  {
    name: 'ENV values expand',
    dockerfile: 'FROM a\nENV P=$HOME/bin\n',
    expand: { vars: { HOME: '/root' }, instructions: [{}, { env: [{ key: 'P', value: '/root/bin' }] }] },
  },
  {
    name: 'LABEL pairs, escaped spaces kept raw',
    dockerfile: 'FROM a\nLABEL org.opencontainers.image.title="My app" version=1.0 desc=a\\ b\n',
    instructions: [{}, { kind: 'label', labels: [
      { key: 'org.opencontainers.image.title', value: '"My app"', noDelim: false },
      { key: 'version', value: '1.0' },
      { key: 'desc', value: 'a\\ b' },
    ] }],
  },
  {
    name: 'LABEL without arguments is refused',
    dockerfile: 'FROM a\nLABEL\n',
    error: { contains: 'LABEL requires at least one argument' },
  },
  {
    name: 'ARG several per line, with and without defaults',
    dockerfile: 'FROM a\nARG A B=2 C="three"\n',
    instructions: [{}, { kind: 'arg', args: [{ key: 'A', value: undefined }, { key: 'B', value: '2' }, { key: 'C', value: '"three"' }] }],
  },
  {
    name: 'ARG with an empty default',
    dockerfile: 'FROM a\nARG EMPTY=\n',
    instructions: [{}, { args: [{ key: 'EMPTY', value: '' }] }],
  },
  {
    name: 'ARG with a blank name is refused',
    dockerfile: 'FROM a\nARG =x\n',
    error: { contains: 'ARG names can not be blank' },
  },
  {
    name: 'ARG without arguments is refused',
    dockerfile: 'FROM a\nARG\n',
    error: { contains: 'ARG requires at least one argument' },
  },

  // ── EXPOSE, VOLUME, USER, WORKDIR, SHELL, STOPSIGNAL, MAINTAINER ─────────────────────────────
  {
    name: 'EXPOSE ports are kept sorted',
    dockerfile: 'FROM a\nEXPOSE 8080 443/tcp 53/udp 80\n',
    instructions: [{}, { kind: 'expose', ports: ['443/tcp', '53/udp', '80', '8080'] }],
  },
  {
    name: 'EXPOSE expands to several words',
    dockerfile: 'FROM a\nEXPOSE $PORTS\n',
    expand: { vars: { PORTS: '80 443' }, instructions: [{}, { ports: ['80', '443'] }] },
  },
  {
    name: 'EXPOSE without ports is refused',
    dockerfile: 'FROM a\nEXPOSE\n',
    error: { contains: 'EXPOSE requires at least one argument' },
  },
  {
    name: 'VOLUME JSON form',
    dockerfile: 'FROM a\nVOLUME ["/data", "/logs"]\n',
    instructions: [{}, { kind: 'volume', volumes: ['/data', '/logs'] }],
  },
  {
    name: 'VOLUME plain form',
    dockerfile: 'FROM a\nVOLUME /data /logs\n',
    instructions: [{}, { kind: 'volume', volumes: ['/data', '/logs'] }],
  },
  {
    name: 'VOLUME with an empty string is refused',
    dockerfile: 'FROM a\nVOLUME [""]\n',
    error: { contains: 'VOLUME specified can not be an empty string' },
  },
  {
    name: 'USER with group',
    dockerfile: 'FROM a\nUSER app:staff\n',
    instructions: [{}, { kind: 'user', user: 'app:staff' }],
  },
  {
    name: 'USER without argument is refused',
    dockerfile: 'FROM a\nUSER\n',
    error: { contains: 'USER requires exactly one argument' },
  },
  {
    name: 'WORKDIR keeps spaces and expands',
    dockerfile: 'FROM a\nWORKDIR /my dir/$SUB\n',
    instructions: [{}, { kind: 'workdir', path: '/my dir/$SUB' }],
    expand: { vars: { SUB: 'x' }, instructions: [{}, { path: '/my dir/x' }] },
  },
  {
    name: 'SHELL in JSON form',
    dockerfile: 'FROM a\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\n',
    instructions: [{}, { kind: 'shell', shell: ['/bin/bash', '-o', 'pipefail', '-c'] }],
  },
  {
    name: 'SHELL in shell form is refused',
    dockerfile: 'FROM a\nSHELL /bin/bash -c\n',
    error: { contains: 'SHELL requires the arguments to be in JSON form' },
  },
  {
    name: 'STOPSIGNAL',
    dockerfile: 'FROM a\nSTOPSIGNAL SIGQUIT\n',
    instructions: [{}, { kind: 'stopsignal', signal: 'SIGQUIT' }],
  },
  {
    name: 'MAINTAINER takes the rest of the line',
    dockerfile: 'FROM a\nMAINTAINER Jane Doe <jane@example.com>\n',
    instructions: [{}, { kind: 'maintainer', maintainer: 'Jane Doe <jane@example.com>' }],
  },

  // ── HEALTHCHECK ──────────────────────────────────────────────────────────────────────────────
  {
    name: 'HEALTHCHECK CMD shell form with every option',
    dockerfile: 'FROM a\nHEALTHCHECK --interval=30s --timeout=3s --start-period=1m --start-interval=500ms --retries=3 CMD curl -f http://localhost/ || exit 1\n',
    dump: '(from "a")\n(healthcheck ["--interval=30s" "--timeout=3s" "--start-period=1m" "--start-interval=500ms" "--retries=3"] "CMD" "curl -f http://localhost/ || exit 1")',
    instructions: [{}, { kind: 'healthcheck', health: {
      test: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'],
      interval: 30e9, timeout: 3e9, startPeriod: 60e9, startInterval: 500e6, retries: 3,
    } }],
  },
  {
    name: 'HEALTHCHECK CMD exec form',
    dockerfile: 'FROM a\nHEALTHCHECK CMD ["/bin/check", "--fast"]\n',
    instructions: [{}, { health: { test: ['CMD', '/bin/check', '--fast'], interval: 0, retries: 0 } }],
  },
  {
    name: 'HEALTHCHECK NONE',
    dockerfile: 'FROM a\nHEALTHCHECK NONE\n',
    instructions: [{}, { health: { test: ['NONE'] } }],
  },
  {
    name: 'HEALTHCHECK NONE with arguments is refused',
    dockerfile: 'FROM a\nHEALTHCHECK NONE x\n',
    error: { contains: 'HEALTHCHECK NONE takes no arguments' },
  },
  {
    name: 'HEALTHCHECK durations combine units like Go',
    dockerfile: 'FROM a\nHEALTHCHECK --interval=1h2m3.5s --timeout=1.5ms CMD true\n',
    instructions: [{}, { health: { interval: 3723.5e9, timeout: 1.5e6 } }],
  },
  {
    name: 'HEALTHCHECK interval under 1ms is refused',
    dockerfile: 'FROM a\nHEALTHCHECK --interval=999us CMD true\n',
    error: { contains: 'Interval "interval" cannot be less than 1ms' },
  },
  {
    name: 'HEALTHCHECK interval of 0 means the default',
    dockerfile: 'FROM a\nHEALTHCHECK --interval=0s CMD true\n',
    instructions: [{}, { health: { interval: 0 } }],
  },
  {
    name: 'HEALTHCHECK duration without unit is refused like Go',
    dockerfile: 'FROM a\nHEALTHCHECK --timeout=30 CMD true\n',
    error: { contains: 'time: missing unit in duration "30"' },
  },
  {
    name: 'HEALTHCHECK negative retries are refused',
    dockerfile: 'FROM a\nHEALTHCHECK --retries=-1 CMD true\n',
    error: { contains: '--retries cannot be negative (-1)' },
  },
  {
    name: 'HEALTHCHECK with an unknown type is refused',
    dockerfile: 'FROM a\nHEALTHCHECK RUN true\n',
    error: { contains: 'Unknown type "RUN" in HEALTHCHECK (try CMD)' },
  },
  {
    name: 'HEALTHCHECK CMD without command is refused',
    dockerfile: 'FROM a\nHEALTHCHECK CMD\n',
    error: { contains: 'Missing command after HEALTHCHECK CMD' },
  },

  // ── ONBUILD ──────────────────────────────────────────────────────────────────────────────────
  {
    name: 'ONBUILD wraps the inner instruction in the tree',
    dockerfile: 'FROM a\nONBUILD RUN echo "hi"\n',
    dump: '(from "a")\n(onbuild (run "echo \\"hi\\""))',
    instructions: [{}, { kind: 'onbuild', expression: 'RUN echo "hi"' }],
  },
  {
    name: 'ONBUILD keeps the trigger\'s flags',
    dockerfile: 'FROM a\nonbuild COPY --from=x /a /b\n',
    dump: '(from "a")\n(onbuild (copy ["--from=x"] "/a" "/b"))',
    instructions: [{}, { expression: 'COPY --from=x /a /b' }],
  },
  {
    name: 'ONBUILD FROM is refused',
    dockerfile: 'FROM a\nONBUILD FROM b\n',
    error: { contains: "FROM isn't allowed as an ONBUILD trigger" },
  },
  {
    name: 'ONBUILD MAINTAINER is refused',
    dockerfile: 'FROM a\nONBUILD maintainer me\n',
    error: { contains: "MAINTAINER isn't allowed as an ONBUILD trigger" },
  },
  {
    name: 'ONBUILD ONBUILD is refused',
    dockerfile: 'FROM a\nONBUILD ONBUILD RUN x\n',
    error: { contains: 'Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed' },
  },

  // ── Instructions in general ──────────────────────────────────────────────────────────────────
  {
    name: 'an unknown instruction parses but is refused as an instruction, with a suggestion',
    dockerfile: 'FROM a\nCOPPY a b\n',
    dump: '(from "a")\n(coppy "")',
    error: { contains: 'unknown instruction: COPPY (did you mean COPY?)', line: 2 },
  },
  {
    name: 'an unknown lower-case instruction is suggested in lower case',
    dockerfile: 'FROM a\nworkdri /x\n',
    error: { contains: 'unknown instruction: workdri (did you mean workdir?)' },
  },
  {
    name: 'Go-quoting of control characters in the dump',
    dockerfile: 'FROM a\nRUN ["a\\u0001b", "\\u00a0"]\n',
    dump: '(from "a")\n(run "a\\x01b" "\\u00a0")',
  },

  // ── Stages ───────────────────────────────────────────────────────────────────────────────────
  {
    name: 'ARGs before the first FROM are global',
    dockerfile: 'ARG VERSION=1.0\nARG BASE\nFROM alpine:${VERSION}\nARG VERSION\n',
    metaArgs: [{ args: [{ key: 'VERSION', value: '1.0' }] }, { args: [{ key: 'BASE', value: undefined }] }],
    stages: [{ index: 0, name: '', baseName: 'alpine:${VERSION}', commands: [{ kind: 'arg' }] }],
  },
  {
    name: 'an instruction before FROM is refused',
    dockerfile: 'RUN echo\nFROM a\n',
    error: { contains: 'no build stage in current context', line: 1 },
  },
  {
    name: 'a Dockerfile with only ARGs has no stages',
    dockerfile: 'ARG A=1\n',
    error: { contains: 'dockerfile contains no stages to build' },
  },
  {
    name: 'each FROM starts a stage holding the instructions up to the next',
    dockerfile: 'FROM a AS one\nRUN x\nRUN y\nFROM b AS two\nCOPY --from=one /x /x\n',
    stages: [
      { index: 0, name: 'one', commands: [{ kind: 'run' }, { kind: 'run' }] },
      { index: 1, name: 'two', baseName: 'b', commands: [{ kind: 'copy', from: 'one' }] },
    ],
    target: { stages: ['one', 'two'] },
  },
  {
    name: 'the default target is the last stage and unused stages are skipped',
    dockerfile: 'FROM a AS unused\nRUN x\nFROM b AS base\nFROM base AS final\nRUN y\n',
    target: { stages: ['base', 'final'] },
  },
  {
    name: '--target selects a stage case-insensitively',
    dockerfile: 'FROM a AS Build\nFROM b AS test\nCOPY --from=BUILD /x /x\nFROM c AS release\n',
    target: { target: 'TEST', stages: ['build', 'test'] },
  },
  {
    name: '--target of an unknown stage is refused with a suggestion',
    dockerfile: 'FROM a AS build\nFROM b AS release\n',
    target: { target: 'relase', error: 'target stage "relase" could not be found (did you mean release?)' },
  },
  {
    name: 'COPY --from by index',
    dockerfile: 'FROM a\nRUN x\nFROM b\nCOPY --from=0 /x /x\n',
    target: { stages: ['stage-0', 'stage-1'] },
  },
  {
    name: 'COPY --from an image is no stage dependency',
    dockerfile: 'FROM a AS x\nFROM b\nCOPY --from=nginx:latest /etc/nginx /etc/nginx\n',
    target: { stages: ['stage-1'] },
  },
  {
    name: 'RUN --mount from a stage is a dependency',
    dockerfile: 'FROM a AS deps\nFROM b\nRUN --mount=from=deps,target=/d ls /d\n',
    target: { stages: ['deps', 'stage-1'] },
  },
  {
    name: 'COPY --from a stage defined later is refused when built',
    dockerfile: 'FROM busybox AS target\nCOPY --from=build /x /out\nFROM alpine AS build\nFROM target\n',
    target: { error: 'cannot copy from stage "build", it needs to be defined before current stage "target"' },
  },
  {
    name: 'a stage copying from itself is a circular dependency',
    dockerfile: 'FROM a AS one\nFROM b AS two\nCOPY --from=two /x /y\n',
    target: { error: 'circular dependency detected on stage: two' },
  },
  {
    name: 'a lone stage copying from itself by index is a circular dependency on stage-0',
    dockerfile: 'FROM a\nCOPY --from=0 /x /y\n',
    target: { error: 'circular dependency detected on stage: stage-0' },
  },
  {
    name: 'COPY --from with an out-of-range index is refused',
    dockerfile: 'FROM a\nCOPY --from=5 /x /y\n',
    target: { error: 'invalid stage index 5' },
  },
  {
    name: 'COPY --from with a variable is refused',
    dockerfile: 'FROM a AS one\nFROM b\nCOPY --from=$STAGE /x /y\n',
    target: { error: 'variable expansion is not supported for --from' },
  },
  {
    name: 'FROM names a stage only by its lower-case name and only above it',
    dockerfile: 'FROM later\nFROM a AS later\n',
    target: { target: '', stages: ['later'] },
  },
  {
    name: 'FROM <stage> makes the stage a base dependency',
    dockerfile: 'FROM alpine AS base\nRUN apk add x\nFROM base\nRUN y\n',
    target: { stages: ['base', 'stage-1'] },
  },
];
