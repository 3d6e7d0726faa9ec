import { describe, expect, it } from '@jest/globals';
import { decidePrecheck } from '../../../src/domain/precheckOutcome.js';
import type { CheckReport } from '../../../src/domain/upgrade.js';

const passed: CheckReport = { status: 'passed', results: [{ name: 'node-pressure', status: 'pass', message: 'ok', remedy: '' }] };
const node = (v: string) => ({ kubeletVersion: v });

describe('decidePrecheck', () => {
  // found by npm run chaos: a node list that failed to read gave a plan of no masters, and the upgrade went on to the workers
  it('pauses, naming why, when the nodes could not be listed, whatever the checks said', () => {
    expect(decidePrecheck(passed, { version: '1.31.4', nodes: [], nodesUnreadable: 'HTTP 500' }, '1.32.6')).toEqual({
      kind: 'paused',
      error: expect.objectContaining({ reason: 'NodesUnreadable', message: expect.stringContaining('HTTP 500'), remedy: expect.stringContaining('resume') }),
    });
    expect(decidePrecheck(passed, { version: '1.31.4', nodes: [] }, '1.32.6')).toMatchObject({ kind: 'paused', error: { reason: 'NodesUnreadable' } });
  });

  it('passes with the nodes read, and has nothing to do when every node is at the target', () => {
    expect(decidePrecheck(passed, { version: '1.31.4', nodes: [node('1.31.4')] }, '1.32.6')).toEqual({ kind: 'passed' });
    expect(decidePrecheck(passed, { version: '1.32.6', nodes: [node('1.32.6')] }, '1.32.6')).toEqual({ kind: 'nothingToDo' });
  });
});
