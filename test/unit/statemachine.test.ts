import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { allStates, validateAsl } from '../../scripts/checkTemplate.js';

const text = readFileSync(new URL('../../statemachine/upgrade.asl.json', import.meta.url), 'utf8');
const definition = JSON.parse(text) as unknown;
const states = allStates(definition);
const byName = new Map(states);
const tasks = states.filter(([, s]) => s.Type === 'Task');

type Catcher = { ErrorEquals: string[]; Next: string };
type Retrier = { ErrorEquals: string[] };

const LAMBDA_SERVICE_ERRORS = ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException'];

describe('statemachine/upgrade.asl.json', () => {
  it('is valid Amazon States Language', () => {
    expect(validateAsl(definition)).toEqual([]);
  });

  it('is checked by a validator that does reject a broken copy', () => {
    const broken = JSON.parse(text) as { States: Record<string, { Next?: string }> };
    broken.States.Precheck!.Next = 'NoSuchState';
    expect(validateAsl(broken).join('\n')).toMatch(/NoSuchState/);
  });

  it('uses JSONPath only: the local engine (aws-local-stepfunctions) runs no JSONata', () => {
    expect(text).not.toContain('QueryLanguage');
    expect(text).not.toMatch(/\{%/);
  });

  it('has the six phase Tasks, each on a ${...FunctionArn} placeholder', () => {
    expect(tasks.map(([name]) => name).sort()).toEqual(['Begin', 'Cleanup', 'Master', 'NodeBatch', 'OnError', 'Precheck']);
    for (const [name, task] of tasks) expect([name, task.Resource]).toEqual([name, `\${${name}FunctionArn}`]);
  });

  it('retries every Task on transient Lambda service errors', () => {
    for (const [name, task] of tasks) {
      const retriers = (task.Retry ?? []) as Retrier[];
      const covered = LAMBDA_SERVICE_ERRORS.filter((e) => retriers.some((r) => r.ErrorEquals.includes(e)));
      expect([name, covered]).toEqual([name, LAMBDA_SERVICE_ERRORS]);
    }
  });

  it('sends any error of a phase Task to OnError, which auto-pauses', () => {
    for (const [name, task] of tasks.filter(([n]) => n !== 'OnError')) {
      const catchAll = ((task.Catch ?? []) as Catcher[]).find((c) => c.ErrorEquals.includes('States.ALL'));
      expect([name, catchAll?.Next]).toEqual([name, 'OnError']);
    }
  });

  it('ends in a Fail state when OnError itself fails, instead of looping back into it', () => {
    const catchAll = ((byName.get('OnError')?.Catch ?? []) as Catcher[]).find((c) => c.ErrorEquals.includes('States.ALL'));
    expect(catchAll).toBeDefined();
    expect(byName.get(catchAll!.Next)?.Type).toBe('Fail');
  });

  it('waits between polls for the interval the step returned ($.pollSeconds), never a fixed time', () => {
    const waits = states.filter(([, s]) => s.Type === 'Wait');
    expect(waits.length).toBeGreaterThan(0);
    for (const [name, wait] of waits) {
      expect([name, wait.SecondsPath, wait.Seconds]).toEqual([name, '$.pollSeconds', undefined]);
    }
  });
});
