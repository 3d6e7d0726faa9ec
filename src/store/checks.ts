import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CheckReport } from '../domain/upgrade.js';
import { NotFoundError } from '../domain/errors.js';
import { isConditionFailure, type Db } from './db.js';

/** An upgrade check run alone: the same report an upgrade's precheck makes. */
export interface CheckRun {
  id: string;
  clusterId: string;
  targetVersion: string;
  report: CheckReport;
  /** why the check could not run at all (the cluster item vanished, …) */
  error?: string;
  createdAt: string;
  finishedAt?: string;
}

const key = (clusterId: string, checkId: string) => ({ pk: `CLUSTER#${clusterId}`, sk: `CHECK#${checkId}` });

export async function insertCheck(db: Db, check: CheckRun): Promise<void> {
  await db.doc.send(
    new PutCommand({ TableName: db.table, Item: { ...key(check.clusterId, check.id), ...check }, ConditionExpression: 'attribute_not_exists(pk)' }),
  );
}

export async function getCheck(db: Db, clusterId: string, checkId: string): Promise<CheckRun | undefined> {
  const out = await db.doc.send(new GetCommand({ TableName: db.table, Key: key(clusterId, checkId), ConsistentRead: true }));
  if (!out.Item) return undefined;
  const { pk: _pk, sk: _sk, ...rest } = out.Item;
  return rest as CheckRun;
}

export async function requireCheck(db: Db, clusterId: string, checkId: string): Promise<CheckRun> {
  const c = await getCheck(db, clusterId, checkId);
  if (!c) throw new NotFoundError(`no check ${checkId} on cluster ${clusterId}`, 'start a check with POST /clusters/{clusterId}/checks');
  return c;
}

/** Records the outcome once: a retried run of a finished check changes nothing. */
export async function finishCheck(
  db: Db,
  clusterId: string,
  checkId: string,
  outcome: { report: CheckReport; error?: string; finishedAt: string },
): Promise<void> {
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.table,
        Key: key(clusterId, checkId),
        UpdateExpression: outcome.error ? 'SET report = :r, finishedAt = :f, #e = :e' : 'SET report = :r, finishedAt = :f',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(finishedAt)',
        ExpressionAttributeValues: { ':r': outcome.report, ':f': outcome.finishedAt, ...(outcome.error ? { ':e': outcome.error } : {}) },
        ...(outcome.error ? { ExpressionAttributeNames: { '#e': 'error' } } : {}),
      }),
    );
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
  }
}
