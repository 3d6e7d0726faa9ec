// Packages the service the way CI does (no AWS credentials, no network) and
// checks the CloudFormation template that would be deployed.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { inflateRawSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { TABLE_SCHEMA } from '../../src/store/tableSchema.js';
import { allStates, checkTemplate, iamViolations, logGroupProblems, secretProblems, stateMachineProblems, stateMachines, tableProblems, type Template } from '../../scripts/checkTemplate.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const out = join(root, '.serverless');
const FUNCTIONS = ['begin', 'precheck', 'master', 'nodeBatch', 'cleanup', 'onError'];
const API_FUNCTIONS = ['listVersions', 'getOpenApi', 'listClusters', 'registerCluster', 'getCluster', 'unregisterCluster', 'startCheck', 'getCheck', 'startUpgrade', 'listUpgrades', 'getUpgrade', 'pauseUpgrade', 'resumeUpgrade', 'cancelUpgrade', 'listEvents', 'setMaintenanceWindow'];
/** The functions that read clusters for the API, so the API bundles never hold the Kubernetes client. */
const CLUSTER_FUNCTIONS = ['readCluster', 'runCheck'];
/** The 15-day expiry: the hourly sweeper and the TTL stream handler. */
const EXPIRY_FUNCTIONS = ['sweeper', 'ttlStream'];

/** The environment of a clean CI runner: no credentials of any kind, no instance metadata. */
function offlineEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')));
  return { ...env, AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent', AWS_EC2_METADATA_DISABLED: 'true' };
}

/**
 * A zip's entries by name, inflated. Only the central directory has the
 * sizes: the zips osls writes put data descriptors after each entry.
 */
