import * as z from 'zod';
import type { Notifier } from '../notify/notifier.js';
import type { ClusterReader } from '../registration/clusterReader.js';
import type { SecretStore } from '../secrets/secretStore.js';
import type { Db } from '../store/db.js';
import type { SchedulerPort } from '../workflow/schedulerPort.js';
import type { WorkflowPort } from '../workflow/workflowPort.js';
import { missingAdapter as missing } from '../shared/missingAdapter.js';
import { newId, type ApiContext } from './context.js';

/**
 * The AWS adapters an API function is built with, each named by its function
 * file (functions/api/*.ts) for the services its role grants: a bundle holds
 * only the SDK clients its function imports (a cold start compiles every
 * byte of it), and test/integration/packaging.test.ts holds each bundle's
 * clients to its role's grants.
 */
export interface ApiAdapters {
  /** the table, its upgrades' status changes published on the notifier (createDbWithStatusEffects) */
  db?: (options: { table: string; endpoint?: string }, notifier: Notifier) => Db;
  notifier?: new (busName: string) => Notifier;
  workflow?: new (stateMachineArn: string) => WorkflowPort;
  scheduler?: new (options: { stateMachineArn: string; roleArn: string; groupName: string }) => SchedulerPort;
  secrets?: new (namePrefix: string) => SecretStore;
  reader?: new (functions: { read?: string; check?: string }) => ClusterReader;
}

const EnvSchema = z.object({
  TABLE_NAME: z.string().min(1),
  DYNAMODB_ENDPOINT: z.string().url().optional(),
  STATE_MACHINE_ARN: z.string().min(1).optional(),
  READ_CLUSTER_FUNCTION: z.string().min(1).optional(),
  RUN_CHECK_FUNCTION: z.string().min(1).optional(),
  EVENT_BUS_NAME: z.string().min(1).default('default'),
  SCHEDULER_ROLE_ARN: z.string().min(1).optional(),
  SCHEDULE_GROUP: z.string().min(1).optional(),
  SECRET_PREFIX: z
    .string()
    .regex(/^kupgrade\/([a-z0-9-]+\/)?$/)
    .default('kupgrade/'),
});

/**
 * Built once per cold start. Each API function is given only the variables
 * (and IAM grants) its routes use; a route that reaches for a missing one
 * fails with the variable named.
 */
export function deployedApiContext(adapters: ApiAdapters, env: NodeJS.ProcessEnv = process.env): ApiContext {
  const e = EnvSchema.parse(env);
  // pause, resume, cancel and starts change statuses here too: they are published like the phases' changes
  // (a function without EventBridge keeps a change in its outbox, logged, as a refused PutEvents would)
  const notifier = adapters.notifier ? new adapters.notifier(e.EVENT_BUS_NAME) : missing<Notifier>('EventBridge client');
  const db = adapters.db ? adapters.db({ table: e.TABLE_NAME, endpoint: e.DYNAMODB_ENDPOINT }, notifier) : missing<Db>('table');
  const Scheduler = adapters.scheduler;
  const scheduler =
    Scheduler && e.STATE_MACHINE_ARN && e.SCHEDULER_ROLE_ARN && e.SCHEDULE_GROUP
      ? new Scheduler({ stateMachineArn: e.STATE_MACHINE_ARN, roleArn: e.SCHEDULER_ROLE_ARN, groupName: e.SCHEDULE_GROUP })
      : undefined;
  let workflow: WorkflowPort | undefined;
  const Workflow = adapters.workflow;
  return {
    db,
    scheduler,
    // built on first use, so the functions that start nothing need no STATE_MACHINE_ARN (a plain object: contexts are spread)
    workflow: {
      startExecution(args) {
        if (!e.STATE_MACHINE_ARN || !Workflow) throw new Error('STATE_MACHINE_ARN is not set for this function');
        return (workflow ??= new Workflow(e.STATE_MACHINE_ARN)).startExecution(args);
      },
    },
    secrets: adapters.secrets ? new adapters.secrets(e.SECRET_PREFIX) : missing<SecretStore>('Secrets Manager client'),
    reader: adapters.reader
      ? new adapters.reader({ read: e.READ_CLUSTER_FUNCTION, check: e.RUN_CHECK_FUNCTION })
      : missing<ClusterReader>('Lambda client (cluster reader)'),
    now: () => new Date().toISOString(),
    newId,
  };
}
