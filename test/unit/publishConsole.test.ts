import { beforeEach, describe, expect, it } from '@jest/globals';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudFrontClient, CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import type { ConsoleFiles } from '../../console/build.js';
import { KupgradeError } from '../../src/domain/errors.js';
import { publishConsole } from '../../scripts/publishConsole.js';

const OUTPUTS: Record<string, string> = {
  HttpApiUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com',
  ConsoleUrl: 'https://d111.cloudfront.net/',
  ConsoleUserPoolId: 'eu-west-1_Pool',
  ConsoleUserPoolClientId: 'client42',
  ConsoleIdentityPoolId: 'eu-west-1:1111-2222',
  ConsoleCognitoDomain: 'kupgrade-prod-123456789012.auth.eu-west-1.amazoncognito.com',
  ConsoleBucketName: 'kupgrade-prod-consolebucket-xyz',
  ConsoleDistributionId: 'E2DIST',
  UpgradeStateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:kupgrade-prod-upgrade',
};

const stackWith = (outputs: Record<string, string>) => ({
  Stacks: [
    {
      StackName: 'kupgrade-prod',
      StackStatus: 'UPDATE_COMPLETE' as const,
      CreationTime: new Date(0),
      Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
    },
  ],
});

const bytes = (s: string) => new TextEncoder().encode(s);
const files = (): ConsoleFiles =>
  new Map([
    ['index.html', { contentType: 'text/html; charset=utf-8', body: bytes('<!doctype html>'), immutable: false }],
    ['console/app-ABC123.js', { contentType: 'text/javascript; charset=utf-8', body: bytes('export {}'), immutable: true }],
    ['console/app-DEF456.css', { contentType: 'text/css; charset=utf-8', body: bytes('body{}'), immutable: true }],
  ]);

