import type { Upgrade, UpgradePlan } from '../../src/domain/upgrade.js';
import type { Db } from '../../src/store/db.js';
import { readPlan } from '../../src/store/plans.js';

/** An upgrade's plan as stored since issue 22: its summary on the item, the names in pages of their own. */
export async function planOf(db: Db, u: Upgrade): Promise<UpgradePlan> {
  const plan = await readPlan(db, { upgradeId: u.id }, u.planSummary);
  if (!plan) throw new Error(`upgrade ${u.id} has no plan`);
  return plan;
}

/** The plan its precheck made (revision 1, kept). */
export async function precheckPlanOf(db: Db, u: Upgrade): Promise<UpgradePlan | undefined> {
  return readPlan(db, { upgradeId: u.id }, u.precheck?.planSummary);
}
