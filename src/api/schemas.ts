import * as z from 'zod';
import { PHASES, UPGRADE_STATUSES } from '../domain/upgradeStatus.js';
import { MaintenanceWindowSchema } from '../domain/maintenanceWindow.js';

/**
 * The HTTP contract (docs/API.md) as zod schemas: requests are parsed with them,
 * and the OpenAPI document is generated from them. Request objects are
 * strict, so an unknown field is a 400 rather than silently ignored.
 *
 * Each is marked pure (`/* @__PURE__ *\/`), as are the routes (src/api/*Routes.ts):
 * building them is most of what an API function's import does after the AWS
 * SDK, and the mark lets esbuild leave out of a function's bundle the routes
 * and schemas it does not use (their only effect, zod's registry of `.meta`,
 * is read by scripts/generate.ts from the sources, never by a bundle).
 */

/** A DNS label: what a cluster is called, and what its id is (the id is the name). */
const ClusterIdSchema = /* @__PURE__ */ z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/, 'lowercase letters, digits and "-", at most 40, starting and ending with a letter or digit')
  .meta({ description: 'the cluster id, which is its registered name', example: 'demo' });
const ObjectIdSchema = /* @__PURE__ */ z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lowercase letters, digits and "-", at most 64')
  .meta({ description: 'an upgrade or check id', example: 'upg-mb2k3x9a1f0c' });
const VersionSchema = /* @__PURE__ */ z
  .string()
  .regex(/^v?\d{1,3}\.\d{1,3}\.\d{1,4}$/, 'a Kubernetes version of the form 1.31.2')
  .meta({ description: 'a Kubernetes version', example: '1.31.2' });

const RecipeSchema = /* @__PURE__ */ z
  .strictObject({
    image: z.string().min(1).max(512),
    command: z.array(z.string().max(4096)).min(1).max(64),
  })
  .meta({ id: 'Recipe', description: 'the container that upgrades a node (kubeadm by default)' });

const secretArn = /* @__PURE__ */ z
  .string()
  .regex(
    /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:kupgrade\/[A-Za-z0-9/_+=.@-]+$/,
    'a Secrets Manager ARN whose name starts with kupgrade/<stage>/ (the only secrets kupgrade may read)',
  );

export const RegisterClusterSchema = /* @__PURE__ */ z
  .union([
    z.strictObject({
      name: ClusterIdSchema,
      kubeconfig: z.string().min(1).max(256_000).meta({ description: 'kubeconfig YAML; stored as a secret, never returned' }),
      recipe: RecipeSchema.optional(),
    }),
    z.strictObject({ name: ClusterIdSchema, kubeconfigSecretArn: secretArn, recipe: RecipeSchema.optional() }),
  ])
  .meta({ id: 'RegisterCluster' });

export const TargetVersionSchema = /* @__PURE__ */ z.strictObject({ targetVersion: VersionSchema }).meta({ id: 'TargetVersion' });
export const StartUpgradeSchema = /* @__PURE__ */ z
  .strictObject({
    targetVersion: VersionSchema,
    startAt: z.iso.datetime({ offset: true }).optional().meta({ description: 'start later, at this ISO time (until then the upgrade is scheduled)' }),
  })
  .meta({ id: 'StartUpgrade' });
export const MaintenanceWindowBodySchema = /* @__PURE__ */ z
  .strictObject({ maintenanceWindow: MaintenanceWindowSchema.nullable().meta({ description: 'when worker batches may start; null removes the window' }) })
  .meta({ id: 'MaintenanceWindowBody' });
export const EventsQuerySchema = /* @__PURE__ */ z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,400}$/, 'the nextCursor of a previous page')
    .optional(),
});

export const ClusterParamsSchema = /* @__PURE__ */ z.strictObject({ clusterId: ClusterIdSchema });
export const UpgradeParamsSchema = /* @__PURE__ */ z.strictObject({ clusterId: ClusterIdSchema, upgradeId: ObjectIdSchema });
export const CheckParamsSchema = /* @__PURE__ */ z.strictObject({ clusterId: ClusterIdSchema, checkId: ObjectIdSchema });

// Responses: documented for the OpenAPI document, produced by src/api/views.ts.

export const ErrorSchema = /* @__PURE__ */ z
  .object({ error: z.object({ code: z.string(), message: z.string(), remedy: z.string() }) })
  .meta({ id: 'Error', description: 'every error; 4xx for the caller, 5xx for faults of the service; an error changes nothing' });

