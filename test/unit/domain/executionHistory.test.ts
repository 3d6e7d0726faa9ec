import { describe, expect, it } from '@jest/globals';
import { continuationName, enterExecution } from '../../../src/domain/executionHistory.js';

describe('continuationName: the execution a long upgrade goes on in', () => {
  it.each([
    ['upg-1', 'upg-1-c1'],
    ['upg-1-c1', 'upg-1-c2'],
    ['upg-1-run2', 'upg-1-run2-c1'],
    ['upg-1-run2-c9', 'upg-1-run2-c10'],
  ])('%s → %s (from the name alone, so a retried hop asks for the same one)', (current, next) => {
    expect(continuationName(current)).toBe(next);
  });
});

describe('enterExecution: one execution runs an upgrade at a time', () => {
  const me = { name: 'upg-1-c1', continues: true };

  it('enters an upgrade no execution has recorded, counting a continuation', () => {
    expect(enterExecution({}, me, false)).toEqual({ kind: 'enter', execution: 'upg-1-c1', continuations: 1 });
  });

  it('polls while the recorded execution still runs', () => {
    expect(enterExecution({ execution: 'upg-1', continuations: 0 }, me, true)).toEqual({ kind: 'wait', previous: 'upg-1' });
  });

  it('enters once the recorded execution has ended; a resume counts no continuation', () => {
    expect(enterExecution({ execution: 'upg-1-c1', continuations: 1 }, { name: 'upg-1-run2', continues: false }, false)).toEqual({
      kind: 'enter',
      execution: 'upg-1-run2',
      continuations: 1,
    });
  });

  it('goes on without a write when it is already the recorded one (a retried Begin)', () => {
    expect(enterExecution({ execution: 'upg-1-c1', continuations: 1 }, me, true)).toEqual({ kind: 'go' });
  });
});
