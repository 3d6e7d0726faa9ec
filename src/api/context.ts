import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { ClusterReader } from '../clusters/clusterReader.js';
import { LambdaClusterReader } from '../clusters/lambdaClusterReader.js';
import type { SecretStore } from '../secrets/secretStore.js';
import { SecretsManagerStore } from '../secrets/secretsManagerStore.js';
import { createDb, type Db } from '../store/db.js';
import { StepFunctionsWorkflow } from '../workflow/stepFunctionsWorkflow.js';
import { EventBridgeScheduler } from '../workflow/eventBridgeScheduler.js';
import type { SchedulerPort } from '../workflow/schedulerPort.js';
import { EventBridgeNotifier } from '../notify/eventBridgeNotifier.js';
import { statusEffects } from '../upgrades/statusEffects.js';
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
}

export const newId = (prefix: string): string => `${prefix}-${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;

const EnvSchema = z.object({
  TABLE_NAME: z.string().min(1),
  DYNAMODB_ENDPOINT: z.string().url().optional(),
  STATE_MACHINE_ARN: z.string().min(1).optional(),
  READ_CLUSTER_FUNCTION: z.string().min(1).optional(),
  RUN_CHECK_FUNCTION: z.string().min(1).optional(),
  EVENT_BUS_NAME: z.string().min(1).default('default'),
  SCHEDULER_ROLE_ARN: z.string().min(1).optional(),
  SCHEDULE_GROUP: z.string().min(1).optional(),
  SECRET_PREFIX: z.string().regex(/^kupgrade\/([a-z0-9-]+\/)?$/).default('kupgrade/'),
});

/**
 * Built once per cold start. Each API function is given only the variables
 * (and IAM grants) its routes use; a route that reaches for a missing one
 * fails with the variable named.
 */
export function deployedApiContext(env: NodeJS.ProcessEnv = process.env): ApiContext {
  const e = EnvSchema.parse(env);
  let workflow: WorkflowPort | undefined;
  const db = createDb({ table: e.TABLE_NAME, endpoint: e.DYNAMODB_ENDPOINT });
  // pause, resume, cancel and starts change statuses here too: they are published like the phases' changes
  db.onUpgradeChange = statusEffects(db, new EventBridgeNotifier(e.EVENT_BUS_NAME));
  const scheduler =
    e.STATE_MACHINE_ARN && e.SCHEDULER_ROLE_ARN && e.SCHEDULE_GROUP
      ? new EventBridgeScheduler({ stateMachineArn: e.STATE_MACHINE_ARN, roleArn: e.SCHEDULER_ROLE_ARN, groupName: e.SCHEDULE_GROUP })
      : undefined;
  return {
    db,
    scheduler,
    get workflow() {
      if (!e.STATE_MACHINE_ARN) throw new Error('STATE_MACHINE_ARN is not set for this function');
      return (workflow ??= new StepFunctionsWorkflow(e.STATE_MACHINE_ARN));
    },
    secrets: new SecretsManagerStore(e.SECRET_PREFIX),
    reader: new LambdaClusterReader({ read: e.READ_CLUSTER_FUNCTION, check: e.RUN_CHECK_FUNCTION }),
    now: () => new Date().toISOString(),
    newId,
  };
}

let cached: ApiContext | undefined;

export function apiContext(): ApiContext {
  return (cached ??= deployedApiContext());
}

/** The local stack and tests install their own context (dynalite, the local engine, file secrets, the in-process reader). */
export function setApiContext(ctx: ApiContext | undefined): void {
  cached = ctx;
}
