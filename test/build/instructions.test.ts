import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildEnv, buildSkipReason } from './harness.js';

const skip = buildSkipReason();

test('metadata instructions land in the config and history as docker writes them', { skip }, async (t) => {
  const env = await buildEnv(t);
  const b = await env.run(
    [
      'FROM busybox',
      'ARG V=1',
      'ENV A=x B="y z"',
      'LABEL l1=v1 "l 2"="v 2"',
      'EXPOSE 80 443/udp 8080/tcp',
      'VOLUME ["/data", "/logs"]',
      'STOPSIGNAL SIGTERM',
      'HEALTHCHECK --interval=5s --timeout=3s --start-period=1s --retries=4 CMD wget -q localhost || exit 1',
      'SHELL ["/bin/sh", "-ec"]',
      'USER 1000:1000',
      'ENTRYPOINT ["/bin/echo"]',
      'CMD ["hi"]',
      'RUN echo $V $A',
      'WORKDIR /w',
      'COPY --chown=1:2 <<xf /w/',
      'x',
      'xf',
      'COPY --from=busybox --chmod=755 /bin/busybox /w/',
      '',
    ].join('\n'),
  );
  const c = b.imageConfig.config ?? {};
  assert.ok(c.Env?.includes('A=x'));
  assert.ok(c.Env?.includes('B=y z'));
  assert.deepEqual(c.Labels, { l1: 'v1', 'l 2': 'v 2' });
  assert.deepEqual(c.ExposedPorts, { '80/tcp': {}, '443/udp': {}, '8080/tcp': {} });
  assert.deepEqual(c.Volumes, { '/data': {}, '/logs': {} });
  assert.equal(c.StopSignal, 'SIGTERM');
  assert.deepEqual((c as Record<string, unknown>).Healthcheck, {
    Test: ['CMD-SHELL', 'wget -q localhost || exit 1'],
    Interval: 5_000_000_000,
    Timeout: 3_000_000_000,
    StartPeriod: 1_000_000_000,
    Retries: 4,
  });
  assert.deepEqual((c as Record<string, unknown>).Shell, ['/bin/sh', '-ec']);
  assert.equal(c.User, '1000:1000');
  assert.deepEqual(c.Entrypoint, ['/bin/echo']);
  assert.deepEqual(c.Cmd, ['hi']);
  const hist = (b.imageConfig.history ?? []).slice(1).map((h) => [h.created_by, h.empty_layer === true]);
  assert.deepEqual(hist, [
    ['ARG V=1', true],
    ['ENV A=x B=y z', true],
    ['LABEL l1=v1 l 2=v 2', true],
    ['EXPOSE [443/udp 80/tcp 8080/tcp]', true],
    ['VOLUME [/data /logs]', true],
    ['STOPSIGNAL SIGTERM', true],
    ['HEALTHCHECK {Test:[CMD-SHELL wget -q localhost || exit 1] Interval:5s Timeout:3s StartPeriod:1s StartInterval:0s Retries:4}', true],
    ['SHELL [/bin/sh -ec]', true],
    ['USER 1000:1000', true],
    ['ENTRYPOINT ["/bin/echo"]', true],
    ['CMD ["hi"]', true],
    ['RUN |1 V=1 /bin/sh -ec echo $V $A # buildkit', true],
    ['WORKDIR /w', false],
    ['COPY --chown=1:2 <<xf /w/ # buildkit', false],
    ['COPY --chmod=755 /bin/busybox /w/ # buildkit', false],
  ]);
  assert.match(b.logs, /1 x/);
});

