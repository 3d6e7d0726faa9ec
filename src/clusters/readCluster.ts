import { z } from 'zod';
import type { ClusterDriver } from '../cluster/clusterDriver.js';
import { KupgradeError } from '../domain/errors.js';
import type { ClusterSnapshot, ReadClusterResult } from './clusterReader.js';

/** The read function's input, checked: it is invoked with JSON. */
export const ReadClusterInputSchema = z.union([z.strictObject({ kubeconfig: z.string().min(1) }), z.strictObject({ kubeconfigRef: z.string().min(1) })]);
export type ReadClusterInput = z.infer<typeof ReadClusterInputSchema>;

export interface ReadClusterDeps {
  driverFromKubeconfig(kubeconfig: string): ClusterDriver;
  readKubeconfig(ref: string): Promise<string>;
}

export async function snapshotOf(driver: ClusterDriver): Promise<ClusterSnapshot> {
  const version = await driver.serverVersion();
  const nodes = await driver.listNodes();
  return {
    version,
    nodes: nodes.map((n) => ({ name: n.name, role: n.role, version: n.kubeletVersion, ready: n.ready, unschedulable: n.unschedulable })),
  };
}

/** Reads a cluster for the API. Never throws for a cluster that cannot be read: the reason goes back as data. */
export async function readCluster(deps: ReadClusterDeps, input: unknown): Promise<ReadClusterResult> {
  try {
    const source = ReadClusterInputSchema.parse(input);
    const kubeconfig = 'kubeconfig' in source ? source.kubeconfig : await deps.readKubeconfig(source.kubeconfigRef);
    let driver: ClusterDriver;
    try {
      driver = deps.driverFromKubeconfig(kubeconfig);
    } catch (err) {
      // the client's parse error may quote the file: name the problem, not the text
      return { ok: false, reason: 'KubeconfigInvalid', message: `the kubeconfig could not be loaded (${(err as Error).name})`, remedy: 'send a kubeconfig YAML with a current-context, a cluster server URL and user credentials' };
    }
    return { ok: true, snapshot: await snapshotOf(driver) };
  } catch (err) {
    if (err instanceof KupgradeError) return { ok: false, reason: err.reason, message: err.message, remedy: err.remedy };
    if (err instanceof z.ZodError) return { ok: false, reason: 'InvalidRequest', message: 'the read function needs a kubeconfig or a kubeconfigRef', remedy: 'this is a bug in the caller' };
    return { ok: false, reason: 'ClusterUnreachable', message: `the cluster could not be read: ${(err as Error).message}`, remedy: 'check the kubeconfig: server URL, CA and credentials' };
  }
}