const CheckResultSchema = /* @__PURE__ */ z
  .object({ name: z.string(), status: z.enum(['pass', 'warn', 'fail']), message: z.string(), remedy: z.string() })
  .meta({ id: 'CheckResult' });
const PlanSchema = /* @__PURE__ */ z.object({ masters: z.array(z.string()), batches: z.array(z.array(z.string())) });
const CheckReportSchema = /* @__PURE__ */ z
  .object({ status: z.enum(['running', 'passed', 'failed']), results: z.array(CheckResultSchema), plan: PlanSchema.optional() })
  .meta({ id: 'CheckReport' });
export const CheckSchema = /* @__PURE__ */ z
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

export const DrainForecastSchema = /* @__PURE__ */ z
  .object({
    upgradeId: z.string(),
    batch: z
      .object({
        phase: z.enum(['masters', 'nodes']),
        number: z.number().int().meta({ description: '1-based within its phase, as the batches count' }),
        nodes: z.array(z.string()),
      })
      .nullable()
      .meta({
        description:
          'the batch that starts next (while one runs, the one after it; while paused, the one a resume starts, the ramp back at 1); null when none is left',
      }),
    pods: z.array(
      z.object({
        namespace: z.string(),
        name: z.string(),
        node: z.string(),
        owner: z.string().nullable().meta({ description: 'Kind/name of its controller; null for a bare pod' }),
        moves: z
          .boolean()
          .meta({ description: 'false for what a drain leaves (DaemonSet and mirror pods) or deletes without moving (finished or terminating pods)' }),
      }),
    ),
    blockingBudgets: z
      .array(z.object({ namespace: z.string(), name: z.string(), allowedDisruptions: z.number().int(), pods: z.array(z.string()) }))
      .meta({ description: 'PodDisruptionBudgets that allow 0 disruptions now and select pods that would move: the drain would wait on them' }),
    observedAt: z.string(),
  })
  .meta({ id: 'DrainForecast', description: 'what draining the next batch would do, read from the cluster now (GETs only)' });

const UpgradeSummarySchema = /* @__PURE__ */ z
  .object({ id: z.string(), status: z.enum(UPGRADE_STATUSES), phase: z.enum(PHASES) })
  .meta({ id: 'UpgradeSummary' });
export const ClusterSchema = /* @__PURE__ */ z
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
const NodeSchema = /* @__PURE__ */ z
  .object({
    name: z.string(),
    role: z.enum(['master', 'worker']),
    version: z.string(),
    ready: z.boolean(),
    unschedulable: z.boolean(),
    cordonedBy: z.enum(['kupgrade', 'operator']).nullable().meta({ description: "who holds its cordon: kupgrade's upgrade (cordonUpgradeId) or an operator" }),
    cordonUpgradeId: z.string().optional(),
  })
  .meta({ id: 'Node' });
const VersionChoiceSchema = /* @__PURE__ */ z
  .object({ version: z.string(), offered: z.boolean(), reason: z.string().optional().meta({ description: 'why it is refused' }) })
  .meta({ id: 'VersionChoice' });
export const ClusterDetailSchema = /* @__PURE__ */ ClusterSchema.extend({
  nodes: z.array(NodeSchema),
  versions: z.array(VersionChoiceSchema).meta({ description: 'every version kupgrade knows: the ones offered, and why each other is refused' }),
  nodesError: z.string().optional().meta({ description: 'why the nodes could not be read just now' }),
}).meta({ id: 'ClusterDetail' });

const WaitSchema = /* @__PURE__ */ z
  .object({
    reason: z.string().meta({ description: 'CamelCase: DrainBlocked, PodTerminating, PodsLeaving, JobPending, JobRunning, NodeNotReady, …' }),
    message: z.string(),
    object: z.string().optional().meta({ description: 'what it is about: poddisruptionbudget/<ns>/<name>, pod/<ns>/<name>, job/<ns>/<name>, node/<name>' }),
    since: z.string(),
    deadline: z.string().optional().meta({ description: 'when its timeout pauses the upgrade, if it still waits' }),
  })
  .meta({ id: 'Wait' });