test('COPY follows docker rules: wildcards, directory contents, trailing slashes, --chown names, --chmod, --parents, --exclude', { skip }, async (t) => {
  const env = await buildEnv(t);
  env.files({ 'a.txt': 'A', 'b.txt': 'B', 'c.md': 'C', 'dir/x': 'X', 'dir/sub/y': 'Y', 'p/q/r.txt': 'R', 'p/s/t.txt': 'T' });
  const b = await env.run(
    [
      'FROM busybox',
      'RUN echo "app:x:1234:2345::/home/app:/bin/sh" >> /etc/passwd && echo "grp:x:2345:" >> /etc/group',
      'COPY *.txt /w/',
      'COPY dir /d',
      'COPY a.txt /single',
      'COPY --chown=app:grp --chmod=640 b.txt /owned',
      'COPY --parents p/*/*.txt /par/',
      'COPY --exclude=*.md . /ex/',
      'WORKDIR /rel',
      'COPY a.txt .',
      '',
    ].join('\n'),
  );
  const files = (i: number) => [...(b.layers[i]?.keys() ?? [])].sort();
  assert.deepEqual(files(2), ['w', 'w/a.txt', 'w/b.txt']);
  assert.deepEqual(files(3), ['d', 'd/sub', 'd/sub/y', 'd/x']);
  assert.equal(b.layers[4]?.get('single')?.data, 'A');
  const owned = b.layers[5]?.get('owned')?.header;
  assert.deepEqual([owned?.uid, owned?.gid, owned?.mode], [1234, 2345, 0o640]);
  assert.deepEqual(files(6), ['par', 'par/p', 'par/p/q', 'par/p/q/r.txt', 'par/p/s', 'par/p/s/t.txt']);
  assert.ok(b.layers[7]?.has('ex/a.txt'));
  assert.ok(!b.layers[7]?.has('ex/c.md'));
  assert.ok(b.layers[7]?.has('ex/dir/sub/y'));
  assert.equal(b.layers[7]?.get('ex/a.txt')?.header.uid, 0);
  assert.equal(b.layers[9]?.get('rel/a.txt')?.data, 'A');
});

test('--exclude patterns match below each source, as BuildKit matches them; a named source is never excluded itself', { skip }, async (t) => {
  const env = await buildEnv(t);
  env.files({ 'dir1/f-101.png': '2', 'dir1/f-102.txt': '3', 'dir3/f-301.mp3': '9', 'dir3/f-302.mpeg': '10', 'dir4/f-401.txt': '11', 'top.mp3': 'T', 'p/q/r.txt': 'R', 'p/q/s.md': 'S' });
  const b = await env.run(
    [
      'FROM scratch',
      // Matched below dir3/, not from the context root: `*.mp3` drops dir3/f-301.mp3.
      'ADD --exclude=*.mp3 dir3/ /3/',
      // One wildcard source, several matches: each match is a source of its own (and the
      // destination need not end in /, as there is one source argument).
      'ADD --exclude=*.mp* --exclude=*.png dir* /5',
      // From the root: `*/*.png` reaches one level down.
      'COPY --exclude=*/*.png --exclude=*.mp3 . /1',
      // The named file itself is never excluded.
      'COPY --exclude=*.mp3 top.mp3 /named/',
      // --parents: the path kept under the destination is what the patterns see.
      'COPY --parents --exclude=q/*.md p/./q /par/',
      '',
    ].join('\n'),
  );
  const files = (i: number) => [...(b.layers[i]?.keys() ?? [])].filter((f) => !f.endsWith('/')).sort();
  assert.deepEqual(files(0), ['3', '3/f-302.mpeg']);
  assert.deepEqual(files(1), ['5', '5/f-102.txt', '5/f-401.txt']);
  assert.ok(b.layers[2]?.has('1/dir3/f-301.mp3'), 'dir3/f-301.mp3 is two levels down: `*.mp3` is not for it');
  assert.ok(!b.layers[2]?.has('1/dir1/f-101.png'));
  assert.ok(!b.layers[2]?.has('1/top.mp3'));
  assert.ok(b.layers[2]?.has('1/dir1/f-102.txt'));
  assert.equal(b.layers[3]?.get('named/top.mp3')?.data, 'T');
  assert.ok(b.layers[4]?.has('par/q/r.txt'));
  assert.ok(!b.layers[4]?.has('par/q/s.md'));
});

