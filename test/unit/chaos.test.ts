import { describe, expect, it } from '@jest/globals';
import { findSecrets } from '../../bench/chaos/secrets.js';
import { FaultInjector, parseFaultSpec } from '../../local/chaos/faults.js';

describe('KUPGRADE_FAULTS', () => {
  it('reads name=rate pairs, after-write faults following the lambda rate unless given', () => {
    expect(parseFaultSpec('lambda=0.1,kube=0.05')).toEqual({ lambda: 0.1, kube: 0.05, write: 0.025 });
    expect(parseFaultSpec('lambda=0.2, write=0.5, seed=7')).toEqual({ lambda: 0.2, kube: 0, write: 0.5, seed: 7 });
  });
  it.each([
    ['lambda=2', /lambda/],
    ['lambda=abc', /lambda/],
    ['storm=0.1', /storm/],
    ['lambda', /"lambda" is not name=rate/],
  ])('refuses %s naming it', (spec, named) => {
    expect(() => parseFaultSpec(spec)).toThrow(named);
  });
  it('throws after the handler returned, or before it runs, and counts each by kind', async () => {
    const faults = new FaultInjector({ lambda: 1, kube: 0, write: 0, seed: 1 });
    let ran = 0;
    const Master = faults.wrapHandlers({ Master: async () => ++ran }).Master!;
    for (let i = 0; i < 20; i++) await expect(Master({})).rejects.toThrow(/injected fault/);
    const before = faults.counts['lambda-before-retryable'] + faults.counts['lambda-before-crash'];
    const after = faults.counts['lambda-after-retryable'] + faults.counts['lambda-after-crash'];
    expect(before + after).toBe(20);
    // every call that was not stopped before ran to its end, then failed
    expect(ran).toBe(after);
    expect(before).toBeGreaterThan(0);
    expect(after).toBeGreaterThan(0);
  });
});

describe('the secret search', () => {
  const patterns = {
    tokens: ['abcdef0123456789abcdef0123456789'],
    caData: [Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB' + 'q'.repeat(80)).toString('base64')],
  };
  it('finds a planted canary of every kind', () => {
    expect(findSecrets('nothing here', patterns)).toEqual([]);
    for (const canary of [
      '-----BEGIN RSA PRIVATE KEY-----',
      '-----BEGIN EC PRIVATE KEY-----',
      'client-key-data: AAAA',
      'token=abcdef0123456789abcdef0123456789',
      `"ca":"${patterns.caData[0]}"`,
    ])
      expect([canary, findSecrets(`log line\n${canary}\n`, patterns).length]).toEqual([canary, 1]);
  });
});
