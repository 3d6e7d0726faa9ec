// Publishes the console to a deployed stack: its files into the stack's
// private bucket, `config.json` written from the stack's outputs (so one build
// serves every stage and region), then a CloudFront invalidation of the two
// files that are not hashed. `npm run deploy` runs it after `serverless deploy`;
// alone: `tsx scripts/publishConsole.ts --stage dev --region eu-west-1`.
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudFrontClient, CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Command } from 'commander';
import { KupgradeError } from '../src/domain/errors.js';
import { buildConsole, type ConsoleFiles } from '../console/build.js';

interface PublishDeps {
  cfn: CloudFormationClient;
  s3: S3Client;
  cloudfront: CloudFrontClient;
}

interface PublishOptions {
  stackName: string;
  region: string;
  files: ConsoleFiles;
}

interface PublishResult {
  consoleUrl: string;
  /** the keys written to the bucket, in the order they were written (config.json and index.html last) */
  uploaded: string[];
  invalidationId: string;
  /** `aws cognito-idp` commands that create a user and put them in each group */
  userCommands: string[];
}

/** The stack outputs the publish needs: serverless.yml declares them (HttpApiUrl comes from osls, for the httpApi events). */
const OUTPUTS = [
  'HttpApiUrl',
  'ConsoleUrl',
  'ConsoleUserPoolId',
  'ConsoleUserPoolClientId',
  'ConsoleIdentityPoolId',
  'ConsoleCognitoDomain',
  'ConsoleBucketName',
  'ConsoleDistributionId',
] as const;
type Outputs = Record<(typeof OUTPUTS)[number], string>;

// Hashed names may be cached for ever; the page and its config must be asked for again each time.
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';
const JSON_TYPE = 'application/json; charset=utf-8';

