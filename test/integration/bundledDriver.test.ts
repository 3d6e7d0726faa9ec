// The Kubernetes driver as the Lambda bundles hold it: serverless.yml's esbuild
// options and plugins, which narrow undici, mark @kubernetes/client-node free
// of side effects and drop the generated API methods no source calls
// (scripts/esbuildPlugins.cjs). The other tests run the sources against the full
// client; this one runs every ClusterDriver call through the bundled one, so a
// method the plugin dropped but the driver needs fails here, not in a Lambda.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { build, type Plugin } from 'esbuild';
import { parse } from 'yaml';
import { startKubeSim, type KubeSim } from '../../local/kube-sim/index.js';
import { CFN_TAGS } from '../../src/api/declaredRoutes.js';
import type { ClusterDriver } from '../../src/kube/clusterDriver.js';
import type { createKubernetesDriver } from '../../src/kube/k8sDriver.js';
import { eventually } from '../helpers/eventually.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const outfile = join(root, '.esbuild', 'bundled-driver', 'k8sDriver.mjs');

let sim: KubeSim;
let driver: ClusterDriver;

beforeAll(async () => {
  const service = parse(readFileSync(join(root, 'serverless.yml'), 'utf8'), { customTags: CFN_TAGS }) as { custom: { esbuild: Record<string, any> } };
  const { outputFileExtension, exclude, plugins: pluginsFile, sourcemap, ...options } = service.custom.esbuild;
  void outputFileExtension;
  void exclude;
  void sourcemap;
  const plugins = (createRequire(import.meta.url)(join(root, pluginsFile)) as Plugin[]).filter((p) => p.name !== 'source-maps-out-of-zips');
  await build({ ...options, absWorkingDir: root, entryPoints: ['src/kube/k8sDriver.ts'], outfile, plugins, logLevel: 'error' });
  const bundled = (await import(pathToFileURL(outfile).href)) as { createKubernetesDriver: typeof createKubernetesDriver };
  sim = await startKubeSim({ masters: 1, workers: 2, version: '1.30.4', upgradeMs: 30, rescheduleMs: 20 });
  driver = bundled.createKubernetesDriver(sim.kubeconfig);
}, 120_000);
afterAll(() => sim?.close());

describe('the bundled Kubernetes driver', () => {
  it('is the narrowed client: the generated methods no source calls are gone', () => {
    const code = readFileSync(outfile, 'utf8');
    // CoreV1Api's, which kupgrade never calls, in every layer of the generated client
    expect(code).not.toMatch(/listNamespacedService\b/);
    expect(code).toMatch(/listPodForAllNamespaces\b/);
  });

  it('answers every ClusterDriver call against the simulated cluster', async () => {
    const UPG = 'upg-bundled';
    expect(await driver.serverVersion()).toBe('1.30.4');
    expect(await driver.clusterIdentity()).toMatch(/\S/);
    expect((await driver.listNodes()).map((n) => n.name)).toEqual(['master-1', 'worker-1', 'worker-2']);
    expect((await driver.getNode('worker-1')).role).toBe('worker');
    const state = await driver.readClusterState();
    expect(state.nodes).toBeDefined();
    expect(await driver.unavailableWorkloads()).toEqual(expect.any(Array));
    expect(await driver.drainForecastRead(['worker-1'])).toBeDefined();
    expect((await driver.cordon('worker-1', UPG)).cordonedByUs).toBe(true);
    await eventually(async () => (await driver.drain('worker-1')).done, 'the drain');
    expect((await driver.ensureUpgradeJob({ upgradeId: UPG, node: 'worker-1', role: 'worker', targetVersion: '1.31.10' })).created).toBe(true);
    expect(await driver.activeUpgradeJobs('worker-1')).toEqual(expect.any(Array));
    await eventually(async () => (await driver.upgradeJobStatus(UPG, 'worker-1')).phase === 'succeeded', 'the Job');
    expect(await driver.uncordon('worker-1', UPG)).toBe(true);
    await driver.recordNodeEvent({ node: 'worker-1', reason: 'NodeCordoned', type: 'Normal', action: 'Cordon', note: 'cordoned' });
    const self = { installation: 'bundled-test', upgradeId: UPG, clusterId: 'c1' };
    expect(await driver.readLease()).toBeUndefined();
    expect(await driver.writeLease({ self, durationSeconds: 60, now: new Date().toISOString() })).toBe(true);
    const lease = await driver.readLease();
    expect(lease?.upgradeId).toBe(UPG);
    expect(await driver.writeLease({ self, durationSeconds: 60, now: new Date().toISOString(), previous: lease })).toBe(true);
    expect(await driver.releaseLease(self)).toBe(true);
    expect(await driver.deleteUpgradeJobs(UPG)).toBeGreaterThan(0);
  }, 60_000);
});
