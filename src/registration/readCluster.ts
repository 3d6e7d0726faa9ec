import * as z from 'zod';
import type { ClusterDriver } from '../kube/clusterDriver.js';
import { ANNOTATION_CORDONED_BY } from '../domain/clusterMarks.js';
import { KupgradeError } from '../domain/errors.js';
import type { ClusterOverview, ReadClusterResult, ReadDrainResult } from './clusterReader.js';
import { checkKubeconfig } from './kubeconfigCheck.js';

/** The read function's input, checked: it is invoked with JSON. */
const ReadClusterInputSchema = z.union([
  z.strictObject({ kubeconfig: z.string().min(1) }),
  z.strictObject({ kubeconfigRef: z.string().min(1) }),
  // the drain forecast: the pods on these nodes and their budgets, instead of the overview
  z.strictObject({ kubeconfigRef: z.string().min(1), drainForecast: z.strictObject({ nodes: z.array(z.string().min(1)).max(1000) }) }),
]);

export interface ReadClusterDeps {
  driverFromKubeconfig(kubeconfig: string): ClusterDriver;
  readKubeconfig(ref: string): Promise<string>;
}

async function overviewOf(driver: ClusterDriver): Promise<ClusterOverview> {
  const [version, identity, nodes] = await Promise.all([driver.serverVersion(), driver.clusterIdentity(), driver.listNodes()]);
  return {
    version,
    identity,
    nodes: nodes.map((n) => {
      const holder = n.annotations[ANNOTATION_CORDONED_BY];
      return {
        name: n.name,
        role: n.role,
        version: n.kubeletVersion,
        ready: n.ready,
        unschedulable: n.unschedulable,
        ...(n.unschedulable ? (holder ? { cordonedBy: 'kupgrade' as const, cordonUpgradeId: holder } : { cordonedBy: 'operator' as const }) : {}),
      };
    }),
  };
}

/** Reads a cluster for the API. Never throws for a cluster that cannot be read: the reason goes back as data. */
export async function readCluster(deps: ReadClusterDeps, input: unknown): Promise<ReadClusterResult | ReadDrainResult> {
  try {
    const source = ReadClusterInputSchema.parse(input);
    const kubeconfig = 'kubeconfig' in source ? source.kubeconfig : await deps.readKubeconfig(source.kubeconfigRef);
    let driver: ClusterDriver;
    try {
      checkKubeconfig(kubeconfig);
      driver = deps.driverFromKubeconfig(kubeconfig);
    } catch (err) {
      if (err instanceof KupgradeError) return { ok: false, reason: err.reason, message: err.message, remedy: err.remedy };
      // the client's parse error may quote the file: name the problem, not the text
      return {
        ok: false,
        reason: 'KubeconfigInvalid',
        message: `the kubeconfig could not be loaded (${(err as Error).name})`,
        remedy: 'send a kubeconfig YAML with a current-context, a cluster server URL and user credentials',
      };
    }
    if ('drainForecast' in source) return { ok: true, drain: await driver.drainForecastRead(source.drainForecast.nodes) };
    return { ok: true, overview: await overviewOf(driver) };
  } catch (err) {
    if (err instanceof KupgradeError) return { ok: false, reason: err.reason, message: err.message, remedy: err.remedy };
    if (err instanceof z.ZodError)
      return { ok: false, reason: 'InvalidRequest', message: 'the read function needs a kubeconfig or a kubeconfigRef', remedy: 'this is a bug in the caller' };
    return {
      ok: false,
      reason: 'ClusterUnreachable',
      message: `the cluster could not be read: ${(err as Error).message}`,
      remedy: 'check the kubeconfig: server URL, CA and credentials',
    };
  }
}
