// Packages the service the way CI does (no AWS credentials, no network) and
// checks the CloudFormation template that would be deployed.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { build, type Plugin } from 'esbuild';
import { parse } from 'yaml';
import { COLD_START_GOALS } from '../../bench/coldStart.js';
import { unzip } from '../../scripts/zipEntries.js';
import { TABLE_SCHEMA } from '../../src/store/tableSchema.js';
import {
  allStates,
  checkTemplate,
  iamViolations,
  logGroupProblems,
  secretProblems,
  stateMachineProblems,
  stateMachines,
  tableProblems,
  consoleRoleProblems,
  routeArn,
  type Template,
} from '../../scripts/checkTemplate.js';
import { CFN_TAGS, readRouteTable } from '../../src/api/declaredRoutes.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const out = join(root, '.serverless');
const FUNCTIONS = ['begin', 'precheck', 'master', 'nodeBatch', 'cleanup', 'onError'];
const API_FUNCTIONS = [
  'listVersions',
  'getOpenApi',
  'listClusters',
  'registerCluster',
  'getCluster',
  'getDrainForecast',
  'unregisterCluster',
  'startCheck',
  'getCheck',
  'startUpgrade',
  'listUpgrades',
  'getUpgrade',
  'pauseUpgrade',
  'resumeUpgrade',
  'cancelUpgrade',
  'listEvents',
  'setMaintenanceWindow',
];
/** The functions that read clusters for the API, so the API bundles never hold the Kubernetes client. */
const CLUSTER_FUNCTIONS = ['readCluster', 'runCheck'];
/** The 15-day expiry: the hourly sweeper and the TTL stream handler. */
const EXPIRY_FUNCTIONS = ['sweeper', 'ttlStream'];

