import * as z from 'zod';
import { DEFAULT_LEASE_SECONDS } from './domain/clusterLease.js';
import { DEFAULT_MAX_EXECUTION_EVENTS } from './domain/executionHistory.js';

const seconds = (fallback: number) => z.coerce.number().int().min(0).default(fallback);

const ConfigSchema = z.object({
  TABLE_NAME: z.string().min(1).default('kupgrade'),
  /** set only for the local stack (dynalite) */
  DYNAMODB_ENDPOINT: z.string().url().optional(),
  POLL_SECONDS: seconds(30),
  DRAIN_TIMEOUT_SECONDS: seconds(1800),
  NODE_UPGRADE_TIMEOUT_SECONDS: seconds(3600),
  UPGRADE_EXPIRY_SECONDS: seconds(1_296_000),
  SOAK_SECONDS: seconds(60),
  EVENT_BUS_NAME: z.string().min(1).default('default'),
  VALIDATION_TIMEOUT_SECONDS: seconds(600),
  LEASE_SECONDS: z.coerce.number().int().min(1).default(DEFAULT_LEASE_SECONDS),
  MAX_EXECUTION_EVENTS: z.coerce.number().int().min(50).max(24_000).default(DEFAULT_MAX_EXECUTION_EVENTS),
  /** the state machine a long upgrade continues in (the phase functions start the next execution themselves) */
  STATE_MACHINE_ARN: z.string().min(1).optional(),
  /** which kupgrade this is, on the Lease it holds a cluster with: deployed, the table's ARN (stage, region and account in it) */
  KUPGRADE_INSTALLATION: z.string().min(1).optional(),
});

export type Config = {
  tableName: string;
  dynamodbEndpoint?: string;
  pollSeconds: number;
  drainTimeoutSeconds: number;
  /** how long a node may take from the start of its upgrade Job to Ready at the target before it fails */
  nodeUpgradeTimeoutSeconds: number;
  expirySeconds: number;
  /** time between the two healthy looks that validate a batch */
  soakSeconds: number;
  /** how long validation may keep failing before the upgrade pauses */
  validationTimeoutSeconds: number;
  /** where status changes are published */
  eventBusName: string;
  /** how long the Lease in the cluster is written for while an upgrade runs (see src/domain/clusterLease.ts) */
  leaseSeconds: number;
  /** the name of this installation of kupgrade, as the Lease records it */
  installation: string;
  /** the history an execution may count before the upgrade goes on in a new one (src/domain/executionHistory.ts) */
  maxExecutionEvents: number;
  stateMachineArn?: string;
};

/** Parsed once per cold start; a bad value stops the function with the variable named. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid setting ${issue?.path.join('.')}: ${issue?.message}`);
  }
  const c = parsed.data;
  return {
    tableName: c.TABLE_NAME,
    dynamodbEndpoint: c.DYNAMODB_ENDPOINT,
    pollSeconds: c.POLL_SECONDS,
    drainTimeoutSeconds: c.DRAIN_TIMEOUT_SECONDS,
    nodeUpgradeTimeoutSeconds: c.NODE_UPGRADE_TIMEOUT_SECONDS,
    expirySeconds: c.UPGRADE_EXPIRY_SECONDS,
    soakSeconds: c.SOAK_SECONDS,
    validationTimeoutSeconds: c.VALIDATION_TIMEOUT_SECONDS,
    eventBusName: c.EVENT_BUS_NAME,
    leaseSeconds: c.LEASE_SECONDS,
    installation: c.KUPGRADE_INSTALLATION ?? `local/${c.TABLE_NAME}`,
    maxExecutionEvents: c.MAX_EXECUTION_EVENTS,
    ...(c.STATE_MACHINE_ARN ? { stateMachineArn: c.STATE_MACHINE_ARN } : {}),
  };
}
