/**
 * The container CLI tests' frame: a store with busybox, `gantry` run against it, and a teardown that
 * removes every container, mount and file the tests left.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { gantryBin, tempDir } from '../helpers/paths.js';
import { putBusyboxImage } from '../helpers/busybox-image.js';
import { openStore } from '../../src/store/index.js';

export interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface ContainerCli {
  /** The store's root (set by `setUp`). */
  readonly root: string;
  /** Runs `gantry --root <root> …`. */
  g(...args: string[]): Result;
  /** Runs it and asserts exit code 0; its stdout. */
  ok(...args: string[]): string;
  setUp(): Promise<void>;
  tearDown(): void;
}

/** Mount points at or below `dir`. */
export function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((m) => m.startsWith(dir));
}

export function containerCli(prefix: string): ContainerCli {
  let root = '';
  const g = (...args: string[]): Result => {
    const r = spawnSync(gantryBin, ['--root', root, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  return {
    get root() {
      return root;
    },
    g,
    ok(...args) {
      const r = g(...args);
      assert.equal(r.status, 0, `gantry ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    },
    async setUp() {
      root = tempDir(undefined, prefix);
      const store = openStore({ root });
      try {
        await putBusyboxImage(store);
      } finally {
        store.close();
      }
    },
    tearDown() {
      const ids = g('ps', '-a', '-q', '--no-trunc').stdout.split('\n').filter((l) => l !== '');
      if (ids.length > 0) g('rm', '-f', ...ids);
      for (const m of mountsUnder(root).reverse()) spawnSync('umount', ['-l', m]);
      spawnSync('rm', ['-rf', root]);
    },
  };
}
