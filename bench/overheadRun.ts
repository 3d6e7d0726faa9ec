// npm run bench:overhead: the overhead ratios alone (BENCH_OVERHEAD_SIZES, default 100,500; minutes each), as `npm run bench -- --json` measures them.
import { measureOverhead, overheadTable, type OverheadRow } from './overhead.js';

const rows: OverheadRow[] = [];
for (const workers of (process.env.BENCH_OVERHEAD_SIZES ?? '100,500').split(',').map(Number)) {
  process.stderr.write(`overhead: 3 masters + ${workers} workers, T = 10 s, POLL_SECONDS 1, real waits…\n`);
  rows.push(await measureOverhead(workers));
}
console.log(overheadTable(rows));