/** The environment of a clean CI runner: no credentials of any kind, no instance metadata. */
function offlineEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')));
  return { ...env, AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent', AWS_EC2_METADATA_DISABLED: 'true' };
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

let template: Template;
let seconds = 0;

beforeAll(async () => {
  const started = Date.now();
  // a deadline, not a speed goal: packaging takes ~30 s alone and several minutes on shared cores under a full suite
  await promisify(execFile)('npm', ['run', 'package'], { cwd: root, env: offlineEnv(), timeout: 600_000, maxBuffer: 16 << 20 });
  seconds = (Date.now() - started) / 1000;
  template = JSON.parse(readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
}, 620_000);

const resourcesOfType = (type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);
const props = (id: string) => template.Resources[id]?.Properties as Record<string, any>;

describe('npm run package', () => {
  it('runs offline and writes a zip for every function of the template, holding its minified ESM bundle alone, its source map beside the artifacts', () => {
    console.log(`npm run package took ${seconds.toFixed(1)} s`);
    const rows: string[] = [];
    /** Handler folder of each function → whether its bundle holds @kubernetes code, by the source map's sources. */
    const kubernetes = { api: new Map<string, boolean>(), phases: new Map<string, boolean>() };
    /** Issue 23: zipped bytes within the goals (API ≤ 300 KB, phases ≤ 1.5 MB); sizes, not times, so a test can hold them. */
    const overGoal: string[] = [];
    for (const [id, fn] of resourcesOfType('AWS::Lambda::Function')) {
      const p = fn.Properties as Record<string, any>;
      const zipName = String(p.Code.S3Key).split('/').pop()!;
      const zip = join(out, zipName);
      expect([id, existsSync(zip)]).toEqual([id, true]);
      const handler = String(p.Handler);
      const bundle = `${handler.slice(0, handler.lastIndexOf('.'))}.mjs`;
      const entries = unzip(zip);
      // the map stays out of the zip (no sourceMappingURL to look it up either): a cold start loads the bundle only
      expect([id, [...entries.keys()].sort()]).toEqual([id, [bundle]]);
      const code = entries.get(bundle)!.toString('utf8');
      expect([id, /sourceMappingURL/.test(code)]).toEqual([id, false]);
      const map = join(out, 'sourcemaps', `${bundle}.map`);
      expect([id, existsSync(map)]).toEqual([id, true]);
      const sources = JSON.parse(readFileSync(map, 'utf8')).sources as string[];
      const holdsKubernetes = sources.some((s) => s.includes('node_modules/@kubernetes/'));
      const folder = handler.split('/')[1];
      if (folder === 'api' || folder === 'phases') kubernetes[folder].set(zipName.replace(/\.zip$/, ''), holdsKubernetes);
      const zipBytes = statSync(zip).size;
      const goal = folder === 'api' ? COLD_START_GOALS.api.zipBytes : folder === 'phases' ? COLD_START_GOALS.phase.zipBytes : undefined;
      if (goal !== undefined && zipBytes > goal) overGoal.push(`${zipName}: ${kib(zipBytes)} > ${kib(goal)}`);
      rows.push(`${zipName.padEnd(26)} ${kib(zipBytes).padStart(9)} ${kib(entries.get(bundle)!.length).padStart(9)}  ${holdsKubernetes ? '@kubernetes' : ''}`);
    }
    // The bundle sizes in the CI output (issue 6), as `npm run build` prints them.
    console.log([`${'zip'.padEnd(26)} ${'zipped'.padStart(9)} ${'bundle'.padStart(9)}`, ...rows.sort()].join('\n'));
    expect(overGoal).toEqual([]);
    expect([...kubernetes.api.keys()].sort()).toEqual([...API_FUNCTIONS].sort());
    expect([...kubernetes.phases.keys()].sort()).toEqual([...FUNCTIONS].sort());
    // Issue 6: the API bundles hold no Kubernetes client. The phases do, so the check can tell the two apart,
    // but Begin (issue 23), which reaches no cluster (its role reads no kubeconfig), and leaves it out.
    expect([...kubernetes.api].filter(([, holds]) => holds)).toEqual([]);
    expect([...kubernetes.phases].filter(([, holds]) => !holds).map(([fn]) => fn)).toEqual(['begin']);
  });

  it('bundles in each function the AWS SDK clients of the services its role grants, and no other (issue 23: a cold start compiles them all)', () => {
    const clientOf: Record<string, string> = {
      dynamodb: 'client-dynamodb',
      states: 'client-sfn',
      lambda: 'client-lambda',
      scheduler: 'client-scheduler',
      events: 'client-eventbridge',
      secretsmanager: 'client-secrets-manager',
    };
    const mismatches: string[] = [];
    let withClients = 0;
    for (const [id, fn] of resourcesOfType('AWS::Lambda::Function')) {
      const p = fn.Properties as Record<string, any>;
      const role = template.Resources[p.Role['Fn::GetAtt'][0]]!.Properties as {
        Policies?: { PolicyDocument: { Statement: { Action: string | string[] }[] } }[];
      };
      const granted = new Set<string>();
      for (const policy of role.Policies ?? [])
        for (const statement of policy.PolicyDocument.Statement)
          for (const action of ([] as string[]).concat(statement.Action)) {
            const client = clientOf[action.split(':')[0]!];
            if (client) granted.add(client);
          }
      const handler = String(p.Handler);
      const map = join(out, 'sourcemaps', `${handler.slice(0, handler.lastIndexOf('.'))}.mjs.map`);
      const sources = JSON.parse(readFileSync(map, 'utf8')).sources as string[];
      const bundled = new Set(Object.values(clientOf).filter((c) => sources.some((s) => s.includes(`node_modules/@aws-sdk/${c}/`))));
      if (bundled.size) withClients++;
      const want = [...granted].sort().join(', ');
      const got = [...bundled].sort().join(', ');
      if (want !== got) mismatches.push(`${id}: granted ${want || 'none'}, bundles ${got || 'none'}`);
    }
    expect(mismatches).toEqual([]);
    // the check sees clients: most functions hold some, the two meta routes none
    expect(withClients).toBeGreaterThan(20);
  });

  it('zips are deterministic: no timestamps in them, and each bundle is the bytes esbuild makes again from the same sources and options', async () => {
    const service = parse(readFileSync(join(root, 'serverless.yml'), 'utf8'), { customTags: CFN_TAGS }) as { custom: { esbuild: Record<string, any> } };
    const { outputFileExtension, exclude, plugins: pluginsFile, ...options } = service.custom.esbuild;
    void exclude;
    // serverless.yml's plugins but the one that moves the maps out of serverless-esbuild's build folder (nothing is written here)
    const plugins = (createRequire(import.meta.url)(join(root, pluginsFile)) as Plugin[]).filter((p) => p.name !== 'source-maps-out-of-zips');
    for (const name of ['getUpgrade', 'nodeBatch']) {
      const zip = readFileSync(join(out, `${name}.zip`));
      // every local header's DOS date and time is 1980-01-01 00:00 (the packager's fixed date), so a rebuild zips to the same bytes
      for (let at = zip.indexOf('PK\x03\x04'); at >= 0; at = zip.indexOf('PK\x03\x04', at + 4))
        expect([name, zip.readUInt32LE(at + 10)]).toEqual([name, 0x210000]);
      const [file, bundled] = [...unzip(join(out, `${name}.zip`))][0]!;
      const again = await build({
        ...options,
        absWorkingDir: root,
        entryPoints: [file.replace(/\.mjs$/, '.ts')],
        outdir: join(root, '.esbuild', 'again', file.slice(0, file.lastIndexOf('/'))),
        outExtension: { '.js': outputFileExtension },
        write: false,
        plugins,
        logLevel: 'error',
      });
      const code = again.outputFiles.find((f) => f.path.endsWith(outputFileExtension))!;
      expect([name, Buffer.from(code.contents).equals(bundled)]).toEqual([name, true]);
    }
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

  it("touch only this stage's kupgrade/<stage>/ secrets, and only registration writes them", () => {
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

  it("are reported when a grant reaches every stage's secrets (kupgrade/*)", () => {
    const doctored = structuredClone(template);
    const statements = (doctored.Resources.BeginRole!.Properties as Record<string, any>).Policies[0].PolicyDocument.Statement;
    statements.push({
      Effect: 'Allow',
      Action: 'secretsmanager:GetSecretValue',
      Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:kupgrade/*' },
    });
    expect(secretProblems(doctored)).toEqual([expect.stringMatching(/BeginRole.*secret:kupgrade\/\*", outside kupgrade/)]);
  });

  it('are reported when a statement mixing other actions with secretsmanager names more than kupgrade/ secrets', () => {
    const doctored = structuredClone(template);
    const statements = (doctored.Resources.BeginRole!.Properties as Record<string, any>).Policies[0].PolicyDocument.Statement;
    statements.push({
      Effect: 'Allow',
      Action: ['dynamodb:GetItem', 'secretsmanager:GetSecretValue'],
      Resource: [
        { 'Fn::Sub': 'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:kupgrade/dev/*' },
        { 'Fn::Sub': 'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:prod/*' },
      ],
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
  it("sweeps hourly, and the stream handler receives only removals from the table's stream", () => {
    const rules = resourcesOfType('AWS::Events::Rule').map(([, r]) => r.Properties as Record<string, any>);
    expect(rules).toContainEqual(
      expect.objectContaining({
        ScheduleExpression: 'rate(1 hour)',
        Targets: [expect.objectContaining({ Arn: { 'Fn::GetAtt': ['SweeperLambdaFunction', 'Arn'] } })],
      }),
    );
    const mappings = resourcesOfType('AWS::Lambda::EventSourceMapping').map(([, r]) => r.Properties as Record<string, any>);
    expect(mappings).toHaveLength(1);
    expect(mappings[0]).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': ['UpgradesTable', 'StreamArn'] },
      FunctionName: { 'Fn::GetAtt': ['TtlStreamLambdaFunction', 'Arn'] },
    });
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
    [
      'wildcard service, behind Fn::Join',
      { 'Fn::Join': [':', ['arn', { Ref: 'AWS::Partition' }, '*', 'us-east-1', '123456789012', 'x']] },
      /wildcard service in Resource/,
    ],
    [
      'every secret of the account',
      { 'Fn::Sub': 'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:*' },
      /unscoped wildcard Resource/,
    ],
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

describe('the console, deployed (issue #20)', () => {
  const routes = readRouteTable();
  const statementsOf = (roleId: string) => (props(roleId).Policies as any[]).flatMap((p) => p.PolicyDocument.Statement as any[]);
  const invokeResources = (roleId: string) =>
    statementsOf(roleId)
      .filter((s) => s.Action === 'execute-api:Invoke')
      .flatMap((s) => s.Resource as Array<{ 'Fn::Sub': string }>)
      .map((r) => r['Fn::Sub'])
      .sort();

  it('keeps its files in a bucket that is not public and not a website', () => {
    const bucket = props('ConsoleBucket');
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    expect(bucket.WebsiteConfiguration).toBeUndefined();
    expect(bucket.AccessControl).toBeUndefined();
  });

  it('lets only its distribution read the bucket, through origin access control (not an origin access identity)', () => {
    const policies = resourcesOfType('AWS::S3::BucketPolicy').filter(([, p]) => JSON.stringify(p.Properties?.Bucket) === '{"Ref":"ConsoleBucket"}');
    expect(policies).toHaveLength(1);
    const allows = (policies[0]![1].Properties as any).PolicyDocument.Statement.filter((s: any) => s.Effect === 'Allow');
    expect(allows).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: 's3:GetObject',
        Resource: { 'Fn::Sub': '${ConsoleBucket.Arn}/*' },
        Condition: {
          StringEquals: { 'AWS:SourceArn': { 'Fn::Sub': 'arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${ConsoleDistribution}' } },
        },
      },
    ]);
    expect(props('ConsoleOriginAccessControl').OriginAccessControlConfig).toMatchObject({
      OriginAccessControlOriginType: 's3',
      SigningBehavior: 'always',
      SigningProtocol: 'sigv4',
    });
    expect(resourcesOfType('AWS::CloudFront::CloudFrontOriginAccessIdentity')).toEqual([]);
    const config = props('ConsoleDistribution').DistributionConfig;
    expect(config.Origins).toEqual([
      {
        Id: 'console-bucket',
        DomainName: { 'Fn::GetAtt': ['ConsoleBucket', 'RegionalDomainName'] },
        OriginAccessControlId: { 'Fn::GetAtt': ['ConsoleOriginAccessControl', 'Id'] },
        S3OriginConfig: { OriginAccessIdentity: '' },
      },
    ]);
    expect(config.DefaultCacheBehavior).toMatchObject({
      TargetOriginId: 'console-bucket',
      ViewerProtocolPolicy: 'redirect-to-https',
      ResponseHeadersPolicyId: { Ref: 'ConsoleResponseHeadersPolicy' },
    });
    expect(config.DefaultRootObject).toBe('index.html');
    expect(config.CustomErrorResponses.map((e: any) => [e.ErrorCode, e.ResponseCode, e.ResponsePagePath])).toEqual([
      [403, 200, '/index.html'],
      [404, 200, '/index.html'],
    ]);
  });

  it('is reported by the IAM check when the bucket read is not bound to the distribution', () => {
    expect(iamViolations(template)).toEqual([]);
    const doctored = structuredClone(template);
    const statement = (doctored.Resources.ConsoleBucketPolicy!.Properties as any).PolicyDocument.Statement[0];
    delete statement.Condition;
    expect(iamViolations(doctored)).toEqual([expect.stringMatching(/ConsoleBucketPolicy.*unscoped wildcard Resource "<ref>\/\*"/)]);
  });

  it('sends security headers: HSTS, a CSP that reaches only the API, Cognito and nothing framing it, nosniff, no referrer', () => {
    const headers = props('ConsoleResponseHeadersPolicy').ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    expect(headers.StrictTransportSecurity).toMatchObject({ AccessControlMaxAgeSec: 63072000, IncludeSubdomains: true, Override: true });
    expect(headers.ContentTypeOptions).toEqual({ Override: true });
    expect(headers.ReferrerPolicy).toEqual({ ReferrerPolicy: 'no-referrer', Override: true });
    const csp = String(headers.ContentSecurityPolicy.ContentSecurityPolicy['Fn::Sub']);
    const directives = Object.fromEntries(csp.split(/;\s*/).map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));
    expect(directives['default-src']).toEqual(["'self'"]);
    expect(directives['frame-ancestors']).toEqual(["'none'"]);
    expect(directives['connect-src']).toEqual([
      "'self'",
      'https://*.execute-api.${AWS::Region}.amazonaws.com',
      'https://${ConsoleUserPoolDomain}.auth.${AWS::Region}.amazoncognito.com',
      'https://cognito-identity.${AWS::Region}.amazonaws.com',
    ]);
  });

  it('signs people in with a user pool: hosted UI domain, a public code-grant client returning to the console, admin-created users', () => {
    expect(props('ConsoleUserPool').AdminCreateUserConfig).toEqual({ AllowAdminCreateUserOnly: true });
    expect(props('ConsoleUserPoolDomain')).toMatchObject({ UserPoolId: { Ref: 'ConsoleUserPool' } });
    // no --param given: the prefix CloudFormation makes unique (stage and account)
    expect(props('ConsoleUserPoolDomain').Domain).toEqual({ 'Fn::If': ['ConsoleDomainPrefixGiven', '', { 'Fn::Sub': 'kupgrade-dev-${AWS::AccountId}' }] });
    const client = props('ConsoleUserPoolClient');
    expect(client).toMatchObject({
      GenerateSecret: false,
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      SupportedIdentityProviders: ['COGNITO'],
    });
    expect(client.AllowedOAuthScopes).toContain('openid');
    expect(client.CallbackURLs).toEqual([{ 'Fn::Sub': 'https://${ConsoleDistribution.DomainName}/' }]);
    expect(client.LogoutURLs).toEqual(client.CallbackURLs);
    expect(client.ExplicitAuthFlows).not.toContain('ALLOW_USER_PASSWORD_AUTH');
  });

  it('gives each group its role through the identity pool, by the token', () => {
    const groups = resourcesOfType('AWS::Cognito::UserPoolGroup').map(([, g]) => [g.Properties?.GroupName, (g.Properties as any).RoleArn]);
    expect(groups.sort()).toEqual([
      ['operator', { 'Fn::GetAtt': ['ConsoleOperatorRole', 'Arn'] }],
      ['viewer', { 'Fn::GetAtt': ['ConsoleViewerRole', 'Arn'] }],
    ]);
    const pool = props('ConsoleIdentityPool');
    expect(pool.AllowUnauthenticatedIdentities).toBe(false);
    expect(pool.CognitoIdentityProviders).toEqual([
      { ClientId: { Ref: 'ConsoleUserPoolClient' }, ProviderName: { 'Fn::GetAtt': ['ConsoleUserPool', 'ProviderName'] }, ServerSideTokenCheck: true },
    ]);
    const attachment = props('ConsoleIdentityPoolRoles');
    expect(attachment.IdentityPoolId).toEqual({ Ref: 'ConsoleIdentityPool' });
    // no default authenticated role: someone in no group gets nothing
    expect(attachment.Roles).toBeUndefined();
    expect(Object.values(attachment.RoleMappings)).toEqual([
      {
        IdentityProvider: { 'Fn::Sub': 'cognito-idp.${AWS::Region}.amazonaws.com/${ConsoleUserPool}:${ConsoleUserPoolClient}' },
        Type: 'Token',
        AmbiguousRoleResolution: 'Deny',
      },
    ]);
    for (const role of ['ConsoleViewerRole', 'ConsoleOperatorRole']) {
      expect(props(role).AssumeRolePolicyDocument.Statement).toEqual([
        {
          Effect: 'Allow',
          Principal: { Federated: 'cognito-identity.amazonaws.com' },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {
            StringEquals: { 'cognito-identity.amazonaws.com:aud': { Ref: 'ConsoleIdentityPool' } },
            'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' },
          },
        },
      ]);
    }
  });

  it("lets the viewer invoke exactly the GET routes and the operator exactly every route, of this API's stage", () => {
    expect(routes.length).toBe(API_FUNCTIONS.length);
    const gets = routes
      .filter((r) => r.method === 'GET')
      .map(routeArn)
      .sort();
    expect(gets).toContain('arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${HttpApi}/$default/GET/clusters/*/upgrades/*/events');
    expect(invokeResources('ConsoleViewerRole')).toEqual(gets);
    expect(invokeResources('ConsoleOperatorRole')).toEqual(routes.map(routeArn).sort());
    expect([...new Set(['ConsoleViewerRole', 'ConsoleOperatorRole'].flatMap(statementsOf).map((s) => s.Action))]).toEqual(['execute-api:Invoke']);
    expect(consoleRoleProblems(template, routes)).toEqual([]);
  });

  it('is reported when a route is added without its grant, or the viewer may change something', () => {
    const added = [...routes, { fn: 'getNodeLog', method: 'GET', path: '/clusters/{clusterId}/upgrades/{upgradeId}/node-log', module: '', exportName: '' }];
    expect(consoleRoleProblems(template, added).sort()).toEqual([
      expect.stringMatching(/^ConsoleOperatorRole \(operator\): may not invoke .*GET\/clusters\/\*\/upgrades\/\*\/node-log$/),
      expect.stringMatching(/^ConsoleViewerRole \(viewer\): may not invoke .*GET\/clusters\/\*\/upgrades\/\*\/node-log$/),
    ]);
    const doctored = structuredClone(template);
    const viewer = (doctored.Resources.ConsoleViewerRole!.Properties as any).Policies[0].PolicyDocument.Statement[0];
    viewer.Resource.push({ 'Fn::Sub': routeArn({ method: 'POST', path: '/clusters/{clusterId}/upgrades/{upgradeId}/cancel' }) });
    expect(consoleRoleProblems(doctored, routes)).toEqual([
      expect.stringMatching(/^ConsoleViewerRole \(viewer\): may invoke what is not its routes: .*POST\/clusters\/\*\/upgrades\/\*\/cancel$/),
    ]);
    const loose = structuredClone(template);
    delete (loose.Resources.ConsoleOperatorRole!.Properties as any).AssumeRolePolicyDocument.Statement[0].Condition['ForAnyValue:StringLike'];
    expect(consoleRoleProblems(loose, routes)).toEqual(["ConsoleOperatorRole: not assumable only by authenticated identities of this stack's identity pool"]);
  });

  it("lets the console's origin call the API with the signing headers (CORS)", () => {
    expect(props('HttpApi').CorsConfiguration).toEqual({
      AllowOrigins: [{ 'Fn::Sub': 'https://${ConsoleDistribution.DomainName}' }],
      AllowMethods: ['GET', 'POST', 'PUT', 'DELETE'],
      AllowHeaders: ['authorization', 'content-type', 'x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256'],
      MaxAge: 600,
    });
    // every method a route uses is allowed
    expect(new Set(routes.map((r) => r.method))).toEqual(new Set(props('HttpApi').CorsConfiguration.AllowMethods));
  });

  it('outputs what the publish script and the user need', () => {
    const outputs = (template as any).Outputs as Record<string, { Value: unknown }>;
    expect(outputs.ConsoleUrl!.Value).toEqual({ 'Fn::Sub': 'https://${ConsoleDistribution.DomainName}/' });
    expect(outputs.ConsoleCognitoDomain!.Value).toEqual({ 'Fn::Sub': '${ConsoleUserPoolDomain}.auth.${AWS::Region}.amazoncognito.com' });
    for (const [name, ref] of Object.entries({
      ConsoleUserPoolId: 'ConsoleUserPool',
      ConsoleUserPoolClientId: 'ConsoleUserPoolClient',
      ConsoleIdentityPoolId: 'ConsoleIdentityPool',
      ConsoleBucketName: 'ConsoleBucket',
      ConsoleDistributionId: 'ConsoleDistribution',
    })) {
      expect([name, outputs[name]?.Value]).toEqual([name, { Ref: ref }]);
    }
    expect(outputs.HttpApiUrl).toBeDefined();
  });
});
