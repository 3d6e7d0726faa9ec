// The CLI against a deployed API: every request signed with SigV4 from the standard AWS credential chain.
// A local server stands in for API Gateway's IAM authorization (it recomputes each signature) in front of the local stack.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKubeSim, type KubeSim } from '../../local/kube-sim/index.js';
import { newestCatalogVersion } from '../../src/domain/catalog.js';
import { sigV4Signer } from '../../cli/sigv4.js';
import { runCli, type CliRun } from '../helpers/cli.js';
import { startFakeApiGateway, type GatewayKey } from '../helpers/fakeApiGateway.js';
import { startChildStack, stopChildStack, type ChildStack } from './childStack.js';

const REGION = 'us-east-2';
const OPS: GatewayKey = { accessKeyId: 'ASIAOPSEXAMPLE000001', secretAccessKey: 'ops/secret/EXAMPLEKEY', sessionToken: 'ops-session-token-EXAMPLE' };
const DEV: GatewayKey = { accessKeyId: 'AKIADEVEXAMPLE000002', secretAccessKey: 'dev/secret/EXAMPLEKEY' };
const TARGET = newestCatalogVersion();
const [MAJOR, MINOR] = TARGET.split('.').map(Number);

let stack: ChildStack;
let gateway: Awaited<ReturnType<typeof startFakeApiGateway>>;
let sim: KubeSim;
let dir: string;
let awsEnv: Record<string, string>;

const kupgrade = (...args: string[]): Promise<CliRun> => runCli(['--endpoint', gateway.url, '--interval', '0.1', ...args], awsEnv);
const json = (run: CliRun) => JSON.parse(run.stdout);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kupgrade-e2e-cli-aws-'));
  stack = await startChildStack(join(dir, 'data'), {}, ['--no-demo']);
  const token = readFileSync(join(dir, 'data', 'token'), 'utf8').trim();
  gateway = await startFakeApiGateway({
    region: REGION,
    keys: [OPS, DEV, { accessKeyId: 'AKIASTALEEXAMPLE0003', secretAccessKey: 'the-secret-as-it-is-now' }],
    forward: async (method, path, body) => {
      const res = await fetch(stack.url + path, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body || undefined,
      });
      return { status: res.status, body: await res.text() };
    },
  });
  // two profiles (and a third whose secret was rotated since), as `aws configure` writes them
  await writeFile(join(dir, 'config'), `[default]\nregion = eu-west-1\n\n[profile ops]\nregion = ${REGION}\n\n[profile stale]\nregion = ${REGION}\n`);
  await writeFile(
    join(dir, 'credentials'),
    `[default]\naws_access_key_id = ${DEV.accessKeyId}\naws_secret_access_key = ${DEV.secretAccessKey}\n\n` +
      `[ops]\naws_access_key_id = ${OPS.accessKeyId}\naws_secret_access_key = ${OPS.secretAccessKey}\naws_session_token = ${OPS.sessionToken}\n\n` +
      `[stale]\naws_access_key_id = AKIASTALEEXAMPLE0003\naws_secret_access_key = the-secret-as-it-was\n`,
  );
  awsEnv = { AWS_CONFIG_FILE: join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials') };
  sim = await startKubeSim({ masters: 1, workers: 2, version: `${MAJOR}.${MINOR! - 1}.4`, upgradeMs: 100, rescheduleMs: 20, workload: 'none' });
}, 90_000);

