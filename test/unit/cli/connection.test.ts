import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { profileRegion } from '../../../cli/awsConfig.js';
import { resolveConnection } from '../../../cli/connection.js';
import { CliError } from '../../../cli/exitCodes.js';

describe('resolveConnection', () => {
  let dir: string;
  let empty: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kupgrade-cli-conn-'));
    empty = await mkdtemp(join(tmpdir(), 'kupgrade-cli-empty-'));
    await writeFile(join(dir, 'token'), 'from-the-file-0123456789\n');
    await writeFile(join(dir, 'config'), '[default]\nregion = eu-west-1\n\n[profile ops]\n# a comment\nregion=us-east-2\n[profile other]\noutput = json\n');
    env = { KUPGRADE_DATA_DIR: dir, AWS_CONFIG_FILE: join(dir, 'config') };
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await rm(empty, { recursive: true, force: true });
  });

  it('talks to the local stack by default, with the token file it writes', () => {
    expect(resolveConnection({}, env)).toEqual({ baseUrl: 'http://127.0.0.1:3000', auth: { kind: 'token', token: 'from-the-file-0123456789' } });
  });

  it('prefers --token, then KUPGRADE_TOKEN, to the file; KUPGRADE_URL to the default', () => {
    expect(resolveConnection({ token: 'flag' }, { ...env, KUPGRADE_TOKEN: 'env' }).auth).toEqual({ kind: 'token', token: 'flag' });
    expect(resolveConnection({}, { ...env, KUPGRADE_TOKEN: 'env', KUPGRADE_URL: 'http://localhost:4000/' })).toEqual({
      baseUrl: 'http://localhost:4000',
      auth: { kind: 'token', token: 'env' },
    });
  });

  it('says where the token should have been when there is none (a usage error)', () => {
    const err = (() => {
      try {
        resolveConnection({}, { KUPGRADE_DATA_DIR: empty });
      } catch (e) {
        return e as CliError;
      }
    })();
    expect(err).toBeInstanceOf(CliError);
    expect(err).toMatchObject({ exitCode: 2, message: expect.stringContaining(join(empty, 'token')), remedy: expect.stringContaining('npm start') });
  });

  it('signs (SigV4) for a deployed endpoint, in the region its host names', () => {
    expect(resolveConnection({ endpoint: 'https://abc123.execute-api.ap-south-1.amazonaws.com/' }, env)).toEqual({
      baseUrl: 'https://abc123.execute-api.ap-south-1.amazonaws.com',
      auth: { kind: 'sigv4', region: 'ap-south-1' },
    });
  });

  it('signs when --profile or --region is given, even on this machine and with KUPGRADE_TOKEN set; the region from the flag, else the profile', () => {
    const local = { ...env, KUPGRADE_TOKEN: 'env' };
    expect(resolveConnection({ profile: 'ops' }, local).auth).toEqual({ kind: 'sigv4', region: 'us-east-2', profile: 'ops' });
    expect(resolveConnection({ region: 'sa-east-1' }, local).auth).toEqual({ kind: 'sigv4', region: 'sa-east-1' });
    expect(resolveConnection({ endpoint: 'https://api.example.com' }, { ...env, AWS_PROFILE: 'ops' }).auth).toEqual({
      kind: 'sigv4',
      region: 'us-east-2',
      profile: 'ops',
    });
    expect(resolveConnection({ endpoint: 'https://api.example.com' }, env).auth).toEqual({ kind: 'sigv4', region: 'eu-west-1' });
    expect(() => resolveConnection({ profile: 'other' }, env)).toThrow('no AWS region');
  });

  it('refuses an endpoint that is not a URL', () => {
    expect(() => resolveConnection({ endpoint: 'not a url' }, env)).toThrow(CliError);
  });
});

describe('profileRegion', () => {
  it('reads nothing from a config file that is not there', () => {
    expect(profileRegion('default', { AWS_CONFIG_FILE: '/nonexistent/config' })).toBeUndefined();
  });
});
