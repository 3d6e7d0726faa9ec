import semver from 'semver';

/** Kubernetes versions as kupgrade reads them: "v1.30.4" and "1.30.4" are the same. */
export function parseVersion(text: string): semver.SemVer | null {
  const cleaned = text.trim().replace(/^v/, '');
  if (!/^\d+\.\d+\.\d+$/.test(cleaned)) return null;
  return semver.parse(cleaned);
}

export function normalizeVersion(text: string): string {
  const parsed = parseVersion(text);
  if (!parsed) throw new Error(`not a Kubernetes version: ${JSON.stringify(text)}`);
  return parsed.version;
}

export type UpgradePathVerdict =
  { ok: true; kind: 'patch' | 'minor' } | { ok: false; reason: 'InvalidVersion' | 'SameVersion' | 'Downgrade' | 'SkipsMinor' | 'MajorChange'; message: string };

/**
 * One minor at a time, or a newer patch of the same minor; never a downgrade.
 * kubeadm refuses to skip minors, and so do managed consoles.
 */
export function checkUpgradePath(from: string, to: string): UpgradePathVerdict {
  const a = parseVersion(from);
  const b = parseVersion(to);
  if (!a || !b) {
    const bad = a ? to : from;
    return { ok: false, reason: 'InvalidVersion', message: `"${bad}" is not a version of the form 1.31.2` };
  }
  if (semver.eq(a, b)) return { ok: false, reason: 'SameVersion', message: `the cluster already runs ${a.version}` };
  if (semver.lt(b, a)) return { ok: false, reason: 'Downgrade', message: `${b.version} is older than the cluster's ${a.version}; kupgrade never downgrades` };
  if (a.major !== b.major) return { ok: false, reason: 'MajorChange', message: `${a.version} → ${b.version} changes the major version` };
  if (b.minor === a.minor) return { ok: true, kind: 'patch' };
  if (b.minor === a.minor + 1) return { ok: true, kind: 'minor' };
  return {
    ok: false,
    reason: 'SkipsMinor',
    message: `${a.version} → ${b.version} skips ${b.minor - a.minor - 1} minor version(s); upgrade to 1.${a.minor + 1}.x first`,
  };
}

/**
 * The policy applied to a cluster: the control plane's version decides, but a
 * cluster whose control plane already runs the target while some kubelets lag
 * (a cancelled or interrupted upgrade) may be upgraded to that same target to
 * finish the job.
 */
export function checkClusterTarget(args: {
  serverVersion: string;
  oldestKubelet?: string;
  target: string;
}): UpgradePathVerdict | { ok: true; kind: 'complete' } {
  const verdict = checkUpgradePath(args.serverVersion, args.target);
  if (verdict.ok || verdict.reason !== 'SameVersion' || !args.oldestKubelet) return verdict;
  const oldest = parseVersion(args.oldestKubelet);
  const target = parseVersion(args.target);
  if (oldest && target && semver.lt(oldest, target)) return { ok: true, kind: 'complete' };
  return verdict;
}

/**
 * How many minors a kubelet may lag the API server: 3 from 1.28 on (KEP-3935),
 * 2 before it (2 from 1.25, when the policy was written as n-2).
 */
function maxKubeletLag(controlPlaneMinor: number): number {
  return controlPlaneMinor >= 28 ? 3 : 2;
}

export type SkewVerdict = { ok: true } | { ok: false; message: string };

/** Whether a kubelet at `kubelet` is allowed beside a control plane at `controlPlane`. */
export function checkKubeletSkew(kubelet: string, controlPlane: string): SkewVerdict {
  const k = parseVersion(kubelet);
  const c = parseVersion(controlPlane);
  if (!k || !c) return { ok: false, message: `cannot compare kubelet ${kubelet} with control plane ${controlPlane}` };
  if (k.major !== c.major || k.minor > c.minor) {
    return { ok: false, message: `kubelet ${k.version} is newer than the control plane ${c.version}` };
  }
  const lag = c.minor - k.minor;
  const max = maxKubeletLag(c.minor);
  if (lag > max) {
    return { ok: false, message: `kubelet ${k.version} is ${lag} minors behind ${c.version}; at most ${max} are supported` };
  }
  return { ok: true };
}

export function sameVersion(a: string, b: string): boolean {
  const x = parseVersion(a);
  const y = parseVersion(b);
  return !!x && !!y && semver.eq(x, y);
}

/** The oldest of a list of versions (unparseable ones ignored). */
export function oldestVersion(versions: readonly string[]): string | undefined {
  const parsed = versions.map(parseVersion).filter((v): v is semver.SemVer => v !== null);
  return parsed.sort(semver.compare)[0]?.version;
}
