import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { UpgradeChangeListener } from './upgradeChanges.js';

/** The one table and the client that reaches it. */
export interface Db {
  doc: DynamoDBDocumentClient;
  table: string;
  /** called after every successful write of an upgrade item */
  onUpgradeChange?: UpgradeChangeListener;
}

export function createDb(options: { table: string; endpoint?: string; region?: string }): Db {
  const client = new DynamoDBClient({
    region: options.region ?? process.env.AWS_REGION ?? 'us-east-1',
    ...(options.endpoint ? { endpoint: options.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
  return {
    doc: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
    table: options.table,
  };
}

export function isConditionFailure(err: unknown): boolean {
  return (err as { name?: string })?.name === 'ConditionalCheckFailedException';
}

export const keys = {
  cluster: (clusterId: string) => ({ pk: `CLUSTER#${clusterId}`, sk: 'META' }),
  upgrade: (clusterId: string, upgradeId: string) => ({ pk: `CLUSTER#${clusterId}`, sk: `UPGRADE#${upgradeId}` }),
  batch: (upgradeId: string, n: number) => ({ pk: `UPGRADE#${upgradeId}`, sk: `BATCH#${String(n).padStart(4, '0')}` }),
  event: (upgradeId: string, at: string, seq: string) => ({ pk: `UPGRADE#${upgradeId}`, sk: `EVENT#${at}#${seq}` }),
};

/** Every item a query matches, page after page. */
export async function queryAll(db: Db, input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.doc.send(new QueryCommand({ ...input, TableName: db.table, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** A stored item without the table's key and index attributes: the object the code wrote. */
export function withoutKeys<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, gsi1pk: _g, gsi1sk: _s, ...rest } = item;
  return rest as T;
}
