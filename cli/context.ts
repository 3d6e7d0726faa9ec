import type { ApiClient } from '../src/client/apiClient.js';
import { connect } from './connect.js';
import { resolveConnection, type ConnectionOptions } from './connection.js';
import { usageError } from './exitCodes.js';
import type { Io } from './io.js';
import { Output, type Format } from './output.js';

/** The options every command takes (commander's global options). */
export interface GlobalOptions extends ConnectionOptions {
  output: Format;
  interval: string;
}

/** What a command works with: the API, where its output goes, how often it looks again. */
export interface Ctx {
  client: ApiClient;
  baseUrl: string;
  out: Output;
  io: Io;
  intervalMs: number;
}

export async function makeContext(opts: GlobalOptions, io: Io): Promise<Ctx> {
  const intervalMs = Number(opts.interval) * 1000;
  if (!Number.isFinite(intervalMs) || intervalMs < 50) throw usageError(`--interval ${opts.interval} is not a number of seconds (0.05 or more)`);
  const connection = resolveConnection(opts, io.env);
  return { client: await connect(connection), baseUrl: connection.baseUrl, out: new Output(opts.output, io), io, intervalMs };
}
