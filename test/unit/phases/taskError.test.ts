import { describe, expect, it } from '@jest/globals';
import { ClusterUnreachableError } from '../../../src/kube/errors.js';
import { KupgradeError } from '../../../src/domain/errors.js';
import { describeError, toTaskError } from '../../../src/phases/taskError.js';

/** What the Lambda Node.js runtime reports for a thrown error: only its name, message and stack survive. */
const lambdaCause = (e: Error) => JSON.stringify({ errorType: e.name, errorMessage: e.message, trace: (e.stack ?? '').split('\n') });

describe('a Task error on its way to OnError', () => {
  const original = new KupgradeError('DrainFailed', { message: 'evicting pods of worker-3 failed', remedy: 'look at worker-3', node: 'worker-3' });

  it('keeps the name the state machine matches on', () => {
    expect((toTaskError(original) as Error).name).toBe('Kupgrade.DrainFailed');
    expect((toTaskError(new ClusterUnreachableError('https://k', 'ECONNREFUSED')) as Error).name).toBe('Kupgrade.ClusterUnreachable');
  });

  it('arrives with its message, remedy and node from the deployed Lambda', () => {
    const sent = toTaskError(original) as Error;
    expect(describeError({ Error: sent.name, Cause: lambdaCause(sent) })).toEqual({
      reason: 'DrainFailed',
      message: 'evicting pods of worker-3 failed',
      remedy: 'look at worker-3',
      node: 'worker-3',
    });
  });

  it('arrives with its message, remedy and node from the local engine (Cause is the message)', () => {
    const sent = toTaskError(original) as Error;
    expect(describeError({ Error: sent.name, Cause: sent.message })).toEqual({
      reason: 'DrainFailed',
      message: 'evicting pods of worker-3 failed',
      remedy: 'look at worker-3',
      node: 'worker-3',
    });
  });

  it('reads any other error as its plain message', () => {
    const plain = new TypeError('x is undefined');
    expect(toTaskError(plain)).toBe(plain);
    expect(describeError({ Error: 'TypeError', Cause: lambdaCause(plain) })).toEqual({ reason: 'TypeError', message: 'x is undefined' });
    expect(describeError({ Error: 'States.Timeout', Cause: 'Task timed out after 300 seconds' })).toEqual({
      reason: 'States.Timeout',
      message: 'Task timed out after 300 seconds',
    });
    expect(describeError({ Error: 'States.Timeout' })).toEqual({ reason: 'States.Timeout', message: 'States.Timeout' });
  });
});
