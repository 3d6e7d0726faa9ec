import { describe, expect, it } from '@jest/globals';
import { adviceAfterUpgrade } from '../../../src/domain/advice.js';

describe('advice', () => {
  describe('adviceAfterUpgrade', () => {
    it('always advises a local kubectl within one minor of the new version', () => {
      expect(adviceAfterUpgrade(undefined, '1.31.10')).toEqual([expect.stringContaining('1.30, 1.31 or 1.32')]);
    });
    it('advises recreating the pods the precheck found on FlexVolume OSS volumes', () => {
      const report = {
        status: 'passed' as const,
        results: [{ name: 'flexvolume-oss', status: 'warn' as const, message: 'pods with FlexVolume OSS volumes: default/oss', remedy: 'recreate' }],
      };
      const advice = adviceAfterUpgrade(report, '1.31.10');
      expect(advice).toHaveLength(2);
      expect(advice[1]).toMatch(/Recreate the pods .*default\/oss/);
    });
  });
});
