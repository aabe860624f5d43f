import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { FsDriver } from './fs-driver.js';
import { driverSuite } from './driver-suite.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
driverSuite('FsDriver', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gantry-fsdriver-'));
  dirs.push(dir);
  return new FsDriver(dir);
});
