// Cold start from the packaged artifacts (`npm run package` → .serverless/*.zip):
// each zip is unpacked, and its handler module imported in a fresh node
// process N times (BENCH_COLD_RUNS, default 7), beside an empty handler
// measured the same way in the same run. Prints zip size, bundle size, the
// median import time and its ratio to the empty handler's; ratios, never a
// pass/fail on time (the machine's load moves the milliseconds, much less the ratios).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { unzip } from '../scripts/zipEntries.js';

export interface ColdStartRow {
  fn: string;
  kind: 'api' | 'phase' | 'cluster' | 'expiry' | 'empty';
  zipBytes: number;
  bundleBytes: number;
  importMs: number;
  ratio: number;
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, '.serverless');

/** The goals of issue 23, by kind of function: zipped bytes and import time over an empty handler's. */
export const COLD_START_GOALS = { api: { zipBytes: 300 * 1024, ratio: 5 }, phase: { zipBytes: 1.5 * 1024 * 1024, ratio: 12 } } as const;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** One fresh process: the time its import of the handler module takes, as it sees it. */
function importOnce(file: string, env: NodeJS.ProcessEnv, nodeOptions: string): number {
  const script = `const t = performance.now(); const m = await import(${JSON.stringify(pathToFileURL(file).href)}); if (typeof m.handler !== 'function') throw new Error('no handler'); process.stdout.write(String(performance.now() - t));`;
  const stdout = execFileSync(process.execPath, [...nodeOptions.split(' ').filter(Boolean), '--input-type=module', '-e', script], {
    env: { ...env, NODE_OPTIONS: '' },
    encoding: 'utf8',
  });
  return Number(stdout);
}

export function measureColdStarts(runs = Number(process.env.BENCH_COLD_RUNS ?? 7)): ColdStartRow[] {
  const templateFile = join(out, 'cloudformation-template-update-stack.json');
  if (!existsSync(templateFile)) throw new Error('no packaged artifacts: run `npm run package` first');
  const template = JSON.parse(readFileSync(templateFile, 'utf8')) as {
    Resources: Record<
      string,
      { Type: string; Properties: { Code: { S3Key: string }; Handler: string; Environment?: { Variables?: Record<string, unknown> } } }
    >;
  };
  const dir = mkdtempSync(join(tmpdir(), 'kupgrade-cold-'));
  try {
    const fns: { fn: string; kind: ColdStartRow['kind']; file: string; zipBytes: number; bundleBytes: number; env: NodeJS.ProcessEnv; nodeOptions: string }[] =
      [];
    for (const [, r] of Object.entries(template.Resources)) {
      if (r.Type !== 'AWS::Lambda::Function') continue;
      const p = r.Properties;
      const zipName = String(p.Code.S3Key).split('/').pop()!;
      const fn = zipName.replace(/\.zip$/, '');
      const handler = String(p.Handler);
      const bundle = `${handler.slice(0, handler.lastIndexOf('.'))}.mjs`;
      const into = join(dir, fn);
      for (const [name, data] of unzip(join(out, zipName))) {
        mkdirSync(dirname(join(into, name)), { recursive: true });
        writeFileSync(join(into, name), data);
      }
      // the deployed variables that are plain strings; the references get placeholders
      const vars = Object.fromEntries(Object.entries(p.Environment?.Variables ?? {}).map(([k, v]) => [k, typeof v === 'string' ? v : `bench-${k}`]));
      const folder = handler.split('/')[1];
      const kind = folder === 'api' ? 'api' : folder === 'phases' ? 'phase' : folder === 'cluster' ? 'cluster' : 'expiry';
      fns.push({
        fn,
        kind,
        file: join(into, bundle),
        zipBytes: statSync(join(out, zipName)).size,
        bundleBytes: statSync(join(into, bundle)).size,
        env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', ...vars },
        nodeOptions: String(vars.NODE_OPTIONS ?? ''),
      });
    }
    const empty = join(dir, 'empty', 'index.mjs');
    mkdirSync(dirname(empty), { recursive: true });
    writeFileSync(empty, 'export const handler = async () => ({});\n');
    const samples = new Map<string, number[]>([['(empty handler)', []]]);
    for (const f of fns) samples.set(f.fn, []);
    // interleaved rounds, so a burst of load on the machine hits every function alike
    for (let i = 0; i < runs; i++) {
      samples.get('(empty handler)')!.push(importOnce(empty, { PATH: process.env.PATH }, fns[0]?.nodeOptions ?? ''));
      for (const f of fns) samples.get(f.fn)!.push(importOnce(f.file, f.env, f.nodeOptions));
    }
    const emptyMs = median(samples.get('(empty handler)')!);
    const rows: ColdStartRow[] = [
      { fn: '(empty handler)', kind: 'empty', zipBytes: 0, bundleBytes: statSync(empty).size, importMs: emptyMs, ratio: 1 },
      ...fns.map((f) => {
        const importMs = median(samples.get(f.fn)!);
        return { fn: f.fn, kind: f.kind, zipBytes: f.zipBytes, bundleBytes: f.bundleBytes, importMs, ratio: importMs / emptyMs };
      }),
    ];
    const order = ['empty', 'api', 'cluster', 'expiry', 'phase'];
    return rows.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || a.fn.localeCompare(b.fn));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`;

export function coldStartTable(rows: ColdStartRow[]): string {
  const goal = (r: ColdStartRow) => {
    const g = r.kind === 'api' || r.kind === 'phase' ? COLD_START_GOALS[r.kind] : undefined;
    return g ? `≤ ${kb(g.zipBytes)}, ≤ ×${g.ratio}` : '';
  };
  const lines = [
    '| function | kind | zipped | bundle | import ms (median) | × empty | goal |',
    '| --- | --- | ---: | ---: | ---: | ---: | --- |',
    ...rows.map(
      (r) =>
        `| ${r.fn} | ${r.kind} | ${r.zipBytes ? kb(r.zipBytes) : ''} | ${kb(r.bundleBytes)} | ${r.importMs.toFixed(1)} | ${r.ratio.toFixed(1)} | ${goal(r)} |`,
    ),
  ];
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const rows = measureColdStarts();
  if (process.argv.includes('--json')) console.log(JSON.stringify(rows, null, 2));
  else console.log(coldStartTable(rows));
}
