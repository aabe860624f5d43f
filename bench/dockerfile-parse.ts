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

function median(runs: number, fn: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < runs + 3; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (i >= 3) times.push(ms); // the first runs warm the JIT
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

function main(): void {
  const runs = Number(process.argv[2] ?? 30);
  const text = generateDockerfile(5000);
  const tree = median(runs, () => parse(text));
  const typed = median(runs, () => parseDockerfile(text));
  process.stdout.write(
    `dockerfile-parse: 5000 lines, ${runs} runs: parse (tree) median ${tree.toFixed(2)} ms, ` +
      `parseDockerfile (typed stages) median ${typed.toFixed(2)} ms\n`,
  );
}

main();