async function readOutputs(cfn: CloudFormationClient, stackName: string, region: string): Promise<Outputs> {
  const remedy = `deploy the stack first (npm run deploy -- --stage <stage> --region ${region}), or name it with --stack-name`;
  let stack;
  try {
    stack = (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
  } catch (err) {
    // CloudFormation answers ValidationError "Stack with id … does not exist"
    if ((err as { name?: string }).name === 'ValidationError') {
      throw new KupgradeError('StackNotFound', { message: `no stack ${stackName} in ${region}`, remedy, cause: err });
    }
    throw err;
  }
  if (!stack) throw new KupgradeError('StackNotFound', { message: `no stack ${stackName} in ${region}`, remedy });
  const found = new Map((stack.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
  const missing = OUTPUTS.filter((k) => !found.get(k));
  if (missing.length) {
    throw new KupgradeError('StackOutputMissing', {
      message: `stack ${stackName} (${region}) has no output ${missing.join(', ')}: it is not a kupgrade stack with the console, or its deploy did not finish`,
      remedy,
    });
  }
  return Object.fromEntries(OUTPUTS.map((k) => [k, found.get(k)!])) as Outputs;
}

/** What the deployed console reads at start (console/src/auth.ts): cognito mode, and where the API and the pools are. */
function consoleConfig(outputs: Outputs, region: string) {
  return {
    mode: 'cognito',
    apiUrl: outputs.HttpApiUrl,
    region,
    userPoolId: outputs.ConsoleUserPoolId,
    clientId: outputs.ConsoleUserPoolClientId,
    identityPoolId: outputs.ConsoleIdentityPoolId,
    cognitoDomain: outputs.ConsoleCognitoDomain,
  };
}

function userCommands(userPoolId: string, region: string): string[] {
  const pool = `--user-pool-id ${userPoolId} --username <user> --region ${region}`;
  return [
    `aws cognito-idp admin-create-user ${pool}`,
    `aws cognito-idp admin-add-user-to-group ${pool} --group-name operator`,
    `aws cognito-idp admin-add-user-to-group ${pool} --group-name viewer`,
  ];
}

/**
 * Reads the stack's outputs first, so a stack that is missing or incomplete
 * fails before anything is written. Then the hashed assets, then config.json,
 * then index.html: a browser that loads the new page finds what it names.
 * Old hashed assets stay (a cached old page may still ask for them).
 */
export async function publishConsole(deps: PublishDeps, options: PublishOptions): Promise<PublishResult> {
  const outputs = await readOutputs(deps.cfn, options.stackName, options.region);
  const Bucket = outputs.ConsoleBucketName;
  // config.json comes from the outputs, never from the build
  const files = [...options.files].filter(([key]) => key !== 'config.json');
  const config = new TextEncoder().encode(`${JSON.stringify(consoleConfig(outputs, options.region), null, 2)}\n`);
  const assets = files.filter(([, f]) => f.immutable);
  const pages = files.filter(([, f]) => !f.immutable);
  const writes: Array<{ key: string; body: Uint8Array; contentType: string; cacheControl: string }> = [
    ...assets.map(([key, f]) => ({ key, body: f.body, contentType: f.contentType, cacheControl: IMMUTABLE })),
    { key: 'config.json', body: config, contentType: JSON_TYPE, cacheControl: REVALIDATE },
    ...pages.map(([key, f]) => ({ key, body: f.body, contentType: f.contentType, cacheControl: REVALIDATE })),
  ];
  for (const w of writes) {
    await deps.s3.send(new PutObjectCommand({ Bucket, Key: w.key, Body: w.body, ContentType: w.contentType, CacheControl: w.cacheControl }));
  }
  // '/' too: CloudFront caches the default root object under the path it was asked for
  const paths = ['/', '/index.html', '/config.json'];
  const invalidation = await deps.cloudfront.send(
    new CreateInvalidationCommand({
      DistributionId: outputs.ConsoleDistributionId,
      InvalidationBatch: { CallerReference: `kupgrade-console-${randomUUID()}`, Paths: { Quantity: paths.length, Items: paths } },
    }),
  );
  return {
    consoleUrl: outputs.ConsoleUrl,
    uploaded: writes.map((w) => w.key),
    invalidationId: invalidation.Invalidation?.Id ?? '',
    userCommands: userCommands(outputs.ConsoleUserPoolId, options.region),
  };
}

async function main(argv: string[]): Promise<void> {
  const program = new Command('publishConsole')
    .description("publish the console to a deployed kupgrade stack's bucket and write its config.json")
    .option('-s, --stage <stage>', 'the stage deployed (as serverless deploy --stage)', 'dev')
    // the default of serverless.yml's provider.region
    .option('-r, --region <region>', 'the region deployed (as serverless deploy --region)', 'us-east-1')
    .option('--stack-name <name>', 'the stack, when not kupgrade-<stage>')
    .option('--aws-profile <profile>', 'the AWS profile (as serverless deploy --aws-profile)')
    // npm run deploy passes serverless's own options (--param=…, --verbose) here too
    .allowUnknownOption()
    .allowExcessArguments();
  const opts = program.parse(argv).opts<{ stage: string; region: string; stackName?: string; awsProfile?: string }>();
  if (opts.awsProfile) process.env.AWS_PROFILE = opts.awsProfile;
  const region = opts.region;
  const stackName = opts.stackName ?? `kupgrade-${opts.stage}`;
  const files = await buildConsole({ minify: true });
  const deps = { cfn: new CloudFormationClient({ region }), s3: new S3Client({ region }), cloudfront: new CloudFrontClient({ region }) };
  const result = await publishConsole(deps, { stackName, region, files });
  console.log(`Published the console (${result.uploaded.length} files, invalidation ${result.invalidationId}) to stack ${stackName}.`);
  console.log(`\nThe console: ${result.consoleUrl}`);
  console.log('\nNobody signs themselves up. Create a user, then put them in a group (operator: every route; viewer: GET routes only):');
  for (const c of result.userCommands) console.log(`  ${c}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv).catch((err: unknown) => {
    if (err instanceof KupgradeError) console.error(`${err.reason}: ${err.message}\nRemedy: ${err.remedy}`);
    else console.error(err);
    process.exit(1);
  });
}
