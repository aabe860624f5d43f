/**
 * docs/tutorial.md, executed: every `sh` block runs in order in one interactive bash on a
 * pseudo-terminal (test/tutorial/drive.py), with `gantry` on PATH pointing at a fresh store. Lines
 * marked `# inside` are typed into a container's shell; `# fails` must fail; `# expect: TEXT` must
 * appear in the line's output. Base images come from the test helpers (busybox from the host's
 * busybox-static, Debian from the cached mmdebstrap tarball), as the tutorial's first block allows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../../src/store/index.js';
import { putBusyboxImage } from '../helpers/busybox-image.js';
import { haveMmdebstrap, putDebianImage } from '../helpers/debian-image.js';
import { gantryBin, repoRoot, tempDir } from '../helpers/paths.js';

interface Line {
  text: string;
  inside: boolean;
  fails: boolean;
  expect?: string;
}

/** The runnable lines of the tutorial, with their annotations. */
export function tutorialLines(markdown: string): Line[] {
  const lines: Line[] = [];
  const blocks = markdown.matchAll(/```sh\n([\s\S]*?)```/g);
  for (const b of blocks) {
    for (const raw of (b[1] ?? '').split('\n')) {
      if (raw.trim() === '') continue;
      const inside = /#\s*inside\s*$/.test(raw);
      const fails = /#\s*fails\s*$/.test(raw);
      const expect = /#\s*expect:\s*(.+)$/.exec(raw)?.[1]?.trim();
      const text = raw.replace(/\s+#\s*(inside|fails|expect:.*)\s*$/, '').trimEnd();
      lines.push({ text, inside, fails, ...(expect === undefined ? {} : { expect }) });
    }
  }
  return lines;
}

test('docs/tutorial.md runs as written', { timeout: 30 * 60_000 }, async (t) => {
  if (!haveMmdebstrap()) return t.skip('needs mmdebstrap');
  if (spawnSync('python3', ['-c', 'import pty']).status !== 0) return t.skip('needs python3 with pty');
  // Removed by the cleanup below, after containers and mounts are gone (never through a mount).
  const work = tempDir(undefined, 'gantry-tutorial-');
  const root = join(work, 'root');
  const bin = join(work, 'bin');
  mkdirSync(bin);
  // `gantry` on PATH, on this test's store; the docker config and registry CA kept in the work dir.
  writeFileSync(join(bin, 'gantry'), `#!/bin/sh\nexec "${process.execPath}" "${gantryBin}" --root "${root}" "$@"\n`);
  chmodSync(join(bin, 'gantry'), 0o755);
  const store = openStore({ root });
  try {
    await putBusyboxImage(store);
    await putDebianImage(store);
  } finally {
    store.close();
  }
  t.after(() => {
    // Containers a failed run left behind, and their mounts.
    spawnSync('sh', ['-c', `for c in $("${join(bin, 'gantry')}" ps -aq 2>/dev/null); do "${join(bin, 'gantry')}" rm -f "$c"; done`]);
    spawnSync('sh', ['-c', `grep -o " ${work}[^ ]*" /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l`]);
    rmSync(work, { recursive: true, force: true });
  });
  const lines = tutorialLines(readFileSync(join(repoRoot, 'docs', 'tutorial.md'), 'utf8'));
  const env = {
    ...process.env,
    PATH: `${bin}:${process.env.PATH ?? ''}`,
    DOCKER_CONFIG: join(work, 'docker-config'),
    GANTRY_CERTS_D: join(work, 'certs.d'),
    GANTRY_REPO: repoRoot,
  };
  const out = execFileSync('python3', [join(repoRoot, 'test', 'tutorial', 'drive.py')], {
    input: JSON.stringify({
      lines: lines.map((l, i) => ({ text: l.text, inside: l.inside, enter: !l.inside && lines[i + 1]?.inside === true })),
      timeout: 900,
      cwd: work,
    }),
    env,
    maxBuffer: 64 << 20,
  });
  const results = JSON.parse(out.toString()) as { text: string; status: number | null; output: string }[];
  for (const [i, r] of results.entries()) {
    const line = lines[i];
    assert.notEqual(r.text, '<driver>', `the session broke: ${r.output}`);
    if (line === undefined) continue;
    if (r.status !== null) {
      if (line.fails) assert.notEqual(r.status, 0, `${line.text} should fail:\n${r.output}`);
      else assert.equal(r.status, 0, `${line.text} failed (exit ${r.status}):\n${r.output}`);
    }
    if (line.expect !== undefined) assert.ok(r.output.includes(line.expect), `${line.text}: output lacks "${line.expect}":\n${r.output}`);
  }
  assert.equal(results.length, lines.length, 'every line ran');
});
