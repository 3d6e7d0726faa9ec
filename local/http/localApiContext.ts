import { join } from 'node:path';
import { handler as readClusterHandler } from '../../functions/cluster/readCluster.js';
import { handler as runCheckHandler } from '../../functions/cluster/runCheck.js';
import { newId, type ApiContext } from '../../src/api/context.js';
import { drainOrThrow, overviewOrThrow, type ClusterReader } from '../../src/registration/clusterReader.js';
import { FileSecretStore } from '../../src/secrets/fileSecretStore.js';
import type { Db } from '../../src/store/db.js';
import type { WorkflowPort } from '../../src/workflow/workflowPort.js';
import type { SchedulerPort } from '../../src/workflow/schedulerPort.js';

/**
 * The API's context on the local stack: the same handlers of the two
 * cluster-reading functions, called in-process through JSON as Lambda would
 * (the check runs in the background, like an Event invoke), and kubeconfigs
 * kept as 0600 files under the data directory.
 */
export function localApiContext(args: {
  db: Db;
  workflow: WorkflowPort;
  scheduler?: SchedulerPort;
  dataDir: string;
  onBackgroundError?: (err: unknown) => void;
}): ApiContext {
  const viaJson = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;
  const reader: ClusterReader = {
    read: async (source) => overviewOrThrow(viaJson(await readClusterHandler(viaJson(source))) as never),
    readDrain: async (source, nodes) => drainOrThrow(viaJson(await readClusterHandler(viaJson({ ...source, drainForecast: { nodes } }))) as never),
    startCheck: async (input) => {
      void runCheckHandler(viaJson(input)).catch(args.onBackgroundError ?? ((err) => console.error('check failed:', err)));
    },
  };
  return {
    db: args.db,
    workflow: args.workflow,
    scheduler: args.scheduler,
    secrets: new FileSecretStore(join(args.dataDir, 'secrets')),
    reader,
    now: () => new Date().toISOString(),
    newId,
  };
}
