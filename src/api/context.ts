import { randomBytes } from 'node:crypto';
import type { ClusterReader } from '../registration/clusterReader.js';
import type { SecretStore } from '../secrets/secretStore.js';
import type { Db } from '../store/db.js';
import type { SchedulerPort } from '../workflow/schedulerPort.js';
import type { WorkflowPort } from '../workflow/workflowPort.js';

/** What the API's logic needs from the outside world; the local stack builds its own. */
export interface ApiContext {
  db: Db;
  workflow: WorkflowPort;
  /** starts scheduled upgrades at their time */
  scheduler?: SchedulerPort;
  secrets: SecretStore;
  reader: ClusterReader;
  now(): string;
  /** a new id: prefix, then time (sortable), then randomness */
  newId(prefix: string): string;
  /** who made the request: the IAM principal deployed, the token's name locally; set per request */
  caller?: string;
}

export const newId = (prefix: string): string => `${prefix}-${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;

let cached: ApiContext | undefined;

/**
 * The context, built once per cold start by the function's own `deployed`
 * (functions/api/*.ts: src/api/deployedContext.ts with the AWS clients that
 * function uses), unless the local stack or a test installed one.
 */
export function apiContext(deployed?: () => ApiContext): ApiContext {
  if (cached) return cached;
  if (!deployed) throw new Error('no API context: the function builds none and none was installed (setApiContext)');
  return (cached = deployed());
}

/** The local stack and tests install their own context (dynalite, the local engine, file secrets, the in-process reader). */
export function setApiContext(ctx: ApiContext | undefined): void {
  cached = ctx;
}
