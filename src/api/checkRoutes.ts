import { startCheck } from '../checks/startCheck.js';
import { requireCheck } from '../store/checks.js';
import { readPlan } from '../store/plans.js';
import { defineRoute } from './httpHandler.js';
import { CheckParamsSchema, CheckSchema, ClusterParamsSchema, TargetVersionSchema } from './schemas.js';
import { checkView } from './views.js';

export const startCheckRoute = /* @__PURE__ */ defineRoute({
  summary: 'run the upgrade check alone (it only reads the cluster)',
  status: 202,
  response: CheckSchema,
  errors: [404],
  params: ClusterParamsSchema,
  body: TargetVersionSchema,
  async run(ctx, { params, body }) {
    return { status: 202, body: checkView(await startCheck(ctx, { clusterId: params.clusterId, targetVersion: body.targetVersion })) };
  },
});

export const getCheckRoute = /* @__PURE__ */ defineRoute({
  summary: 'a check report',
  status: 200,
  response: CheckSchema,
  errors: [404],
  params: CheckParamsSchema,
  async run(ctx, { params }) {
    const check = await requireCheck(ctx.db, params.clusterId, params.checkId);
    const plan = await readPlan(ctx.db, { clusterId: check.clusterId, checkId: check.id }, check.report.planSummary);
    return { status: 200, body: checkView(check, plan) };
  },
});
