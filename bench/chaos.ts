import { Command, InvalidArgumentError } from 'commander';
import { runCampaign } from './chaos/campaign.js';

const int = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
};

const o = new Command('npm run chaos --')
  .description('upgrades of simulated clusters under injected faults and kills of the whole local stack; prints what held')
  .option('--upgrades <n>', 'upgrades run at once, one cluster each', int, 20)
  .option('--workers <n>', 'workers per cluster (3 masters each)', int, 30)
  .option('--faults <spec>', 'KUPGRADE_FAULTS for the stack and the clusters', 'lambda=0.1,kube=0.05')
  .option('--kills <n>', 'SIGKILLs of the stack during one more upgrade', int, 10)
  .option('--max-resumes <n>', 'automatic pauses an operator resumes per upgrade, at most', int, 30)
  .option('--quiet', 'only the figures')
  .parse()
  .opts<{ upgrades: number; workers: number; faults: string; kills: number; maxResumes: number; quiet?: boolean }>();

const f = await runCampaign({ ...o, log: o.quiet ? undefined : (l) => console.log(`  ${l}`) });
const faults = Object.entries(f.faults)
  .map(([k, n]) => `${k} ${n}`)
  .join(', ');
console.log(`upgrades run: ${f.upgradesRun}, succeeded: ${f.succeeded}/${f.upgradesRun}`);
console.log(`resumes: ${f.resumes} (at most ${o.maxResumes} per upgrade)`);
console.log(`faults: ${faults}`);
console.log(`kills: ${f.kills}`);
console.log(`nodes not at the target: ${f.nodesNotAtTarget}; left cordoned: ${f.nodesLeftCordoned}; double Jobs: ${f.doubleJobs}`);
console.log(`events lost: ${f.lostEvents}, duplicated: ${f.duplicatedEvents}`);
console.log(`secrets found: ${f.secretsFound} (canary found: ${f.canaryFound ? 'yes' : 'NO'})`);
console.log(`rules broken while running: ${f.violations.length}`);
for (const v of f.violations.slice(0, 20)) console.log(`  ${v}`);
console.log(`took ${f.seconds} s`);
const ok =
  f.succeeded === f.upgradesRun &&
  f.nodesNotAtTarget + f.nodesLeftCordoned + f.doubleJobs + f.lostEvents + f.duplicatedEvents + f.secretsFound + f.violations.length === 0 &&
  f.canaryFound &&
  Object.values(f.faults).every((n) => n > 0);
process.exit(ok ? 0 : 1);
