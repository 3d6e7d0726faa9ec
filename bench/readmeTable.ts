// The README's bench tables, from what `npm run bench -- --json` printed:
//   npm run bench -- --json > bench.json && npx tsx bench/readmeTable.ts bench.json
// or the cold-start table alone, from what `npx tsx bench/coldStart.ts --json` printed (a JSON array of its rows):
//   npx tsx bench/coldStart.ts --json > cold.json && npx tsx bench/readmeTable.ts cold.json
import { readFileSync } from 'node:fs';
import { coldStartTable, type ColdStartRow } from './coldStart.js';
import type { LoadRow } from './load.js';
import { overheadTable, type OverheadRow } from './overhead.js';

interface BenchJson {
  generatedAt: string;
  node: string;
  cpus: number;
  sizes: { workers: number; masters: number; load?: LoadRow; overhead?: OverheadRow }[];
  coldStart: ColdStartRow[];
}

const file = process.argv[2];
if (!file) throw new Error('usage: tsx bench/readmeTable.ts bench.json');
const parsed = JSON.parse(readFileSync(file, 'utf8')) as BenchJson | ColdStartRow[];
if (Array.isArray(parsed)) {
  console.log(coldStartTable(parsed));
  process.exit(0);
}
const b = parsed;
const load = b.sizes.flatMap((s) => (s.load ? [{ masters: s.masters, ...s.load }] : []));
const overhead = b.sizes.flatMap((s) => (s.overhead ? [s.overhead] : []));
console.log(`Measured ${b.generatedAt.slice(0, 10)}, node ${b.node}, ${b.cpus} cores shared.\n`);
console.log('Overhead (upgrade time ÷ the policy’s makespan; goal ≤ 1.10):\n');
console.log(overheadTable(overhead));
console.log('\nLoad per upgrade:\n');
console.log(
  [
    '| cluster | batches | polls | DDB writes/node | DDB writes/idle poll | k8s req/node | k8s req/idle poll/node in flight | cluster lists in a batch | peak RSS MB |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...load.map(
      (r) =>
        `| ${r.masters}+${r.workers} | ${r.batches} | ${r.polls} | ${r.dynamoWritesPerNode.toFixed(2)} | ${r.dynamoWritesPerIdlePoll.toFixed(2)} | ${r.k8sRequestsPerNode.toFixed(2)} | ${r.k8sRequestsPerIdlePollPerNodeInFlight.toFixed(2)} | ${r.collectionReadsInBatch} | ${r.peakRssMb.toFixed(0)} |`,
    ),
  ].join('\n'),
);
console.log('\nCold start, from the packaged zips (median import in a fresh node process, × an empty handler’s in the same run):\n');
console.log(coldStartTable(b.coldStart));
