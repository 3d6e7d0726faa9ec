import { describe, expect, it } from '@jest/globals';
import { checkClusterTarget, checkKubeletSkew, checkUpgradePath, normalizeVersion, oldestVersion, parseVersion } from '../../../src/domain/versions.js';

describe('versions', () => {
  describe('checkUpgradePath', () => {
    it('allows a newer patch of the same minor', () => {
      expect(checkUpgradePath('1.30.4', '1.30.9')).toEqual({ ok: true, kind: 'patch' });
    });
    it('allows exactly the next minor, whatever the patch', () => {
      expect(checkUpgradePath('v1.30.4', '1.31.0')).toEqual({ ok: true, kind: 'minor' });
    });
    it.each([
      ['1.30.4', '1.30.3', 'Downgrade'],
      ['1.30.4', '1.29.9', 'Downgrade'],
      ['1.30.4', '1.32.0', 'SkipsMinor'],
      ['1.30.4', '1.30.4', 'SameVersion'],
      ['1.30.4', '2.0.0', 'MajorChange'],
      ['1.30.4', '1.31', 'InvalidVersion'],
      ['1.30.4', 'latest', 'InvalidVersion'],
      ['1.30.4', '1.31.0-rc.1', 'InvalidVersion'],
    ])('refuses %s → %s as %s', (from, to, reason) => {
      const v = checkUpgradePath(from, to);
      expect(v.ok).toBe(false);
      expect(v.ok === false && v.reason).toBe(reason);
    });
    it('says which minor to go to first when one is skipped', () => {
      const v = checkUpgradePath('1.30.4', '1.32.1');
      expect(v.ok === false && v.message).toContain('1.31.x first');
    });
  });

  describe('checkKubeletSkew', () => {
    it('accepts a kubelet up to 3 minors behind a 1.28+ control plane', () => {
      expect(checkKubeletSkew('1.28.0', '1.31.2').ok).toBe(true);
      expect(checkKubeletSkew('1.27.9', '1.31.2').ok).toBe(false);
    });
    it('accepts only 2 minors behind an older control plane', () => {
      expect(checkKubeletSkew('1.24.0', '1.26.1').ok).toBe(true);
      expect(checkKubeletSkew('1.23.0', '1.26.1').ok).toBe(false);
    });
    it('refuses a kubelet newer than the control plane', () => {
      expect(checkKubeletSkew('1.32.0', '1.31.2')).toEqual({ ok: false, message: expect.stringContaining('newer') });
    });
  });

  it('normalizes the leading v and rejects junk', () => {
    expect(normalizeVersion('v1.31.2')).toBe('1.31.2');
    expect(parseVersion('1.31.2.4')).toBeNull();
    expect(() => normalizeVersion('x')).toThrow(/not a Kubernetes version/);
  });

  describe('checkClusterTarget', () => {
    it('lets a cluster whose kubelets lag its control plane finish an interrupted upgrade to the same version', () => {
      expect(checkClusterTarget({ serverVersion: '1.31.2', oldestKubelet: '1.30.4', target: '1.31.2' })).toEqual({ ok: true, kind: 'complete' });
    });
    it('still refuses the same version when every kubelet is there', () => {
      expect(checkClusterTarget({ serverVersion: '1.31.2', oldestKubelet: '1.31.2', target: '1.31.2' })).toMatchObject({ ok: false, reason: 'SameVersion' });
      expect(checkClusterTarget({ serverVersion: '1.31.2', target: '1.31.2' })).toMatchObject({ ok: false, reason: 'SameVersion' });
    });
    it('applies the normal policy otherwise', () => {
      expect(checkClusterTarget({ serverVersion: '1.30.4', oldestKubelet: '1.29.0', target: '1.32.0' })).toMatchObject({ ok: false, reason: 'SkipsMinor' });
    });
  });

  it('oldestVersion picks the oldest parseable version', () => {
    expect(oldestVersion(['1.31.2', 'v1.30.10', 'junk', '1.30.9'])).toBe('1.30.9');
    expect(oldestVersion([])).toBeUndefined();
  });
});
