import { describe, expect, it } from '@jest/globals';
import { clusterLeasedError, decideLease, leaseDurationFor, type LeaseRecord } from '../../../src/domain/clusterLease.js';

const T0 = '2026-06-01T10:00:00.000Z';
const at = (s: number) => new Date(Date.parse(T0) + s * 1000).toISOString();
const self = { installation: 'arn:aws:dynamodb:eu-west-1:111:table/kupgrade-prod', upgradeId: 'upg-1', clusterId: 'prod' };
const held = (over: Partial<LeaseRecord>): LeaseRecord => ({
  holderIdentity: 'upg-9@local:dev',
  installation: 'local:dev',
  upgradeId: 'upg-9',
  clusterId: 'lab',
  renewTime: T0,
  leaseDurationSeconds: 60,
  ...over,
});

describe('the Lease that keeps one upgrade per cluster', () => {
  const rows: [string, LeaseRecord | undefined, string, string][] = [
    ['no Lease: take it', undefined, at(0), 'take'],
    ['a Lease nobody holds (released by a crash half-way): take it', { leaseDurationSeconds: 60 }, at(0), 'take'],
    ['this upgrade holds it: renew', held({ installation: self.installation, upgradeId: 'upg-1' }), at(30), 'renew'],
    ['another upgrade of the same installation holds it, live: refuse', held({ installation: self.installation }), at(30), 'refuse'],
    ['the same upgrade id of another installation holds it, live: refuse', held({ upgradeId: 'upg-1' }), at(30), 'refuse'],
    ['another holds it, at its bound exactly: still refuse', held({}), at(60), 'refuse'],
    ['another held it and stopped renewing past its bound: take it over', held({}), at(61), 'takeOver'],
  ];
  it.each(rows)('%s', (_name, lease, now, kind) => {
    expect(decideLease(lease, self, now).kind).toBe(kind);
  });

  it('is written for LEASE_SECONDS while running, and to the expiry while paused', () => {
    expect(leaseDurationFor({ status: 'running' }, T0, 7200)).toBe(7200);
    const expiresAt = Date.parse(at(15 * 86400)) / 1000;
    expect(leaseDurationFor({ status: 'paused', expiresAt }, T0, 7200)).toBe(15 * 86400);
  });

  it('names the holder, its installation and when it lapses in the pause it causes', () => {
    const decision = decideLease(held({}), self, at(10));
    if (decision.kind !== 'refuse') throw new Error('expected a refusal');
    expect(clusterLeasedError(decision.holder, decision.liveUntil)).toEqual({
      reason: 'ClusterLeased',
      message: expect.stringContaining('upgrade upg-9 of cluster lab run by the kupgrade installation local:dev'),
      remedy: expect.stringContaining(`lapses, at ${at(60)} at the latest`),
    });
  });
});
