import type { ConfigurationOptions, CoordinationV1Api, V1Lease } from '@kubernetes/client-node';
import { holderIdentity, LEASE_NAME, type LeaseRecord, type LeaseSelf } from '../domain/clusterLease.js';
import { UPGRADE_NAMESPACE } from '../domain/clusterMarks.js';
import type { ObservedLease } from './clusterDriver.js';
import { ANNOTATION_CLUSTER_ID, ANNOTATION_INSTALLATION, ANNOTATION_UPGRADE_ID, LABEL_MANAGED_BY, MANAGED_BY_VALUE } from './labels.js';

type Call = <T>(fn: (o: ConfigurationOptions) => Promise<T>, tolerate?: number[], opts?: ConfigurationOptions) => Promise<T | undefined>;

/** A MicroTime as the API server parses it: RFC 3339 with six fractional digits. */
const microTime = (iso: string) => new Date(iso).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
const isoOf = (t: unknown) => (t === undefined || t === null ? undefined : new Date(String(t)).toISOString());

function recordOf(lease: V1Lease): ObservedLease {
  const a = lease.metadata?.annotations ?? {};
  const spec = lease.spec ?? {};
  const record: LeaseRecord = {
    ...(spec.holderIdentity ? { holderIdentity: spec.holderIdentity } : {}),
    ...(a[ANNOTATION_INSTALLATION] ? { installation: a[ANNOTATION_INSTALLATION] } : {}),
    ...(a[ANNOTATION_UPGRADE_ID] ? { upgradeId: a[ANNOTATION_UPGRADE_ID] } : {}),
    ...(a[ANNOTATION_CLUSTER_ID] ? { clusterId: a[ANNOTATION_CLUSTER_ID] } : {}),
    ...(isoOf(spec.renewTime) ? { renewTime: isoOf(spec.renewTime)! } : {}),
    ...(isoOf(spec.acquireTime) ? { acquireTime: isoOf(spec.acquireTime)! } : {}),
    ...(spec.leaseDurationSeconds !== undefined ? { leaseDurationSeconds: spec.leaseDurationSeconds } : {}),
    ...(spec.leaseTransitions !== undefined ? { leaseTransitions: spec.leaseTransitions } : {}),
  };
  return { ...record, resourceVersion: lease.metadata?.resourceVersion ?? '' };
}

/**
 * The Lease `kupgrade` in kube-upgrade, read and written with optimistic
 * concurrency: a write carries the resourceVersion it was decided on, so two
 * kupgrades racing for it cannot both win.
 */
export function leaseAccess(args: {
  coordination: CoordinationV1Api;
  call: Call;
  mergePatch: () => ConfigurationOptions;
  ensureNamespace: () => Promise<void>;
}) {
  const { coordination, call, mergePatch } = args;

  async function readLease(): Promise<ObservedLease | undefined> {
    const lease = await call((o) => coordination.readNamespacedLease({ name: LEASE_NAME, namespace: UPGRADE_NAMESPACE }, o), [404]);
    return lease ? recordOf(lease) : undefined;
  }

  async function writeLease(w: { self: LeaseSelf; durationSeconds: number; now: string; previous?: ObservedLease }): Promise<boolean> {
    const taking = !w.previous || w.previous.installation !== w.self.installation || w.previous.upgradeId !== w.self.upgradeId;
    const body: V1Lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: LEASE_NAME,
        namespace: UPGRADE_NAMESPACE,
        labels: { [LABEL_MANAGED_BY]: MANAGED_BY_VALUE },
        annotations: { [ANNOTATION_INSTALLATION]: w.self.installation, [ANNOTATION_UPGRADE_ID]: w.self.upgradeId, [ANNOTATION_CLUSTER_ID]: w.self.clusterId },
        ...(w.previous ? { resourceVersion: w.previous.resourceVersion } : {}),
      },
      spec: {
        holderIdentity: holderIdentity(w.self),
        leaseDurationSeconds: w.durationSeconds,
        // MicroTime strings: the client passes through a type it does not know, and the server wants six digits
        acquireTime: microTime(taking ? w.now : (w.previous?.acquireTime ?? w.now)) as unknown as Date,
        renewTime: microTime(w.now) as unknown as Date,
        leaseTransitions: (w.previous?.leaseTransitions ?? 0) + (taking && w.previous ? 1 : 0),
      },
    };
    if (!w.previous) {
      await args.ensureNamespace();
      // 409: another kupgrade created it first; the caller reads it again and decides again
      return (await call((o) => coordination.createNamespacedLease({ namespace: UPGRADE_NAMESPACE, body }, o), [409])) !== undefined;
    }
    // a merge patch carrying the resourceVersion it was decided on: a write in between makes it a 409
    return (
      (await call((o) => coordination.patchNamespacedLease({ name: LEASE_NAME, namespace: UPGRADE_NAMESPACE, body }, o), [409, 404], mergePatch())) !==
      undefined
    );
  }

  async function releaseLease(self: LeaseSelf): Promise<boolean> {
    const lease = await readLease();
    if (!lease || lease.installation !== self.installation || lease.upgradeId !== self.upgradeId) return false;
    const gone = await call(
      (o) =>
        coordination.deleteNamespacedLease(
          { name: LEASE_NAME, namespace: UPGRADE_NAMESPACE, body: { preconditions: { resourceVersion: lease.resourceVersion } } },
          o,
        ),
      [404, 409],
    );
    return gone !== undefined;
  }

  return { readLease, writeLease, releaseLease };
}
