/**
 * Parse speed: a generated 5,000-line Dockerfile (every instruction kind, continuations, heredocs,
 * flags, JSON forms), parsed and turned into typed stages repeatedly; prints the median in ms.
 * Run: `node dist/bench/dockerfile-parse.js [runs]`.
 */
import { parse, parseDockerfile } from '../src/dockerfile/index.js';

function generateDockerfile(lines: number): string {
  const out: string[] = ['# syntax=docker/dockerfile:1', 'ARG BASE=busybox'];
  let stage = 0;
  while (out.length < lines) {
    out.push(`FROM \${BASE} AS stage${stage}`);
    out.push('ENV A=1 B="two words" C=3', 'LABEL org.example.k="v" other=x');
    out.push('RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\', '    apt-get update && \\', '    # a comment inside', '    apt-get install -y curl');
    out.push('COPY --chown=1000:1000 --chmod=644 src/ /app/src/');
    if (stage > 0) out.push(`COPY --from=stage${stage - 1} /app /prev`);
    out.push('RUN <<EOF', 'set -e', 'echo hello', 'EOF');
    out.push('WORKDIR /app', 'USER 1000:1000', 'EXPOSE 80/tcp 443', 'VOLUME ["/data"]');
    out.push('HEALTHCHECK --interval=30s --timeout=3s CMD curl -f http://localhost/ || exit 1');
    out.push('CMD ["node", "server.js"]', 'ENTRYPOINT ["/entry.sh"]', '');
    stage++;
  }
  return out.slice(0, lines).join('\n') + '\n';
}

/** Median wall-clock and CPU (user + system) milliseconds of `fn` over `runs`, after 3 warm-up runs. */
function median(runs: number, fn: () => void): { wall: number; cpu: number } {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs + 3; i++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    fn();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const c = process.cpuUsage(c0);
    if (i >= 3) {
      wall.push(ms);
      cpu.push((c.user + c.system) / 1000);
    }
  }
  const mid = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return { wall: mid(wall), cpu: mid(cpu) };
}

function main(): void {
  const runs = Number(process.argv[2] ?? 30);
  const text = generateDockerfile(5000);
  const tree = median(runs, () => parse(text));
  const typed = median(runs, () => parseDockerfile(text));
  // CPU time is printed too: on a shared machine the wall clock mostly measures the neighbours.
  process.stdout.write(
    `dockerfile-parse: 5000 lines, ${runs} runs: parse (tree) median ${tree.wall.toFixed(2)} ms ` +
      `(cpu ${tree.cpu.toFixed(2)} ms), parseDockerfile (typed stages) median ${typed.wall.toFixed(2)} ms ` +
      `(cpu ${typed.cpu.toFixed(2)} ms)\n`,
  );
}

main();
