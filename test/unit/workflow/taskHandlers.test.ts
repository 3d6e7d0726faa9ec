import { describe, expect, it } from '@jest/globals';
import { loadDefinition, taskHandlersByState } from '../../../src/workflow/localEngine.js';

const noop = async () => ({});

describe('taskHandlersByState', () => {
  const definition = loadDefinition();
  it('maps every Task state to the handler its ${XFunctionArn} placeholder names', () => {
    const handlers = { Begin: noop, Precheck: noop, Master: noop, NodeBatch: noop, Cleanup: noop, OnError: noop };
    const map = taskHandlersByState(definition, handlers);
    expect(Object.keys(map).sort()).toEqual(['Begin', 'Cleanup', 'Master', 'NodeBatch', 'OnError', 'Precheck']);
    expect(map.NodeBatch).toBe(handlers.NodeBatch);
  });
  it('fails fast when a Task has no local handler (instead of calling real Lambda)', () => {
    expect(() => taskHandlersByState(definition, { Begin: noop })).toThrow(/needs a local handler for Precheck/);
  });
});