function unzip(file: string): Map<string, Buffer> {
  const zip = readFileSync(file);
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const entries = new Map<string, Buffer>();
  let at = zip.readUInt32LE(end + 16);
  for (let n = zip.readUInt16LE(end + 10); n > 0; n--) {
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const local = zip.readUInt32LE(at + 42);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + size);
    entries.set(zip.toString('utf8', at + 46, at + 46 + nameLength), method === 8 ? inflateRawSync(data) : data);
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return entries;
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

let template: Template;
let seconds = 0;

beforeAll(async () => {
  const started = Date.now();
  await promisify(execFile)('npm', ['run', 'package'], { cwd: root, env: offlineEnv(), timeout: 120_000, maxBuffer: 16 << 20 });
  seconds = (Date.now() - started) / 1000;
  template = JSON.parse(readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
}, 150_000);

const resourcesOfType = (type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);
const props = (id: string) => template.Resources[id]?.Properties as Record<string, any>;

describe('npm run package', () => {
  it('runs offline and writes a zip for every function of the template, holding its ESM bundle and source map', () => {
    console.log(`npm run package took ${seconds.toFixed(1)} s`);
    const rows: string[] = [];
    /** Handler folder of each function → whether its bundle holds @kubernetes code, by the source map's sources. */
    const kubernetes = { api: new Map<string, boolean>(), phases: new Map<string, boolean>() };
    for (const [id, fn] of resourcesOfType('AWS::Lambda::Function')) {
      const p = fn.Properties as Record<string, any>;
      const zipName = String(p.Code.S3Key).split('/').pop()!;
      const zip = join(out, zipName);
      expect([id, existsSync(zip)]).toEqual([id, true]);
      const handler = String(p.Handler);
      const bundle = `${handler.slice(0, handler.lastIndexOf('.'))}.mjs`;
      const entries = unzip(zip);
      expect([id, [...entries.keys()].sort()]).toEqual([id, [bundle, `${bundle}.map`]]);
      const sources = JSON.parse(entries.get(`${bundle}.map`)!.toString('utf8')).sources as string[];
      const holdsKubernetes = sources.some((s) => s.includes('node_modules/@kubernetes/'));
      const folder = handler.split('/')[1];
      if (folder === 'api' || folder === 'phases') kubernetes[folder].set(zipName.replace(/\.zip$/, ''), holdsKubernetes);
      rows.push(`${zipName.padEnd(26)} ${kib(statSync(zip).size).padStart(9)} ${kib(entries.get(bundle)!.length).padStart(9)}  ${holdsKubernetes ? '@kubernetes' : ''}`);
    }
    // The bundle sizes in the CI output (issue 6), as `npm run build` prints them.
    console.log([`${'zip'.padEnd(26)} ${'zipped'.padStart(9)} ${'bundle'.padStart(9)}`, ...rows.sort()].join('\n'));
    expect([...kubernetes.api.keys()].sort()).toEqual([...API_FUNCTIONS].sort());
    expect([...kubernetes.phases.keys()].sort()).toEqual([...FUNCTIONS].sort());
    // Issue 6: the API bundles hold no Kubernetes client. The phases do, so the check can tell the two apart.
    expect([...kubernetes.api].filter(([, holds]) => holds)).toEqual([]);
    expect([...kubernetes.phases].filter(([, holds]) => !holds)).toEqual([]);
  });

  it('passes every template check', () => {
    expect(checkTemplate(template)).toEqual([]);
  });
});

describe('the state machine', () => {
  it('is valid ASL once DefinitionSubstitutions are applied, and every Task names a function of the template', () => {
    const machines = stateMachines(template);
    expect(machines).toHaveLength(1);
    expect(stateMachineProblems(template, machines[0]![0])).toEqual([]);
  });

  it('is reported when a Task names a function the template lacks', () => {
    const doctored = structuredClone(template);
    const [id, machine] = stateMachines(doctored)[0]!;
    (machine.DefinitionSubstitutions as Record<string, unknown>).CleanupFunctionArn = { 'Fn::GetAtt': ['GoneLambdaFunction', 'Arn'] };
    expect(stateMachineProblems(doctored, id).join('\n')).toMatch(/GoneLambdaFunction, which is not a function/);
  });

  it('stops each function before its Task times out, so the function error reaches the Catch', () => {
    const [, machine] = stateMachines(template)[0]!;
    const subs = machine.DefinitionSubstitutions as Record<string, { 'Fn::GetAtt': [string, string] }>;
    for (const [name, task] of allStates(machine.Definition).filter(([, s]) => s.Type === 'Task')) {
      const fnId = subs[String(task.Resource).slice(2, -1)]!['Fn::GetAtt'][0];
      expect([name, props(fnId).Timeout < Number(task.TimeoutSeconds)]).toEqual([name, true]);
    }
  });
});

describe('the functions', () => {
  it('run nodejs22.x on arm64, each with a role of its own', () => {
    const functions = resourcesOfType('AWS::Lambda::Function');
    const all = [...FUNCTIONS, ...API_FUNCTIONS, ...CLUSTER_FUNCTIONS, ...EXPIRY_FUNCTIONS];
    expect(functions.map(([id]) => id).sort()).toEqual(all.map((f) => `${f[0]!.toUpperCase()}${f.slice(1)}LambdaFunction`).sort());
    const roles = functions.map(([, f]) => (f.Properties as Record<string, any>).Role['Fn::GetAtt'][0] as string);
    expect(new Set(roles).size).toBe(functions.length);
    expect(template.Resources.IamRoleLambdaExecution).toBeUndefined();
    for (const [id, f] of functions) {
      expect([id, f.Properties?.Runtime, f.Properties?.Architectures]).toEqual([id, 'nodejs22.x', ['arm64']]);
    }
  });

  it('touch only this stage\'s kupgrade/<stage>/ secrets, and only registration writes them', () => {
    const grants = JSON.stringify(template).match(/secretsmanager:[A-Za-z]+/g) ?? [];
    expect([...new Set(grants)].sort()).toEqual(['secretsmanager:CreateSecret', 'secretsmanager:DeleteSecret', 'secretsmanager:GetSecretValue']);
    const writers = resourcesOfType('AWS::IAM::Role')
      .filter(([, role]) => /secretsmanager:(Create|Delete)Secret/.test(JSON.stringify(role)))
      .map(([id]) => id);
    expect(writers.sort()).toEqual(['RegisterClusterRole', 'UnregisterClusterRole']);
    expect(secretProblems(template)).toEqual([]);
    const secretResources = JSON.stringify(template).match(/secret:[^"']*/g) ?? [];
    expect(secretResources.length).toBeGreaterThan(0);
    expect([...new Set(secretResources)]).toEqual(['secret:kupgrade/dev/*']);
    // the functions name their stage's prefix to the store, so what they create is what their grants reach
    const prefixes = resourcesOfType('AWS::Lambda::Function').map(([, f]) => (f.Properties as any)?.Environment?.Variables?.SECRET_PREFIX);
    expect(new Set(prefixes)).toEqual(new Set(['kupgrade/dev/']));
  });

  it('are reported when a grant reaches every stage\'s secrets (kupgrade/*)', () => {
    const doctored = structuredClone(template);
    const statements = (doctored.Resources.BeginRole!.Properties as Record<string, any>).Policies[0].PolicyDocument.Statement;
    statements.push({ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:kupgrade/*' } });
    expect(secretProblems(doctored)).toEqual([expect.stringMatching(/BeginRole.*secret:kupgrade\/\*", outside kupgrade/)]);
  });

  it('are reported when a statement mixing other actions with secretsmanager names more than kupgrade/ secrets', () => {
    const doctored = structuredClone(template);
    const statements = (doctored.Resources.BeginRole!.Properties as Record<string, any>).Policies[0].PolicyDocument.Statement;
    statements.push({
      Effect: 'Allow',
      Action: ['dynamodb:GetItem', 'secretsmanager:GetSecretValue'],
      Resource: [{ 'Fn::Sub': 'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:kupgrade/dev/*' }, { 'Fn::Sub': 'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:prod/*' }],
    });
    const found = secretProblems(doctored);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/BeginRole.*secret:prod\/\*", outside kupgrade/);
  });
});

describe('the HTTP API', () => {
  it('has one route per API function, each with IAM authorization', () => {
    const routes = resourcesOfType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties as Record<string, any>);
    expect(routes).toHaveLength(API_FUNCTIONS.length);
    for (const r of routes) expect([r.RouteKey, r.AuthorizationType]).toEqual([r.RouteKey, 'AWS_IAM']);
  });
});

describe('the expiry', () => {
  it('sweeps hourly, and the stream handler receives only removals from the table\'s stream', () => {
    const rules = resourcesOfType('AWS::Events::Rule').map(([, r]) => r.Properties as Record<string, any>);
    expect(rules).toContainEqual(expect.objectContaining({ ScheduleExpression: 'rate(1 hour)', Targets: [expect.objectContaining({ Arn: { 'Fn::GetAtt': ['SweeperLambdaFunction', 'Arn'] } })] }));
    const mappings = resourcesOfType('AWS::Lambda::EventSourceMapping').map(([, r]) => r.Properties as Record<string, any>);
    expect(mappings).toHaveLength(1);
    expect(mappings[0]).toMatchObject({ EventSourceArn: { 'Fn::GetAtt': ['UpgradesTable', 'StreamArn'] }, FunctionName: { 'Fn::GetAtt': ['TtlStreamLambdaFunction', 'Arn'] } });
    expect(JSON.stringify(mappings[0]!.FilterCriteria)).toContain('REMOVE');
  });

  it('lets scheduled upgrades start the state machine and nothing else', () => {
    const role = template.Resources.SchedulerRole as Record<string, any>;
    const statements = role.Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement);
    expect(statements).toEqual([{ Effect: 'Allow', Action: 'states:StartExecution', Resource: { Ref: 'UpgradeStateMachine' } }]);
  });
});

describe('the log groups', () => {
  it('all expire their events', () => {
    expect(resourcesOfType('AWS::Logs::LogGroup').length).toBeGreaterThan(0);
    expect(logGroupProblems(template)).toEqual([]);
  });

  it('are reported when one keeps its events forever', () => {
    const doctored = structuredClone(template);
    delete doctored.Resources.BeginLogGroup!.Properties!.RetentionInDays;
    expect(logGroupProblems(doctored)).toEqual(['BeginLogGroup: no RetentionInDays']);
  });
});

describe('the table', () => {
  it('has TTL on expiresAt and a NEW_AND_OLD_IMAGES stream', () => {
    expect(tableProblems(template)).toEqual([]);
  });

  it('matches src/store/tableSchema.ts, on demand, with point-in-time recovery', () => {
    const tables = resourcesOfType('AWS::DynamoDB::Table');
    expect(tables).toHaveLength(1);
    const table = props(tables[0]![0]);
    expect(table.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(table.AttributeDefinitions).toEqual(TABLE_SCHEMA.AttributeDefinitions);
    expect(table.KeySchema).toEqual(TABLE_SCHEMA.KeySchema);
    expect(table.GlobalSecondaryIndexes).toEqual(TABLE_SCHEMA.GlobalSecondaryIndexes);
  });
});

describe('IAM', () => {
  it('grants no wildcard action, no Resource "*", no unscoped wildcard Resource and no managed policy', () => {
    expect(iamViolations(template)).toEqual([]);
  });

  it('catches an injected wildcard action and an injected Resource "*"', () => {
    const doctored = structuredClone(template);
    const statements = (doctored.Resources.BeginRole!.Properties as Record<string, any>).Policies[0].PolicyDocument.Statement;
    statements.push({ Effect: 'Allow', Action: '*', Resource: { 'Fn::GetAtt': ['UpgradesTable', 'Arn'] } });
    statements.push({ Effect: 'Allow', Action: ['dynamodb:GetItem'], Resource: '*' });
    const found = iamViolations(doctored);
    expect(found).toHaveLength(2);
    expect(found[0]).toMatch(/BeginRole.*wildcard action "\*"/);
    expect(found[1]).toMatch(/BeginRole.*Resource "\*"/);
  });

  it('catches an attached managed policy', () => {
    const doctored = structuredClone(template);
    (doctored.Resources.BeginRole!.Properties as Record<string, any>).ManagedPolicyArns = ['arn:aws:iam::aws:policy/AdministratorAccess'];
    expect(iamViolations(doctored)).toEqual(['BeginRole: ManagedPolicyArns ["arn:aws:iam::aws:policy/AdministratorAccess"]']);
  });

  // Each hides a wildcard the way CloudFormation would still expand it.
  const hidden: Array<[string, unknown, RegExp]> = [
    ['Fn::Join of "*"', { 'Fn::Join': ['', ['*']] }, /Resource "\*"/],
    ['Fn::Sub of "*", list form', { 'Fn::Sub': ['*', {}] }, /Resource "\*"/],
    ['Fn::Sub of "*", string form', { 'Fn::Sub': '*' }, /Resource "\*"/],
    ['Fn::Sub variable set to "*"', { 'Fn::Sub': ['${Everything}', { Everything: '*' }] }, /Resource "\*"/],
    ['wildcard region and account', 'arn:aws:secretsmanager:*:*:secret:*', /wildcard region in Resource/],
    ['wildcard service, behind Fn::Join', { 'Fn::Join': [':', ['arn', { Ref: 'AWS::Partition' }, '*', 'us-east-1', '123456789012', 'x']] }, /wildcard service in Resource/],
    ['every secret of the account', { 'Fn::Sub': 'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:*' }, /unscoped wildcard Resource/],
    ['every object of a bucket', { 'Fn::Sub': '${SomeBucket.Arn}/*' }, /unscoped wildcard Resource "<ref>\/\*"/],
  ];
  it.each(hidden)('catches a wildcard Resource hidden as %s', (_, resource, message) => {
    const doctored = structuredClone(template);
    const statements = (doctored.Resources.BeginRole!.Properties as Record<string, any>).Policies[0].PolicyDocument.Statement;
    statements.push({ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: resource });
    const found = iamViolations(doctored);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/BeginRole/);
    expect(found[0]).toMatch(message);
  });
});
