import { z } from 'zod';
import { PHASES, UPGRADE_STATUSES } from '../domain/upgradeStatus.js';
import { MaintenanceWindowSchema } from '../domain/maintenanceWindow.js';

/**
 * The HTTP contract (API.md) as zod schemas: requests are parsed with them,
 * and the OpenAPI document is generated from them. Request objects are
 * strict, so an unknown field is a 400 rather than silently ignored.
 */

/** A DNS label: what a cluster is called, and what its id is (the id is the name). */
export const ClusterIdSchema = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/, 'lowercase letters, digits and "-", at most 40, starting and ending with a letter or digit')
  .meta({ description: 'the cluster id, which is its registered name', example: 'demo' });
export const ObjectIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lowercase letters, digits and "-", at most 64')
  .meta({ description: 'an upgrade or check id', example: 'upg-mb2k3x9a1f0c' });
export const VersionSchema = z
  .string()
  .regex(/^v?\d{1,3}\.\d{1,3}\.\d{1,4}$/, 'a Kubernetes version of the form 1.31.2')
  .meta({ description: 'a Kubernetes version', example: '1.31.2' });

export const RecipeSchema = z
  .strictObject({
    image: z.string().min(1).max(512),
    command: z.array(z.string().max(4096)).min(1).max(64),
  })
  .meta({ id: 'Recipe', description: 'the container that upgrades a node (kubeadm by default)' });

const secretArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:kupgrade\/[A-Za-z0-9/_+=.@-]+$/, 'a Secrets Manager ARN whose name starts with kupgrade/<stage>/ (the only secrets kupgrade may read)');

export const RegisterClusterSchema = z
  .union([
    z.strictObject({ name: ClusterIdSchema, kubeconfig: z.string().min(1).max(256_000).meta({ description: 'kubeconfig YAML; stored as a secret, never returned' }), recipe: RecipeSchema.optional() }),
    z.strictObject({ name: ClusterIdSchema, kubeconfigSecretArn: secretArn, recipe: RecipeSchema.optional() }),
  ])
  .meta({ id: 'RegisterCluster' });
export type RegisterClusterBody = z.infer<typeof RegisterClusterSchema>;

export const TargetVersionSchema = z.strictObject({ targetVersion: VersionSchema }).meta({ id: 'TargetVersion' });
export const StartUpgradeSchema = z
  .strictObject({
    targetVersion: VersionSchema,
    startAt: z.iso.datetime({ offset: true }).optional().meta({ description: 'start later, at this ISO time (until then the upgrade is scheduled)' }),
  })
  .meta({ id: 'StartUpgrade' });
export const MaintenanceWindowBodySchema = z
  .strictObject({ maintenanceWindow: MaintenanceWindowSchema.nullable().meta({ description: 'when worker batches may start; null removes the window' }) })
  .meta({ id: 'MaintenanceWindowBody' });
export const EventsQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().regex(/^[A-Za-z0-9_-]{1,400}$/, 'the nextCursor of a previous page').optional(),
});
export const NoBodySchema = z.strictObject({});

export const ClusterParamsSchema = z.strictObject({ clusterId: ClusterIdSchema });
export const UpgradeParamsSchema = z.strictObject({ clusterId: ClusterIdSchema, upgradeId: ObjectIdSchema });
export const CheckParamsSchema = z.strictObject({ clusterId: ClusterIdSchema, checkId: ObjectIdSchema });

// Responses: documented for the OpenAPI document, produced by src/api/views.ts.

export const ErrorSchema = z
  .object({ error: z.object({ code: z.string(), message: z.string(), remedy: z.string().optional() }) })
  .meta({ id: 'Error', description: 'every error; 4xx for the caller, 5xx for faults of the service; an error changes nothing' });

export const CheckResultSchema = z
  .object({ name: z.string(), status: z.enum(['pass', 'warn', 'fail']), message: z.string(), remedy: z.string() })
  .meta({ id: 'CheckResult' });
const PlanSchema = z.object({ masters: z.array(z.string()), batches: z.array(z.array(z.string())) });
export const CheckReportSchema = z
  .object({ status: z.enum(['running', 'passed', 'failed']), results: z.array(CheckResultSchema), plan: PlanSchema.optional() })
  .meta({ id: 'CheckReport' });
export const CheckSchema = z
  .object({
    id: z.string(),
    clusterId: z.string(),
    targetVersion: z.string(),
    status: z.enum(['running', 'passed', 'failed']),
    results: z.array(CheckResultSchema),
    plan: PlanSchema.optional(),
    error: z.string().optional(),
    createdAt: z.string(),
    finishedAt: z.string().optional(),
  })
  .meta({ id: 'Check' });

export const UpgradeSummarySchema = z.object({ id: z.string(), status: z.enum(UPGRADE_STATUSES), phase: z.enum(PHASES) }).meta({ id: 'UpgradeSummary' });
export const ClusterSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    version: z.string(),
    availableUpgrades: z.array(z.string()),
    upgrade: UpgradeSummarySchema.nullable(),
    maintenanceWindow: MaintenanceWindowSchema.nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'Cluster' });
export const NodeSchema = z.object({ name: z.string(), role: z.enum(['master', 'worker']), version: z.string(), ready: z.boolean(), unschedulable: z.boolean() }).meta({ id: 'Node' });
export const ClusterDetailSchema = ClusterSchema.extend({
  nodes: z.array(NodeSchema),
  nodesError: z.string().optional().meta({ description: 'why the nodes could not be read just now' }),
}).meta({ id: 'ClusterDetail' });

export const BatchViewSchema = z.object({ index: z.number().int(), size: z.number().int(), nodes: z.array(z.string()), status: z.enum(['running', 'done', 'failed']) });
export const UpgradeSchema = z
  .object({
    id: z.string(),
    clusterId: z.string(),
    fromVersion: z.string(),
    toVersion: z.string(),
    status: z.enum(UPGRADE_STATUSES),
    phase: z.enum(PHASES),
    precheck: CheckReportSchema.nullable(),
    masters: z.object({ total: z.number().int(), upgraded: z.number().int(), current: z.number().int().nullable() }),
    nodes: z.object({ total: z.number().int(), upgraded: z.number().int() }),
    batches: z.array(BatchViewSchema),
    error: z.object({ reason: z.string(), message: z.string(), remedy: z.string().optional(), node: z.string().optional() }).nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    pausedAt: z.string().nullable(),
    expiresAt: z.string().nullable(),
    scheduledAt: z.string().nullable(),
    plan: PlanSchema.nullable().meta({ description: "the masters' order and the worker batches not started yet" }),
    waitingForWindow: z.object({ since: z.string(), nextStart: z.string().optional() }).nullable(),
    advice: z.array(z.string()).meta({ description: 'what to do after the upgrade' }),
  })
  .meta({ id: 'Upgrade' });
export const EventSchema = z.object({ at: z.string(), type: z.string(), message: z.string(), node: z.string().optional() }).meta({ id: 'Event' });
export const EventPageSchema = z.object({ events: z.array(EventSchema), nextCursor: z.string().optional().meta({ description: 'pass as ?cursor= for the next page; absent on the last' }) }).meta({ id: 'EventPage' });
export const VersionsSchema = z.object({ versions: z.array(z.string()) }).meta({ id: 'Versions' });
