import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { DrainForecastRead } from '../domain/drainForecast.js';
import {
  drainOrThrow,
  overviewOrThrow,
  type ClusterReader,
  type ClusterOverview,
  type KubeconfigSource,
  type ReadClusterResult,
  type ReadDrainResult,
} from './clusterReader.js';

/** The deployed reader: the read function answers synchronously, the check function runs on its own (an Event invoke). */
export class LambdaClusterReader implements ClusterReader {
  constructor(
    private readonly functions: { read?: string; check?: string },
    private readonly client: LambdaClient = new LambdaClient({}),
  ) {}

  async read(source: KubeconfigSource): Promise<ClusterOverview> {
    const out = await this.client.send(
      new InvokeCommand({ FunctionName: need(this.functions.read, 'READ_CLUSTER_FUNCTION'), Payload: JSON.stringify(source) }),
    );
    if (out.FunctionError) throw new Error(`the read function failed: ${out.FunctionError}`);
    return overviewOrThrow(JSON.parse(new TextDecoder().decode(out.Payload)) as ReadClusterResult);
  }

  async readDrain(source: KubeconfigSource, nodes: readonly string[]): Promise<DrainForecastRead> {
    const out = await this.client.send(
      new InvokeCommand({ FunctionName: need(this.functions.read, 'READ_CLUSTER_FUNCTION'), Payload: JSON.stringify({ ...source, drainForecast: { nodes } }) }),
    );
    if (out.FunctionError) throw new Error(`the read function failed: ${out.FunctionError}`);
    return drainOrThrow(JSON.parse(new TextDecoder().decode(out.Payload)) as ReadDrainResult);
  }

  async startCheck(args: { clusterId: string; checkId: string }): Promise<void> {
    await this.client.send(
      new InvokeCommand({ FunctionName: need(this.functions.check, 'RUN_CHECK_FUNCTION'), InvocationType: 'Event', Payload: JSON.stringify(args) }),
    );
  }
}

function need(value: string | undefined, name: string): string {
  if (!value) throw new Error(`${name} is not set for this function`);
  return value;
}
