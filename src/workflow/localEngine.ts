import './polyfills.js';
import { readFileSync } from 'node:fs';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { ExecutionAlreadyExistsError, type ExecutionStatus, type PhaseWorkflow } from './workflowPort.js';

export type TaskHandler = (event: unknown) => Promise<unknown>;

/** An event of aws-local-stepfunctions' execution log (the package does not export its type). */
interface LocalEvent {
  type: string;
  state?: { name: string; type: string };
}

const ASL_PATH = new URL('../../statemachine/upgrade.asl.json', import.meta.url);

export function loadDefinition(path: URL | string = ASL_PATH): StateMachineDefinition {
  return JSON.parse(readFileSync(path, 'utf8')) as StateMachineDefinition;
}

const PLACEHOLDER = /^\$\{(\w+)FunctionArn\}$/;

/**
 * Maps each Task state to the handler its Resource placeholder names
 * (`${BeginFunctionArn}` → handlers.Begin), so the ASL stays the only table.
 * A Task without a local handler would silently call real AWS Lambda: refuse.
 */
export function taskHandlersByState(definition: StateMachineDefinition, handlers: Record<string, TaskHandler>): Record<string, TaskHandler> {
  const out: Record<string, TaskHandler> = {};
  for (const [state, def] of Object.entries(definition.States) as [string, { Type: string; Resource?: string }][]) {
    if (def.Type !== 'Task') continue;
    const fn = PLACEHOLDER.exec(def.Resource ?? '')?.[1];
    if (!fn) throw new Error(`Task state ${state} has Resource ${def.Resource}; expected a \${NameFunctionArn} placeholder`);
    const handler = handlers[fn];
    if (!handler) throw new Error(`Task state ${state} needs a local handler for ${fn}; none was given`);
    out[state] = handler;
  }
  return out;
}

export interface LocalWorkflowOptions {
  handlers: Record<string, TaskHandler>;
  /** milliseconds for every Wait state (the deployed machine waits POLL_SECONDS); omitted, each waits as the ASL says, in real time (bench/overhead.ts) */
  waitMs?: number;
  /** milliseconds between Retry attempts (default: the ASL's own intervals) */
  retryMs?: number;
  definition?: StateMachineDefinition;
  /** every event of every execution (StateEntered, …), e.g. to count state transitions (bench/) */
  onEvent?: (executionName: string, event: LocalEvent) => void;
}

interface LocalExecution {
  input: string;
  result: Promise<unknown>;
  abort: () => void;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  output?: unknown;
  error?: Error;
}

/** The same ASL file, run in-process by aws-local-stepfunctions with each Task calling the Lambda's own handler. */
export class LocalWorkflow implements PhaseWorkflow {
  private readonly machine: StateMachine;
  private readonly definition: StateMachineDefinition;
  private readonly taskHandlers: Record<string, TaskHandler>;
  private readonly executions = new Map<string, LocalExecution>();
  /** Task handlers running now: stopping waits for them, so none outlives the stack it runs against. */
  private readonly inFlight = new Set<Promise<unknown>>();
  private stopped = false;

  constructor(private readonly options: LocalWorkflowOptions) {
    this.definition = options.definition ?? loadDefinition();
    const handlers = taskHandlersByState(this.definition, options.handlers);
    this.taskHandlers = Object.fromEntries(Object.entries(handlers).map(([state, handler]) => [state, (event: unknown) => this.track(state, handler, event)]));
    this.machine = new StateMachine(this.definition);
  }

  private track(state: string, handler: TaskHandler, event: unknown): Promise<unknown> {
    // An aborted execution may still be entering its next Task: after stopAll no handler starts.
    if (this.stopped) return Promise.reject(new Error(`Task ${state} not run: the local workflow was stopped`));
    const call = handler(event);
    this.inFlight.add(call);
    void call.then(
      () => this.inFlight.delete(call),
      () => this.inFlight.delete(call),
    );
    return call;
  }

  async startExecution(args: { name: string; input: Record<string, unknown> }): Promise<{ executionArn: string }> {
    if (this.stopped) throw new Error(`execution ${args.name} not started: the local workflow was stopped`);
    const input = JSON.stringify(args.input);
    const executionArn = `arn:aws:states:local:000000000000:execution:kupgrade:${args.name}`;
    const existing = this.executions.get(args.name);
    if (existing) {
      if (existing.input !== input) throw new ExecutionAlreadyExistsError(args.name);
      return { executionArn };
    }
    const states = Object.entries(this.definition.States) as [string, { Type: string }][];
    const waitMs = this.options.waitMs;
    const waitTimeOverrides = waitMs === undefined ? undefined : Object.fromEntries(states.filter(([, s]) => s.Type === 'Wait').map(([n]) => [n, waitMs]));
    const retryIntervalOverrides =
      this.options.retryMs === undefined ? undefined : Object.fromEntries(states.filter(([, s]) => s.Type === 'Task').map(([n]) => [n, this.options.retryMs!]));
    const run = this.machine.run(args.input as never, {
      overrides: { taskResourceLocalHandlers: this.taskHandlers as never, waitTimeOverrides, retryIntervalOverrides },
      noThrowOnAbort: true,
      context: { Execution: { Id: executionArn, Name: args.name, Input: args.input, StartTime: new Date().toISOString() } } as never,
    });
    // Drained always: the engine queues every event (with its state's input) until someone reads it.
    void (async () => {
      for await (const event of run.eventLogs) this.options.onEvent?.(args.name, event as LocalEvent);
    })().catch(() => undefined);
    const execution: LocalExecution = { input, abort: run.abort, status: 'RUNNING', result: Promise.resolve() };
    execution.result = run.result.then(
      (output) => {
        execution.status = output === null ? 'ABORTED' : 'SUCCEEDED';
        execution.output = output;
        return output;
      },
      (error: Error) => {
        execution.status = 'FAILED';
        execution.error = error;
        return undefined;
      },
    );
    this.executions.set(args.name, execution);
    return { executionArn };
  }

  /** Waits for an execution to end; resolves with its status and output, never throws for a failed run. */
  async waitFor(name: string): Promise<{ status: LocalExecution['status']; output?: unknown; error?: Error }> {
    const e = this.executions.get(name);
    if (!e) throw new Error(`no local execution named ${name}`);
    await e.result;
    return { status: e.status, output: e.output, error: e.error };
  }

  async executionStatus(name: string): Promise<ExecutionStatus | undefined> {
    return Promise.resolve(this.executions.get(name)?.status);
  }

  running(): string[] {
    return [...this.executions].filter(([, e]) => e.status === 'RUNNING').map(([n]) => n);
  }

  /**
   * Stops every execution at its next state and waits for the Task handlers
   * still running (Ctrl-C of the local stack, end of a test); no execution
   * starts a Task after it.
   */
  async stopAll(): Promise<void> {
    this.stopped = true;
    const live = [...this.executions.values()].filter((e) => e.status === 'RUNNING');
    live.forEach((e) => e.abort());
    await Promise.all(live.map((e) => e.result));
    await Promise.allSettled([...this.inFlight]);
  }
}
