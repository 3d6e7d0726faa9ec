import { describe, expect, it } from '@jest/globals';
import { deployedApiContext } from '../../../src/api/deployedContext.js';
import type { Notifier } from '../../../src/notify/notifier.js';
import type { Db } from '../../../src/store/db.js';
import type { WorkflowPort } from '../../../src/workflow/workflowPort.js';

const env = { TABLE_NAME: 't', STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:m', EVENT_BUS_NAME: 'bus' };

describe('deployedApiContext', () => {
  it('builds only the adapters its function names; using one it was not given fails, naming what is missing', () => {
    const ctx = deployedApiContext({}, env);
    expect(() => ctx.db.doc).toThrow(/no table \(doc\)/);
    expect(() => ctx.secrets.namePrefix).toThrow(/no Secrets Manager client/);
    expect(() => ctx.reader.read).toThrow(/no Lambda client/);
    expect(() => ctx.workflow.startExecution({ name: 'n', input: {} })).toThrow(/STATE_MACHINE_ARN is not set/);
    expect(ctx.scheduler).toBeUndefined();
    // a context is spread per request: the placeholders must survive that untouched
    expect(() => ({ ...ctx, caller: 'me' })).not.toThrow();
  });

  it('gives the table the notifier it was built with (on the function’s bus) and starts the workflow it names on first use', async () => {
    const buses: string[] = [];
    class FakeNotifier implements Notifier {
      constructor(bus: string) {
        buses.push(bus);
      }
      publish = async () => [];
    }
    const given: { table?: string; notifier?: Notifier } = {};
    const db = (o: { table: string }, notifier: Notifier): Db => {
      Object.assign(given, { table: o.table, notifier });
      return { doc: {}, table: o.table } as unknown as Db;
    };
    const started: string[] = [];
    class FakeWorkflow {
      constructor(readonly arn: string) {}
      async startExecution(args: { name: string }) {
        started.push(`${this.arn} ${args.name}`);
        return { executionArn: 'x' };
      }
    }
    const ctx = deployedApiContext({ db, notifier: FakeNotifier, workflow: FakeWorkflow as unknown as new (arn: string) => WorkflowPort }, env);
    expect(ctx.db.table).toBe('t');
    expect(buses).toEqual(['bus']);
    expect(given.notifier).toBeInstanceOf(FakeNotifier);
    await ctx.workflow.startExecution({ name: 'run-1', input: {} });
    expect(started).toEqual([`${env.STATE_MACHINE_ARN} run-1`]);
  });
});
