import { describe, expect, it } from '@jest/globals';
import { REMOVED_APIS, removalAt, resourcesToScan } from '../../../src/domain/removedApis.js';

describe('removedApis', () => {
  describe('removalAt', () => {
    it.each([
      ['extensions/v1beta1', 'Ingress', '1.22.0', 22],
      ['networking.k8s.io/v1beta1', 'Ingress', '1.31.10', 22],
      ['batch/v1beta1', 'CronJob', '1.25.0', 25],
      ['policy/v1beta1', 'PodDisruptionBudget', '1.30.14', 25],
      ['autoscaling/v2beta2', 'HorizontalPodAutoscaler', '1.26.0', 26],
      ['storage.k8s.io/v1beta1', 'CSIStorageCapacity', '1.27.0', 27],
      ['flowcontrol.apiserver.k8s.io/v1beta2', 'FlowSchema', '1.29.15', 29],
      ['flowcontrol.apiserver.k8s.io/v1beta3', 'PriorityLevelConfiguration', '1.32.6', 32],
    ])('finds %s %s removed by %s', (apiVersion, kind, target, minor) => {
      expect(removalAt(apiVersion, kind, target)?.removedInMinor).toBe(minor);
    });
    it('finds nothing before the removal or for a served version', () => {
      expect(removalAt('flowcontrol.apiserver.k8s.io/v1beta3', 'FlowSchema', '1.31.10')).toBeUndefined();
      expect(removalAt('policy/v1', 'PodDisruptionBudget', '1.32.6')).toBeUndefined();
    });
  });
  it('covers the removals of 1.22, 1.25, 1.26, 1.27, 1.29 and 1.32, and scans each served resource once', () => {
    expect(new Set(REMOVED_APIS.map((r) => r.removedInMinor))).toEqual(new Set([16, 22, 25, 26, 27, 29, 32]));
    const scanned = resourcesToScan().map((r) => `${r.apiVersion}/${r.resource}`);
    expect(new Set(scanned).size).toBe(scanned.length);
    expect(scanned).toEqual(expect.arrayContaining(['policy/v1/poddisruptionbudgets', 'batch/v1/cronjobs', 'networking.k8s.io/v1/ingresses']));
  });
});
