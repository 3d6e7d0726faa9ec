import { AsyncLocalStorage } from 'node:async_hooks';
import { renameSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Db } from '../../src/store/db.js';
import type { TaskHandler } from '../../src/workflow/localEngine.js';

/**
 * The local stack's fault injector (KUPGRADE_FAULTS, e.g. `lambda=0.1,kube=0.05`).
 * It lives under local/ and nothing under functions/ or src/ imports it: a
 * deployed build cannot contain it. Off unless the variable is set.
 */

const rate = z.coerce.number().min(0).max(1);
const FaultSpecSchema = z.strictObject({
  /** per phase-function call: a throw before the handler runs, or after it returned (its writes done) */
  lambda: rate.default(0),
  /** per conditional store write made by a phase function: a throw after the write succeeded */
  write: rate.optional(),
  /** per kube-sim request: a 500, a 429 with Retry-After, a slow answer or a dropped connection */
  kube: rate.default(0),
  /** the random generator's seed, for a run that can be repeated */
  seed: z.coerce.number().int().optional(),
});
export type FaultSpec = z.infer<typeof FaultSpecSchema> & { write: number };

/** Parses `lambda=0.1,kube=0.05`; a bad entry throws naming it. */
export function parseFaultSpec(text: string): FaultSpec {
  const entries: Record<string, string> = {};
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [key, value, ...rest] = part.split('=');
    if (!key || value === undefined || rest.length) throw new Error(`KUPGRADE_FAULTS: "${part}" is not name=rate (for example lambda=0.1,kube=0.05)`);
    entries[key.trim()] = value.trim();
  }
  const parsed = FaultSpecSchema.safeParse(entries);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? issue.path.join('.') : (issue as { keys?: string[] }).keys?.join(', ');
    throw new Error(`KUPGRADE_FAULTS: ${where ?? 'value'}: ${issue.message} (names: lambda, write, kube, seed; rates from 0 to 1)`);
  }
  // after-write faults follow the lambda rate unless given: a step makes a write or two
  return { ...parsed.data, write: parsed.data.write ?? parsed.data.lambda / 4 };
}

export const FAULT_KINDS = [
  'lambda-before-retryable',
  'lambda-before-crash',
  'lambda-after-retryable',
  'lambda-after-crash',
  'store-after-write',
  'kube-500',
  'kube-429',
  'kube-slow',
  'kube-drop',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
export type FaultCounts = Record<FaultKind, number>;

/** mulberry32: small, seedable, good enough to pick faults */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Raised by the injector: the name is what the state machine's Retry or Catch matches. */
class InjectedFault extends Error {
  constructor(name: string, message: string) {
    super(`injected fault: ${message}`);
    this.name = name;
  }
}

/** Phase steps that may crash (Catch → OnError pauses the upgrade); OnError gets retryable faults only (see README: a crash of OnError ends the execution CouldNotPause). */
const CRASHABLE = new Set(['Begin', 'Precheck', 'Master', 'NodeBatch', 'Cleanup']);

export class FaultInjector {
  readonly counts: FaultCounts = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as FaultCounts;
  private readonly random: () => number;
  /** set while a phase function runs: only its store writes get after-write faults (the API's never do) */
  private readonly inPhase = new AsyncLocalStorage<string>();

  constructor(
    readonly spec: FaultSpec,
    private readonly countsFile?: string,
  ) {
    this.random = rng(spec.seed ?? Date.now());
    // counts carry on across restarts of the stack (a kill campaign sums them)
    if (countsFile) {
      try {
        const saved = JSON.parse(readFileSync(countsFile, 'utf8')) as { faults?: Partial<FaultCounts> };
        for (const k of FAULT_KINDS) this.counts[k] = saved.faults?.[k] ?? 0;
      } catch {
        // no file yet
      }
    }
  }

  private hit(p: number): boolean {
    return p > 0 && this.random() < p;
  }

  private count(kind: FaultKind): void {
    this.counts[kind]++;
    if (!this.countsFile) return;
    const tmp = `${this.countsFile}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ faults: this.counts }));
    renameSync(tmp, this.countsFile);
  }

  private fault(when: 'before' | 'after', task: string): InjectedFault {
    // three in four are Lambda service errors (the state machine retries them), the rest crashes (Catch → OnError pauses)
    const crash = CRASHABLE.has(task) && this.random() < 0.25;
    this.count(`lambda-${when}-${crash ? 'crash' : 'retryable'}`);
    return crash
      ? new InjectedFault('Error', `${task} crashed ${when} its writes`)
      : new InjectedFault('Lambda.ServiceException', `${task}: the Lambda service failed ${when} the handler ran`);
  }

  /** The phase handlers, each faulted before it runs and after it returned. */
  wrapHandlers(handlers: Record<string, TaskHandler>): Record<string, TaskHandler> {
    return Object.fromEntries(
      Object.entries(handlers).map(([task, handler]) => [
        task,
        async (event: unknown) => {
          // a call faults at the lambda rate, half of the time before the handler runs and half after it returned
          const when = this.hit(this.spec.lambda) ? (this.random() < 0.5 ? 'before' : 'after') : undefined;
          if (when === 'before') throw this.fault('before', task);
          const out = await this.inPhase.run(task, () => handler(event));
          if (when === 'after') throw this.fault('after', task);
          return out;
        },
      ]),
    );
  }

  /** The store adapter: a conditional write made by a phase function may throw once it has succeeded. */
  wrapDb(db: Db): void {
    const send = db.doc.send.bind(db.doc) as (command: unknown) => Promise<unknown>;
    (db.doc as { send: unknown }).send = async (command: { input?: { ConditionExpression?: string } }) => {
      const out = await send(command);
      const task = this.inPhase.getStore();
      if (task && command.input?.ConditionExpression && this.hit(this.spec.write)) {
        this.count('store-after-write');
        throw new InjectedFault(CRASHABLE.has(task) && this.random() < 0.25 ? 'Error' : 'Lambda.ServiceException', `${task} failed after a conditional write`);
      }
      return out;
    };
  }

  /**
   * For kube-sim: decides whether this request is answered by a fault. It
   * returns true when it took the request (answered or dropped it), or delays
   * it (a slow answer) and returns false.
   */
  async kubeFault(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    if (!this.hit(this.spec.kube)) return false;
    const pick = Math.floor(this.random() * 4);
    if (pick === 0) {
      this.count('kube-500');
      res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'injected fault: internal error', reason: 'InternalError', code: 500 }),
      );
      return true;
    }
    if (pick === 1) {
      this.count('kube-429');
      res.writeHead(429, { 'Content-Type': 'application/json', 'Retry-After': '1' });
      res.end(
        JSON.stringify({
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          message: 'injected fault: too many requests, please try again later',
          reason: 'TooManyRequests',
          code: 429,
          details: { retryAfterSeconds: 1 },
        }),
      );
      return true;
    }
    if (pick === 2) {
      this.count('kube-drop');
      req.socket.destroy();
      return true;
    }
    this.count('kube-slow');
    await new Promise((r) => setTimeout(r, 200 + Math.floor(this.random() * 800)));
    return false;
  }
}

/** The injector the environment asks for, or undefined (the default: no faults). */
export function faultsFromEnv(value: string | undefined, countsFile?: string): FaultInjector | undefined {
  if (!value) return undefined;
  return new FaultInjector(parseFaultSpec(value), countsFile);
}
