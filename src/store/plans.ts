import { BatchWriteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { PlanSummary, UpgradePlan } from '../domain/upgrade.js';
import { queryAll, type Db } from './db.js';

/**
 * A plan names every worker: at 5,000 nodes with long names it would not fit
 * one item (DynamoDB's 400 KB). So the names live in pages of their own, a
 * revision at a time (`PLAN#<owner>` / `<rev>#<page>`), written before the
 * owner's summary points at them: a crash in between leaves pages no summary
 * names, written again by the next try. The owner (an upgrade, a check) keeps
 * the summary: the masters, the batch sizes, the next batch.
 */
export type PlanOwner = { upgradeId: string } | { clusterId: string; checkId: string };

const ownerKey = (o: PlanOwner) => ('upgradeId' in o ? `PLAN#UPGRADE#${o.upgradeId}` : `PLAN#CHECK#${o.clusterId}#${o.checkId}`);
const rev4 = (n: number) => String(n).padStart(4, '0');

/** About 100 KB of names a page: whole batches, so a page never splits one (a batch of 500 long names alone is ~130 KB). */
const PAGE_CHARS = 100_000;

function pagesOf(batches: readonly (readonly string[])[]): string[][][] {
  const pages: string[][][] = [];
  let page: string[][] = [];
  let size = 0;
  for (const batch of batches) {
    const chars = batch.reduce((a, n) => a + n.length + 3, 2);
    if (page.length > 0 && size + chars > PAGE_CHARS) {
      pages.push(page);
      page = [];
      size = 0;
    }
    page.push([...batch]);
    size += chars;
  }
  if (page.length > 0 || pages.length === 0) pages.push(page);
  return pages;
}

/** Writes `plan` as revision `rev` of its owner's plan; returns the summary the owner keeps. */
export async function writePlan(db: Db, owner: PlanOwner, rev: number, plan: UpgradePlan): Promise<PlanSummary> {
  const pages = pagesOf(plan.batches);
  const items = pages.map((batches, i) => ({ pk: ownerKey(owner), sk: `${rev4(rev)}#${String(i).padStart(4, '0')}`, batches }));
  // at most 25 puts a request; a page is a whole item of its own, so a retried write is the same write
  for (let i = 0; i < items.length; i += 25) {
    let requests = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      const out = await db.doc.send(new BatchWriteCommand({ RequestItems: { [db.table]: requests } }));
      requests = (out.UnprocessedItems?.[db.table] ?? []) as typeof requests;
      if (requests.length > 0 && attempt > 8) throw new Error(`the plan of ${ownerKey(owner)} could not be written: DynamoDB kept items unprocessed`);
      if (requests.length > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
    }
  }
  return summarizePlan(plan, rev, pages.length);
}

function summarizePlan(plan: UpgradePlan, rev: number, pages: number, offset = 0): PlanSummary {
  return {
    rev,
    pages,
    ...(offset ? { offset } : {}),
    masters: [...plan.masters],
    batchSizes: plan.batches.map((b) => b.length),
    next: [...(plan.batches[0] ?? [])],
  };
}

/** The plan a summary names, read back from its pages. */
export async function readPlan(db: Db, owner: PlanOwner, summary: PlanSummary | undefined): Promise<UpgradePlan | undefined> {
  if (!summary) return undefined;
  const items = await queryAll(db, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :rev)',
    ExpressionAttributeValues: { ':pk': ownerKey(owner), ':rev': `${rev4(summary.rev)}#` },
    ConsistentRead: true,
  });
  const batches = items.sort((a, b) => String(a.sk).localeCompare(String(b.sk))).flatMap((i) => i.batches as string[][]);
  return { masters: summary.masters, batches: batches.slice(summary.offset ?? 0) };
}

const sameBatches = (a: readonly (readonly string[])[], b: readonly (readonly string[])[]) =>
  a.length === b.length && a.every((x, i) => x.length === b[i]!.length && x.every((n, j) => n === b[i]![j]));

/**
 * Keeps `plan` as the owner's plan, writing as little as it can: unchanged, or
 * only its first batches started since (the usual step from one boundary to
 * the next), the pages stay and the summary moves on; otherwise (a resume, a
 * failed node, a node added) a new revision is written and the old one goes.
 * Returns the summary to store; the caller writes it.
 */
export async function keepPlan(db: Db, owner: PlanOwner, current: PlanSummary | undefined, plan: UpgradePlan): Promise<PlanSummary> {
  if (!current) return writePlan(db, owner, 1, plan);
  const stored = await readPlan(db, owner, current);
  const sameMasters = stored !== undefined && stored.masters.join() === plan.masters.join();
  for (const started of [0, 1]) {
    if (sameMasters && sameBatches(stored.batches.slice(started), plan.batches))
      return summarizePlan(plan, current.rev, current.pages, (current.offset ?? 0) + started);
  }
  const next = await writePlan(db, owner, current.rev + 1, plan);
  // the precheck's plan (revision 1) is kept: it is what the upgrade set out to do
  if (current.rev > 1) await deletePlanRevision(db, owner, current.rev).catch(() => undefined);
  return next;
}

/** Deletes a revision no summary names any more (best effort: a page left over costs storage only). */
async function deletePlanRevision(db: Db, owner: PlanOwner, rev: number): Promise<void> {
  const out = await db.doc.send(
    new QueryCommand({
      TableName: db.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :rev)',
      ExpressionAttributeValues: { ':pk': ownerKey(owner), ':rev': `${rev4(rev)}#` },
      ProjectionExpression: 'pk, sk',
    }),
  );
  const keys = (out.Items ?? []).map((i) => ({ DeleteRequest: { Key: { pk: i.pk, sk: i.sk } } }));
  for (let i = 0; i < keys.length; i += 25) await db.doc.send(new BatchWriteCommand({ RequestItems: { [db.table]: keys.slice(i, i + 25) } }));
}
