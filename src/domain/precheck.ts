import type { CheckReport, CheckResult } from './upgrade.js';
import { checkClusterTarget, checkKubeletSkew, oldestVersion } from './versions.js';

/** What the checks look at: plain data the phase read from the cluster. */
export interface CheckContext {
  targetVersion: string;
  serverVersion?: string;
  nodes: ReadonlyArray<{ name: string; role: string; kubeletVersion: string; ready: boolean; unschedulable: boolean }>;
  /** set when the API server could not be read */
  apiError?: string;
}

type Check = (c: CheckContext) => CheckResult;

const apiServer: Check = (c) =>
  c.apiError || !c.serverVersion
    ? { name: 'api-server', status: 'fail', message: `the API server could not be read: ${c.apiError ?? 'no version'}`, remedy: 'check the cluster endpoint, the network path and the kubeconfig credentials' }
    : { name: 'api-server', status: 'pass', message: `the API server answers (version ${c.serverVersion})`, remedy: '' };

const targetVersion: Check = (c) => {
  if (!c.serverVersion) return { name: 'target-version', status: 'fail', message: 'the cluster version is unknown', remedy: 'make the API server reachable, then run the check again' };
  const v = checkClusterTarget({ serverVersion: c.serverVersion, oldestKubelet: oldestVersion(c.nodes.map((n) => n.kubeletVersion)), target: c.targetVersion });
  if (v.ok && v.kind === 'complete') {
    return { name: 'target-version', status: 'pass', message: `the control plane runs ${c.targetVersion}; the nodes still behind it will be upgraded`, remedy: '' };
  }
  return v.ok
    ? { name: 'target-version', status: 'pass', message: `${c.serverVersion} → ${c.targetVersion} is a ${v.kind} upgrade`, remedy: '' }
    : { name: 'target-version', status: 'fail', message: v.message, remedy: 'choose a newer patch of the current minor or the next minor version' };
};

const nodesReady: Check = (c) => {
  const notReady = c.nodes.filter((n) => !n.ready).map((n) => n.name);
  const cordoned = c.nodes.filter((n) => n.unschedulable).map((n) => n.name);
  if (c.nodes.length === 0) return { name: 'nodes-ready', status: 'fail', message: 'no nodes could be read', remedy: 'check that the credentials may list nodes' };
  if (notReady.length) return { name: 'nodes-ready', status: 'fail', message: `nodes not Ready: ${notReady.join(', ')}`, remedy: 'repair or remove these nodes, then run the check again' };
  if (cordoned.length) return { name: 'nodes-ready', status: 'warn', message: `nodes already cordoned: ${cordoned.join(', ')}; they are upgraded and left cordoned`, remedy: 'uncordon them first if they should take work after the upgrade' };
  return { name: 'nodes-ready', status: 'pass', message: `all ${c.nodes.length} nodes are Ready`, remedy: '' };
};

const kubeletSkew: Check = (c) => {
  const bad = c.nodes
    .map((n) => ({ n, verdict: checkKubeletSkew(n.kubeletVersion, c.targetVersion) }))
    .filter((x) => !x.verdict.ok)
    .map((x) => `${x.n.name}: ${(x.verdict as { message: string }).message}`);
  return bad.length
    ? { name: 'kubelet-skew', status: 'fail', message: `kubelets outside the skew policy of ${c.targetVersion}: ${bad.join('; ')}`, remedy: 'bring these kubelets within the supported skew first' }
    : { name: 'kubelet-skew', status: 'pass', message: `every kubelet is within the skew policy of ${c.targetVersion}`, remedy: '' };
};

export const CHECKS: readonly Check[] = [apiServer, targetVersion, nodesReady, kubeletSkew];

export function runChecks(c: CheckContext): CheckResult[] {
  return CHECKS.map((check) => check(c));
}

/** Any `fail` blocks the upgrade; warnings let it start and stay visible. */
export function summarize(results: CheckResult[]): CheckReport {
  return { status: results.some((r) => r.status === 'fail') ? 'failed' : 'passed', results };
}
