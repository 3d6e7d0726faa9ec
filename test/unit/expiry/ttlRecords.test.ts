import { describe, expect, it } from '@jest/globals';
import { marshall } from '@aws-sdk/util-dynamodb';
import { ttlDeletedUpgrades } from '../../../src/expiry/ttlRecords.js';

const oldImage = (sk: string) => marshall({ pk: 'CLUSTER#c1', sk, id: 'upg-1', clusterId: 'c1', status: 'paused', expiresAt: 1 });
const record = (sk: string, identity?: { type: string; principalId: string }) => ({
  eventName: 'REMOVE',
  ...(identity ? { userIdentity: identity } : {}),
  dynamodb: { Keys: {}, OldImage: oldImage(sk), StreamViewType: 'NEW_AND_OLD_IMAGES' },
});
const TTL = { type: 'Service', principalId: 'dynamodb.amazonaws.com' };

describe('ttlDeletedUpgrades', () => {
  it('returns the upgrade of a TTL REMOVE record', () => {
    expect(ttlDeletedUpgrades({ Records: [record('UPGRADE#upg-1', TTL)] })).toEqual([{ id: 'upg-1', clusterId: 'c1', status: 'paused', expiresAt: 1 }]);
  });
  it('ignores a delete made by a user or by code', () => {
    expect(ttlDeletedUpgrades({ Records: [record('UPGRADE#upg-1')] })).toEqual([]);
    expect(ttlDeletedUpgrades({ Records: [record('UPGRADE#upg-1', { type: 'Service', principalId: 'someone.amazonaws.com' })] })).toEqual([]);
  });
  it('ignores TTL deletions of events and writes that are not removals', () => {
    expect(ttlDeletedUpgrades({ Records: [record('EVENT#2026#1', TTL), { ...record('UPGRADE#upg-1', TTL), eventName: 'MODIFY' }] })).toEqual([]);
  });
  it('rejects an event that is not a stream batch', () => {
    expect(() => ttlDeletedUpgrades({ nope: true })).toThrow();
  });
});
