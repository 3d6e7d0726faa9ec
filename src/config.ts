import { z } from 'zod';

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
  };
}
