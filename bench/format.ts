/**
 * `--format` speed: `image ls` over 10,000 generated images with the default table, the
 * walkthrough's table template and `{{json .}}`, plus parsing a 2,000-action template.
 * Prints medians in ms. Run: `node dist/bench/format.js [runs]`.
 */
import { formatImageList, type ImageSummary } from '../src/cli/format/index.js';
import { Template } from '../src/cli/format/template/index.js';

function median(runs: number, fn: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < runs + 2; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (i >= 2) times.push(ms); // the first runs warm the JIT
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? 0;
}

function main(): void {
  const runs = Number(process.argv[2] ?? 5);
  const now = new Date();
  const images: ImageSummary[] = [];
  for (let i = 0; i < 10_000; i++) {
    images.push({
      id: `sha256:${i.toString(16).padStart(64, '0')}`,
      repoTags: [`docker.io/library/app${i}:v${i % 7}`],
      repoDigests: [],
      created: new Date(now.getTime() - i * 60_000),
      size: i * 12_345,
      containers: 0,
    });
  }
  const formats: Array<[string, string | undefined]> = [
    ['default table', undefined],
    ['walkthrough table', 'table {{.ID}}\\t{{.Repository}}:{{.Tag}}\\t{{.CreatedAt}}'],
    ['{{json .}}', '{{json .}}'],
  ];
  for (const [name, format] of formats) {
    const ms = median(runs, () => formatImageList(images, format === undefined ? { now } : { format, now }));
    console.log(`image ls, 10,000 images, ${name}: ${ms.toFixed(1)} ms`);
  }
  const big = Array.from({ length: 2000 }, (_, i) => `{{if .A}}{{printf "%5d" ${i}}}{{else}}{{range $i, $v := .B}}{{$v}}{{end}}{{end}}`).join('\n');
  console.log(`parse 2,000-action template: ${median(runs, () => Template.parse(big)).toFixed(1)} ms`);
}

main();