test('COPY heredoc sources and RUN heredocs, shebang scripts included', { skip }, async (t) => {
  const env = await buildEnv(t);
  const b = await env.run(
    [
      'FROM busybox',
      'COPY <<EOF /greeting',
      'hello $HOME',
      'EOF',
      'RUN <<EOF',
      'echo one > /one',
      'echo two > /two',
      'EOF',
      'RUN <<EOF',
      '#!/bin/sh',
      'echo script > /three',
      'EOF',
      'RUN cat <<A > /four',
      'four',
      'A',
      '',
    ].join('\n'),
  );
  assert.equal(b.layers[1]?.get('greeting')?.data, 'hello $HOME\n');
  assert.equal(b.layers[2]?.get('one')?.data, 'one\n');
  assert.equal(b.layers[2]?.get('two')?.data, 'two\n');
  assert.equal(b.layers[3]?.get('three')?.data, 'script\n');
  assert.equal(b.layers[4]?.get('four')?.data, 'four\n');
});

test('multi-stage: COPY --from a stage by name and index, --target, and only needed stages built', { skip }, async (t) => {
  const env = await buildEnv(t);
  const df = [
    'FROM busybox AS one',
    'RUN echo 1 > /f1',
    'FROM busybox AS unused',
    'RUN exit 1',
    'FROM busybox AS two',
    'RUN echo 2 > /f2',
    'FROM scratch',
    'COPY --from=one /f1 /',
    'COPY --from=2 /f2 /',
    'COPY --from=busybox /bin/busybox /bb',
    '',
  ].join('\n');
  const b = await env.run(df);
  assert.equal(b.layers.length, 3);
  assert.equal(b.layers[0]?.get('f1')?.data, '1\n');
  assert.equal(b.layers[1]?.get('f2')?.data, '2\n');
  assert.ok(b.layers[2]?.has('bb'));
  const tgt = await env.run(df, { target: 'two' });
  assert.equal(tgt.layers.at(-1)?.get('f2')?.data, '2\n');
});

test('RUN --mount types: cache persists across builds, tmpfs, bind from context and stage, secret', { skip }, async (t) => {
  const env = await buildEnv(t);
  env.files({ 'in.txt': 'ctx' });
  const df = (n: number) =>
    [
      'FROM busybox AS src',
      'RUN echo staged > /s',
      'FROM busybox',
      `RUN --mount=type=cache,target=/c,id=k echo ${n} >> /c/log && cat /c/log > /seen`,
      'RUN --mount=type=tmpfs,target=/t touch /t/x && test ! -e /t2 && mount | grep -q " /t " && echo ok > /tm',
      'RUN --mount=type=bind,source=in.txt,target=/b cat /b > /fromctx',
      'RUN --mount=type=bind,from=src,source=/s,target=/s2 cat /s2 > /fromstage',
      'RUN --mount=type=secret,id=tok cat /run/secrets/tok | wc -c > /seclen',
      '',
    ].join('\n');
  const secrets = new Map([['tok', Buffer.from('s3cr3t-value')]]);
  await env.run(df(1), { secrets });
  const b = await env.run(df(2), { secrets });
  assert.equal(b.layers[1]?.get('seen')?.data, '1\n2\n');
  assert.equal(b.layers[2]?.get('tm')?.data, 'ok\n');
  assert.ok(!b.layers[2]?.has('t/x'));
  assert.equal(b.layers[3]?.get('fromctx')?.data, 'ctx');
  assert.equal(b.layers[4]?.get('fromstage')?.data, 'staged\n');
  assert.equal(b.layers[5]?.get('seclen')?.data.trim(), '12');
  for (const l of b.layers) for (const p of l.keys()) assert.ok(!/^(c|t|b|s2|run\/secrets\/tok)$/.test(p), `mount stub ${p} left in a layer`);
});
