import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * npm run bench — runs every benchmark in turn, collects the JSON object each prints on its last
 * line, and writes one Markdown report (with the machine it ran on) to bench/results/.
 */
const BENCHES = ['calibrate', 'booking', 'redact', 'policy', 'queue', 'e2e'];
const only = process.env.BENCH_ONLY?.split(',').filter(Boolean);

interface Outcome {
  name: string;
  ok: boolean;
  seconds: number;
  figures: Record<string, unknown> | null;
  tail: string;
}

const outcomes: Outcome[] = [];
for (const name of only ?? BENCHES) {
  const file = path.resolve(`dist/bench/${name}.bench.js`);
  const started = Date.now();
  process.stdout.write(`\n=== ${name} ===\n`);
  const r = spawnSync(process.execPath, [file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env: process.env, maxBuffer: 64 * 1024 * 1024 });
  const out = r.stdout ?? '';
  process.stdout.write(out.split('\n').filter((l) => !l.startsWith('{"time"')).join('\n'));
  const lines = out.trim().split('\n').filter((l) => !l.startsWith('{"time"'));
  let figures: Record<string, unknown> | null = null;
  for (let i = lines.length - 1; i >= 0 && !figures; i--) {
    try {
      const v = JSON.parse(lines[i]!);
      if (v && typeof v === 'object' && 'name' in v) figures = v;
    } catch {
      /* not the figures line */
    }
  }
  outcomes.push({ name, ok: r.status === 0 && figures !== null, seconds: Math.round((Date.now() - started) / 1000), figures, tail: lines.slice(-12).join('\n') });
}

const cpu = os.cpus()[0]?.model ?? 'cpu';
const when = new Date().toISOString();
const md = [
  `# Benchmark report — ${when}`,
  '',
  `Machine: ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, ${os.type()} ${os.release()}, Node ${process.version}; load average at the end ${os.loadavg().map((x) => x.toFixed(2)).join(' / ')}.`,
  '',
  '| benchmark | ok | seconds | figures |',
  '|---|---|---|---|',
  ...outcomes.map((o) => `| ${o.name} | ${o.ok ? 'yes' : '**no**'} | ${o.seconds} | ${o.figures ? Object.entries(o.figures).filter(([k]) => k !== 'name').map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join('<br>') : '—'} |`),
  '',
  ...outcomes.flatMap((o) => [`## ${o.name}`, '', '```', o.tail, '```', '']),
].join('\n');
const dir = path.resolve('bench/results');
mkdirSync(dir, { recursive: true });
const file = path.join(dir, `report-${when.replace(/[:.]/g, '-')}.md`);
writeFileSync(file, md);
console.log(`\nreport written to ${path.relative(process.cwd(), file)}`);
console.log(JSON.stringify({ name: 'all', report: path.relative(process.cwd(), file), ok: outcomes.every((o) => o.ok), benches: Object.fromEntries(outcomes.map((o) => [o.name, o.figures])) }));
process.exit(outcomes.every((o) => o.ok) ? 0 : 1);