const UpgradeWaitSchema = /* @__PURE__ */ WaitSchema.extend({
  gate: z.string().meta({ description: 'validation, maintenance-window, nodes-ready, …' }),
  until: z.string().optional().meta({ description: 'when the wait ends by itself: the maintenance window opens, the soak is over' }),
}).meta({ id: 'UpgradeWait' });
const BatchViewSchema = /* @__PURE__ */ z.object({
  index: z.number().int(),
  size: z.number().int(),
  nodes: z.array(z.string()),
  status: z.enum(['running', 'done', 'failed']),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  rampRestart: z.boolean().meta({ description: 'the first batch after a resume: the ramp started again at 1 here' }),
});
const BatchNodeSchema = /* @__PURE__ */ z
  .object({
    name: z.string(),
    role: z.enum(['first-master', 'master', 'worker']),
    step: z.enum(['pending', 'draining', 'upgrading', 'verifying', 'done', 'failed', 'skipped']),
    since: z.string().nullable().meta({ description: 'when it reached this step' }),
    waitingFor: WaitSchema.nullable(),
  })
  .meta({ id: 'BatchNode' });
const CurrentBatchSchema = /* @__PURE__ */ z
  .object({ kind: z.enum(['master', 'worker']), index: z.number().int(), startedAt: z.string(), nodes: z.array(BatchNodeSchema) })
  .meta({ id: 'CurrentBatch', description: 'the master or worker batch in flight, each node with its step and what it waits for' });
const ActionsSchema = /* @__PURE__ */ z
  .object({ pause: z.boolean(), resume: z.boolean(), cancel: z.boolean() })
  .meta({ id: 'Actions', description: 'which of pause, resume and cancel the API would accept now' });
export const UpgradeSchema = /* @__PURE__ */ z
  .object({
    id: z.string(),
    clusterId: z.string(),
    fromVersion: z.string(),
    toVersion: z.string(),
    status: z.enum(UPGRADE_STATUSES),
    phase: z.enum(PHASES),
    precheck: CheckReportSchema.nullable(),
    masters: z.object({
      total: z.number().int(),
      upgraded: z.number().int(),
      current: z.number().int().nullable().meta({ description: 'the 1-based number of the master in flight' }),
      currentName: z.string().nullable().meta({ description: 'the name of the master in flight' }),
    }),
    nodes: z.object({ total: z.number().int(), upgraded: z.number().int() }),
    batches: z.array(BatchViewSchema),
    currentBatch: CurrentBatchSchema.nullable(),
    error: z
      .object({ reason: z.string(), message: z.string(), remedy: z.string().optional(), node: z.string().optional(), phase: z.enum(PHASES).optional() })
      .nullable()
      .meta({ description: 'why it stopped: set on every upgrade that paused by an error or did not succeed' }),
    cancelRequested: z.boolean().meta({ description: 'a cancel is under way' }),
    actions: ActionsSchema,
    createdAt: z.string(),
    updatedAt: z.string(),
    startedAt: z.string().nullable().meta({ description: 'when it began running (its precheck)' }),
    endedAt: z.string().nullable(),
    pausedAt: z.string().nullable(),
    expiresAt: z.string().nullable(),
    scheduledAt: z.string().nullable(),
    plan: PlanSchema.nullable().meta({ description: "the masters' order and the worker batches not started yet" }),
    waitingFor: UpgradeWaitSchema.nullable().meta({ description: "what the next batch waits for: the last batch's validation, or a gate" }),
    advice: z.array(z.string()).meta({ description: 'what to do after the upgrade' }),
    execution: z.string().nullable().meta({ description: 'the name of the Step Functions execution running it now, or that ran it last' }),
    continuations: z.number().int().meta({ description: 'how many times a long upgrade went on in a new execution (its history nearly full)' }),
  })
  .meta({ id: 'Upgrade' });
const EventSchema = /* @__PURE__ */ z
  .object({
    at: z.string(),
    type: z.string(),
    message: z.string(),
    node: z.string().optional(),
    by: z.string().optional().meta({ description: 'who asked: the IAM principal deployed, local:<token name> locally' }),
  })
  .meta({ id: 'Event' });
export const EventPageSchema = /* @__PURE__ */ z
  .object({ events: z.array(EventSchema), nextCursor: z.string().optional().meta({ description: 'pass as ?cursor= for the next page; absent on the last' }) })
  .meta({ id: 'EventPage' });
export const VersionsSchema = /* @__PURE__ */ z.object({ versions: z.array(z.string()) }).meta({ id: 'Versions' });
export const ClusterListSchema = /* @__PURE__ */ z.object({ clusters: z.array(ClusterSchema) }).meta({ id: 'ClusterList' });
export const UpgradeListSchema = /* @__PURE__ */ z.object({ upgrades: z.array(UpgradeSchema) }).meta({ id: 'UpgradeList' });