afterAll(async () => {
  await stopChildStack(stack);
  await gateway?.close();
  await sim?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('kupgrade against a deployed API (SigV4)', () => {
  it("signs with the chosen profile's keys and session token, for its region and execute-api: a registration and an upgrade go through", async () => {
    const register = await kupgrade('--profile', 'ops', 'register', 'lab', '--kubeconfig', sim.kubeconfigPath, '-o', 'json');
    expect([register.code, json(register).id]).toEqual([0, 'lab']);
    const post = gateway.seen.find((r) => r.method === 'POST' && r.path === '/clusters')!;
    expect(post).toMatchObject({ accessKeyId: OPS.accessKeyId, region: REGION, service: 'execute-api', sessionToken: OPS.sessionToken, refused: undefined });
    expect(post.signedHeaders).toEqual(expect.arrayContaining(['host', 'x-amz-date', 'x-amz-security-token', 'content-type']));
    // the body was not empty, and the signature covered it
    expect(post.bodySha256).not.toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');

    const upgrade = await kupgrade('--profile', 'ops', 'upgrade', 'lab', '--to', TARGET, '--yes', '--wait', '-o', 'json');
    expect([upgrade.code, json(upgrade).status]).toEqual([0, 'succeeded']);
    const events = await kupgrade('--profile', 'ops', 'events', 'lab', '-o', 'json');
    expect([events.code, json(events).events.length > 0]).toEqual([0, true]);
    // every request reached the API signed and checked: a check, the polls, the events page and its query
    expect(gateway.seen.filter((r) => r.refused)).toEqual([]);
    expect(gateway.seen.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining([
        'POST /clusters/lab/checks',
        'POST /clusters/lab/upgrades',
        expect.stringMatching(/^GET \/clusters\/lab\/upgrades\/upg-[^/]+\/events$/),
      ]),
    );
  });

  it('uses the default profile with --region, and the region of the profile otherwise', async () => {
    const before = gateway.seen.length;
    const run = await kupgrade('--region', REGION, 'clusters', '-o', 'json');
    expect([run.code, json(run).clusters.map((c: { id: string }) => c.id)]).toEqual([0, ['lab']]);
    expect(gateway.seen.slice(before)).toEqual([expect.objectContaining({ accessKeyId: DEV.accessKeyId, sessionToken: undefined, refused: undefined })]);

    // the default profile's own region is another one: API Gateway in this region refuses that scope
    const elsewhere = await kupgrade('--profile', 'default', 'clusters');
    expect(elsewhere.code).toBe(8);
    expect(elsewhere.stderr).toContain("error: Credential should be scoped to a valid region, not 'eu-west-1'.");
    expect(elsewhere.stderr).toMatch(/^remedy: \S/m);
  });

  it('is refused (exit 8, with the message) when its secret is not the one the principal has now', async () => {
    const run = await kupgrade('--profile', 'stale', 'clusters');
    expect(run.code).toBe(8);
    expect(run.stderr).toContain('error: The request signature we calculated does not match the signature you provided.');
    expect(gateway.seen.at(-1)).toMatchObject({ accessKeyId: 'AKIASTALEEXAMPLE0003', refused: expect.stringContaining('does not match') });
  });

  it('signs the body: the same signed request with another body is refused, with its own body accepted', async () => {
    const sign = sigV4Signer({ region: REGION, credentials: async () => OPS });
    const signed = await sign(
      new Request(`${gateway.url}/clusters/lab/maintenance-window`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ maintenanceWindow: null }),
      }),
    );
    const send = (body: string, headers: Record<string, string> = {}) =>
      fetch(signed.url, { method: 'PUT', headers: { ...Object.fromEntries(signed.headers), ...headers }, body });
    const message = async (res: Response) => [res.status, ((await res.json()) as { message: string }).message];
    const other = JSON.stringify({ maintenanceWindow: { days: ['sat'], start: '01:00', end: '05:00', timeZone: 'UTC' } });
    expect(await message(await send(other))).toEqual([403, expect.stringContaining('x-amz-content-sha256')]);
    // with the payload hash header made to match, the signature itself gives the change away
    const rehashed = await send(other, { 'x-amz-content-sha256': createHash('sha256').update(other).digest('hex') });
    expect(await message(rehashed)).toEqual([403, expect.stringContaining('signature we calculated does not match')]);
    expect((await send(JSON.stringify({ maintenanceWindow: null }))).status).toBe(200);
  });

  it('says so when no credentials can be found (exit 8), and when it has no region to sign for (exit 2)', async () => {
    const run = await kupgrade('--profile', 'nobody', '--region', REGION, 'clusters');
    expect(run.code).toBe(8);
    expect(run.stderr).toMatch(/^error: no AWS credentials to sign the request with: /m);
    expect(run.stderr).toMatch(/^remedy: pass --profile/m);
    const noRegion = await kupgrade('--profile', 'nobody', 'clusters');
    expect([noRegion.code, noRegion.stderr]).toEqual([2, expect.stringContaining('no AWS region to sign the requests')]);
  });
});