describe('publishing the console to a deployed stack', () => {
  const cfn = mockClient(CloudFormationClient);
  const s3 = mockClient(S3Client);
  const cloudfront = mockClient(CloudFrontClient);
  const deps = { cfn: new CloudFormationClient({}), s3: new S3Client({}), cloudfront: new CloudFrontClient({}) };
  const options = { stackName: 'kupgrade-prod', region: 'eu-west-1', files: files() };

  beforeEach(() => {
    cfn.reset();
    s3.reset();
    cloudfront.reset();
    s3.on(PutObjectCommand).resolves({});
    cloudfront
      .on(CreateInvalidationCommand)
      .resolves({ Invalidation: { Id: 'I1', Status: 'InProgress', CreateTime: new Date(0), InvalidationBatch: undefined } });
  });

  const puts = () => s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);

  it("uploads every file to the stack's bucket with its content type and cache-control, the hashed assets first and the page last", async () => {
    cfn.on(DescribeStacksCommand, { StackName: 'kupgrade-prod' }).resolves(stackWith(OUTPUTS));
    const result = await publishConsole(deps, options);
    expect(puts().map(({ Bucket, Key, ContentType, CacheControl }) => ({ Bucket, Key, ContentType, CacheControl }))).toEqual([
      {
        Bucket: OUTPUTS.ConsoleBucketName,
        Key: 'console/app-ABC123.js',
        ContentType: 'text/javascript; charset=utf-8',
        CacheControl: 'public, max-age=31536000, immutable',
      },
      {
        Bucket: OUTPUTS.ConsoleBucketName,
        Key: 'console/app-DEF456.css',
        ContentType: 'text/css; charset=utf-8',
        CacheControl: 'public, max-age=31536000, immutable',
      },
      { Bucket: OUTPUTS.ConsoleBucketName, Key: 'config.json', ContentType: 'application/json; charset=utf-8', CacheControl: 'no-cache' },
      { Bucket: OUTPUTS.ConsoleBucketName, Key: 'index.html', ContentType: 'text/html; charset=utf-8', CacheControl: 'no-cache' },
    ]);
    expect(new TextDecoder().decode(puts().find((p) => p.Key === 'console/app-ABC123.js')!.Body as Uint8Array)).toBe('export {}');
    expect(result.uploaded).toEqual(['console/app-ABC123.js', 'console/app-DEF456.css', 'config.json', 'index.html']);
  });

  it("writes config.json from the stack's outputs, in cognito mode", async () => {
    cfn.on(DescribeStacksCommand).resolves(stackWith(OUTPUTS));
    await publishConsole(deps, options);
    const body = puts().find((p) => p.Key === 'config.json')!.Body as Uint8Array;
    expect(JSON.parse(new TextDecoder().decode(body))).toEqual({
      mode: 'cognito',
      apiUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com',
      region: 'eu-west-1',
      userPoolId: 'eu-west-1_Pool',
      clientId: 'client42',
      identityPoolId: 'eu-west-1:1111-2222',
      cognitoDomain: 'kupgrade-prod-123456789012.auth.eu-west-1.amazoncognito.com',
    });
  });

  it('a config.json in the build is not uploaded: the one written from the outputs is', async () => {
    cfn.on(DescribeStacksCommand).resolves(stackWith(OUTPUTS));
    const withBundled = files();
    withBundled.set('config.json', { contentType: 'application/json', body: bytes('{"mode":"token"}'), immutable: false });
    await publishConsole(deps, { ...options, files: withBundled });
    const configs = puts().filter((p) => p.Key === 'config.json');
    expect(configs).toHaveLength(1);
    expect(JSON.parse(new TextDecoder().decode(configs[0]!.Body as Uint8Array))).toMatchObject({ mode: 'cognito' });
  });

  it("invalidates the page and the config on the stack's distribution, after the uploads", async () => {
    cfn.on(DescribeStacksCommand).resolves(stackWith(OUTPUTS));
    const result = await publishConsole(deps, options);
    const calls = cloudfront.commandCalls(CreateInvalidationCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]!.args[0].input;
    expect(input.DistributionId).toBe('E2DIST');
    expect(input.InvalidationBatch!.Paths!.Items).toEqual(expect.arrayContaining(['/index.html', '/config.json']));
    expect(input.InvalidationBatch!.Paths!.Quantity).toBe(input.InvalidationBatch!.Paths!.Items!.length);
    expect(input.InvalidationBatch!.CallerReference).toMatch(/\S/);
    expect(result.invalidationId).toBe('I1');
    // the invalidation comes after the last upload, or a viewer could cache the old page again
    expect(calls[0]!.calledAfter(s3.commandCalls(PutObjectCommand).at(-1)!)).toBe(true);
  });

  it('gives a fresh CallerReference on each publish (CloudFront would take a repeated one for the same invalidation)', async () => {
    cfn.on(DescribeStacksCommand).resolves(stackWith(OUTPUTS));
    await publishConsole(deps, options);
    await publishConsole(deps, options);
    const refs = cloudfront.commandCalls(CreateInvalidationCommand).map((c) => c.args[0].input.InvalidationBatch!.CallerReference);
    expect(new Set(refs).size).toBe(2);
  });

  it('returns the console URL and the exact commands that put a user in each group', async () => {
    cfn.on(DescribeStacksCommand).resolves(stackWith(OUTPUTS));
    const result = await publishConsole(deps, options);
    expect(result.consoleUrl).toBe('https://d111.cloudfront.net/');
    expect(result.userCommands).toEqual(
      expect.arrayContaining([
        'aws cognito-idp admin-add-user-to-group --user-pool-id eu-west-1_Pool --username <user> --region eu-west-1 --group-name operator',
        'aws cognito-idp admin-add-user-to-group --user-pool-id eu-west-1_Pool --username <user> --region eu-west-1 --group-name viewer',
      ]),
    );
  });

  it('a missing output is an error naming it and the remedy, and nothing is uploaded or invalidated', async () => {
    const { ConsoleIdentityPoolId: _, ...incomplete } = OUTPUTS;
    cfn.on(DescribeStacksCommand).resolves(stackWith(incomplete));
    const err = await publishConsole(deps, options).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KupgradeError);
    expect((err as KupgradeError).reason).toBe('StackOutputMissing');
    expect((err as KupgradeError).message).toContain('ConsoleIdentityPoolId');
    expect((err as KupgradeError).message).not.toContain('ConsoleUserPoolId,');
    expect((err as KupgradeError).remedy).toMatch(/deploy the stack first/);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(cloudfront.commandCalls(CreateInvalidationCommand)).toHaveLength(0);
  });

  it('a stack that does not exist is an error saying to deploy it first, and nothing is uploaded', async () => {
    cfn.on(DescribeStacksCommand).rejects(Object.assign(new Error('Stack with id kupgrade-prod does not exist'), { name: 'ValidationError' }));
    const err = await publishConsole(deps, options).catch((e: unknown) => e);
    expect((err as KupgradeError).reason).toBe('StackNotFound');
    expect((err as KupgradeError).message).toContain('kupgrade-prod');
    expect((err as KupgradeError).remedy).toMatch(/deploy the stack first/);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });
});
