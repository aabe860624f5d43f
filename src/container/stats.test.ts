import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containerFigures, hostCpuNs } from './stats.js';

test('CPU % is the container\'s share of the host\'s CPU time times its CPUs; memory leaves out inactive cache and caps the limit at the host\'s', () => {
  const before = { stats: { cpu: { usage: { total: 1e9, percpu: [0, 0] } } }, systemNs: 100e9 };
  const now = {
    stats: {
      cpu: { usage: { total: 2e9, percpu: [0, 0] } },
      memory: { usage: { usage: 10 << 20, limit: 2 ** 63 }, raw: { total_inactive_file: 4 << 20 } },
      pids: { current: 3 },
      blkio: { ioServiceBytesRecursive: [{ op: 'Read', value: 5 }, { op: 'Write', value: 7 }, { op: 'Total', value: 12 }] },
    },
    systemNs: 102e9,
  };
  const f = containerFigures(before, now, 1 << 30);
  assert.equal(f.cpuPercent, 100); // 1 s of CPU in 2 s of both CPUs' time, times 2 CPUs
  assert.equal(f.memUsage, 6 << 20);
  assert.equal(f.memLimit, 1 << 30);
  assert.equal(f.memPercent, (6 / 1024) * 100);
  assert.deepEqual([f.blockRead, f.blockWrite, f.pids], [5, 7, 3]);
  assert.equal(containerFigures(now, now, 1 << 30).cpuPercent, 0);
});

test('host CPU time from /proc/stat in nanoseconds', () => {
  assert.equal(hostCpuNs('cpu  100 0 50 1000 0 0 0 0 0 0\ncpu0 1 2 3\n'), 1150 * 1e7);
  assert.ok(hostCpuNs() > 0);
});
