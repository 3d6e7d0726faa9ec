import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { usageError } from './exitCodes.js';
import { profileRegion } from './awsConfig.js';

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:3000';

/** Where the CLI talks and how it proves who it is. */
export interface Connection {
  baseUrl: string;
  auth: { kind: 'token'; token: string } | { kind: 'sigv4'; region: string; profile?: string };
}

export interface ConnectionOptions {
  endpoint?: string;
  token?: string;
  profile?: string;
  region?: string;
}

type Env = Record<string, string | undefined>;

// the checkout this CLI runs from: its npm start keeps the token in .kupgrade/token, wherever the CLI is called from
const CHECKOUT = fileURLToPath(new URL('..', import.meta.url));

const isLoopback = (url: URL) => ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) || url.hostname.startsWith('127.');

/** Where the local stack keeps its token: under KUPGRADE_DATA_DIR, else .kupgrade here, else .kupgrade of this checkout. */
const tokenFiles = (env: Env) =>
  env.KUPGRADE_DATA_DIR ? [join(env.KUPGRADE_DATA_DIR, 'token')] : [...new Set([join('.kupgrade', 'token'), join(CHECKOUT, '.kupgrade', 'token')])];

function tokenFromFile(files: string[]): string | undefined {
  for (const file of files) {
    try {
      const token = readFileSync(file, 'utf8').trim();
      if (token) return token;
    } catch {
      // not there: the next place, or no token at all
    }
  }
  return undefined;
}

/** API Gateway's own host names carry the region: <api-id>.execute-api.<region>.amazonaws.com. */
const regionOfHost = (url: URL) => /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/.exec(url.hostname)?.[1];

/**
 * --token is a bearer token; --profile or --region mean a deployed API (every
 * request signed with SigV4); then KUPGRADE_TOKEN; then, for an endpoint on this
 * machine, the local stack's token file; any other endpoint is a deployed API.
 */
export function resolveConnection(opts: ConnectionOptions, env: Env): Connection {
  const endpoint = opts.endpoint ?? env.KUPGRADE_URL ?? DEFAULT_ENDPOINT;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw usageError(`--endpoint ${endpoint} is not a URL`, 'give the API URL, e.g. http://127.0.0.1:3000 or the stack output HttpApiUrl');
  }
  const baseUrl = url.href.replace(/\/+$/, '');
  const signed = Boolean(opts.profile ?? opts.region);
  const token = opts.token ?? (signed ? undefined : env.KUPGRADE_TOKEN);
  if (token) return { baseUrl, auth: { kind: 'token', token } };
  if (!signed && isLoopback(url)) {
    const files = tokenFiles(env);
    const saved = tokenFromFile(files);
    if (saved) return { baseUrl, auth: { kind: 'token', token: saved } };
    throw usageError(
      `no token for ${baseUrl}: none given, and no token file (${files.join(', ')})`,
      'start the local stack (npm start) in this checkout, or pass --token / set KUPGRADE_TOKEN',
    );
  }
  const profile = opts.profile ?? env.AWS_PROFILE;
  const region = opts.region ?? regionOfHost(url) ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? profileRegion(profile ?? 'default', env);
  if (!region) throw usageError(`no AWS region to sign the requests to ${baseUrl} for`, 'pass --region, or set AWS_REGION, or a region in your AWS profile');
  return { baseUrl, auth: { kind: 'sigv4', region, ...(profile ? { profile } : {}) } };
}
