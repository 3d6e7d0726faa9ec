import { startCheck } from '../checks/startCheck.js';
import { requireCheck } from '../store/checks.js';
import { defineRoute } from './httpHandler.js';
import { CheckParamsSchema, ClusterParamsSchema, TargetVersionSchema } from './schemas.js';
import { checkView } from './views.js';

export const startCheckRoute = defineRoute({
  params: ClusterParamsSchema,
  body: TargetVersionSchema,
  async run(ctx, { params, body }) {
    return { status: 202, body: checkView(await startCheck(ctx, { clusterId: params.clusterId, targetVersion: body.targetVersion })) };
  },
});

export const getCheckRoute = defineRoute({
  params: CheckParamsSchema,
  async run(ctx, { params }) {
    return { status: 200, body: checkView(await requireCheck(ctx.db, params.clusterId, params.checkId)) };
  },
});
