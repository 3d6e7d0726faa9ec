// How close an upgrade runs to the time its batch policy needs: with every node
// upgrade Job taking T seconds in kube-sim (`--upgrade-seconds T`), POLL_SECONDS 1,
// no soak and the Wait states waiting for real, the measured upgrade time over
// the policy's makespan (masters × T + worker batches × T). Prints ratios; the
// 500-worker run takes minutes, so it is a bench, never part of `npm test`.
import type { UpgradeMeasure } from './upgradeCost.js';

export interface OverheadRow {
  workers: number;
  masters: number;
  upgradeSeconds: number;
  workerBatches: number;
  makespanSeconds: number;
  wallSeconds: number;
  ratio: number;
  polls: number;
  pollsPerBatch: number;
}

export async function measureOverhead(workers: number, upgradeSeconds = 10, masters = 3): Promise<OverheadRow> {
  const { measureUpgrade } = await import('./upgradeCost.js');
  const r: UpgradeMeasure = await measureUpgrade({ masters, workers, workload: 'none', upgradeMs: upgradeSeconds * 1000, waitMs: null });
  const workerBatches = r.batches.filter((b) => b.kind === 'worker').length;
  const makespanSeconds = (masters + workerBatches) * upgradeSeconds;
  return {
    workers,
    masters,
    upgradeSeconds,
    workerBatches,
    makespanSeconds,
    wallSeconds: r.wallSeconds,
    ratio: r.wallSeconds / makespanSeconds,
    polls: r.polls,
    pollsPerBatch: r.polls / r.batches.length,
  };
}

export function overheadTable(rows: OverheadRow[]): string {
  return [
    '| workers | T s | worker batches | makespan s | upgrade s | ÷ makespan | polls | polls/batch |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.masters}+${r.workers} | ${r.upgradeSeconds} | ${r.workerBatches} | ${r.makespanSeconds} | ${r.wallSeconds.toFixed(1)} | ${r.ratio.toFixed(3)} | ${r.polls} | ${r.pollsPerBatch.toFixed(1)} |`,
    ),
  ].join('\n');
}
