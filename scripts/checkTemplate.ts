// Checks on the packaged CloudFormation template (.serverless/cloudformation-template-update-stack.json).
// Pure functions, so tests can feed them doctored templates; run as a script
// (`tsx scripts/checkTemplate.ts [template]`) it prints every problem and exits 1.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { readRouteTable, type DeclaredRoute } from '../src/api/declaredRoutes.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
export type Template = { Resources: Record<string, { Type: string; Properties?: JsonObject; [key: string]: Json | undefined }> };

type AslResult = { isValid: boolean; errorsText(separator?: string): string };
// asl-validator is CommonJS without type declarations.
const aslValidator = createRequire(import.meta.url)('asl-validator') as (definition: unknown, opts?: object) => AslResult;

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Validates ASL. The default options also accept `${Name}` DefinitionSubstitutions placeholders as Resources. */
export function validateAsl(definition: unknown): string[] {
  // asl-validator writes QueryLanguage into the states it checks; give it a copy.
  const result = aslValidator(structuredClone(definition), { checkPaths: true, checkArn: true });
  return result.isValid ? [] : result.errorsText('\n').split('\n');
}

/** Every state of a definition, nested Parallel branches and Map processors included. */
export function allStates(definition: unknown): Array<[string, JsonObject]> {
  const out: Array<[string, JsonObject]> = [];
  const visit = (machine: unknown) => {
    if (!isObject(machine) || !isObject(machine.States)) return;
    for (const [name, state] of Object.entries(machine.States)) {
      if (!isObject(state)) continue;
      out.push([name, state]);
      for (const branch of asList(state.Branches as Json[] | undefined)) visit(branch);
      visit(state.ItemProcessor ?? state.Iterator);
    }
  };
  visit(definition);
  return out;
}

/**
 * Applies DefinitionSubstitutions the way CloudFormation does. `resolve`
 * stands in for CloudFormation's intrinsic functions (tests map a GetAtt to a
 * fake ARN naming the resource).
 */
export function substitute(definition: unknown, substitutions: JsonObject, resolve: (value: Json) => string): unknown {
  const text = JSON.stringify(definition).replace(/\$\{([A-Za-z0-9_]+)\}/g, (whole, name: string) => {
    const value = substitutions[name];
    if (value === undefined) return whole;
    // The value lands inside a JSON string literal; escape it as one.
    return JSON.stringify(typeof value === 'string' ? value : resolve(value)).slice(1, -1);
  });
  return JSON.parse(text);
}

const FAKE_ARN_PREFIX = 'arn:aws:lambda:us-east-1:123456789012:function:';
/** A fake ARN for `Fn::GetAtt [LogicalId, Arn]`, carrying the logical id so it can be traced back. */
export function fakeArn(value: Json): string {
  const getAtt = isObject(value) ? value['Fn::GetAtt'] : undefined;
  if (Array.isArray(getAtt) && getAtt[1] === 'Arn') return FAKE_ARN_PREFIX + String(getAtt[0]);
  throw new Error(`cannot resolve substitution value ${JSON.stringify(value)}`);
}

export function stateMachines(template: Template): Array<[string, JsonObject]> {
  return Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine')
    .map(([id, r]) => [id, r.Properties ?? {}]);
}

/** Problems with a state machine: invalid ASL after substitution, placeholders left over, Tasks naming no Lambda of this template. */
export function stateMachineProblems(template: Template, id: string): string[] {
  const props = template.Resources[id]?.Properties ?? {};
  if (!isObject(props.Definition)) return [`${id}: no inline Definition`];
  const substitutions = isObject(props.DefinitionSubstitutions) ? props.DefinitionSubstitutions : {};
  const definition = substitute(props.Definition, substitutions, fakeArn);
  const problems = validateAsl(definition).map((e) => `${id}: ${e}`);
  for (const leftover of JSON.stringify(definition).match(/\$\{[^}]*\}/g) ?? []) problems.push(`${id}: unresolved placeholder ${leftover}`);
  const invoked = taskFunctions(definition).map((fn) => (fn.startsWith(FAKE_ARN_PREFIX) ? fn.slice(FAKE_ARN_PREFIX.length) : fn));
  for (const fn of invoked) {
    if (template.Resources[fn]?.Type !== 'AWS::Lambda::Function') problems.push(`${id}: Task invokes ${fn}, which is not a function of this template`);
  }
  // The role should be able to invoke exactly the Tasks' functions: missing ones fail at run time, extra ones are excess privilege.
  const allowed = invokableBy(template, props.RoleArn);
  const missing = invoked.filter((fn) => !allowed.includes(fn));
  const extra = allowed.filter((fn) => !invoked.includes(fn));
  if (missing.length) problems.push(`${id}: its role may not invoke ${missing.join(', ')}`);
  if (extra.length) problems.push(`${id}: its role may invoke functions no Task uses: ${extra.join(', ')}`);
  return problems;
}

/** Logical ids of the functions a role (given as `Fn::GetAtt [Role, Arn]`) may lambda:InvokeFunction. */
function invokableBy(template: Template, roleArn: Json | undefined): string[] {
  const getAtt = isObject(roleArn) ? roleArn['Fn::GetAtt'] : undefined;
  const role = Array.isArray(getAtt) ? template.Resources[String(getAtt[0])] : undefined;
  const ids: string[] = [];
  for (const policy of asList(role?.Properties?.Policies as Json[] | undefined)) {
    const document = isObject(policy) && isObject(policy.PolicyDocument) ? policy.PolicyDocument : {};
    for (const statement of asList(document.Statement as Json | Json[] | undefined)) {
      if (!isObject(statement) || statement.Effect !== 'Allow' || !asList(statement.Action as Json | Json[]).includes('lambda:InvokeFunction')) continue;
      for (const resource of asList(statement.Resource as Json | Json[] | undefined)) {
        const target = isObject(resource) ? resource['Fn::GetAtt'] : undefined;
        if (Array.isArray(target)) ids.push(String(target[0]));
      }
    }
  }
  return ids;
}

/** The functions the Tasks of a (substituted) definition invoke, direct ARNs or `lambda:invoke` FunctionName. */
export function taskFunctions(definition: unknown): string[] {
  const names = new Set<string>();
  for (const [, state] of allStates(definition)) {
    if (state.Type !== 'Task' || typeof state.Resource !== 'string') continue;
    if (state.Resource.startsWith('arn:aws:states:::lambda:invoke')) {
      const params = isObject(state.Parameters) ? state.Parameters : {};
      names.add(String(params.FunctionName ?? params['FunctionName.$']));
    } else if (!state.Resource.startsWith('arn:aws:states:::')) {
      names.add(state.Resource);
    }
  }
  return [...names];
}

/** Every policy document in the template, wherever it sits (roles, managed policies, bucket policies, ...). */
export function policyDocuments(template: Template): Array<{ where: string; document: JsonObject }> {
  const out: Array<{ where: string; document: JsonObject }> = [];
  const walk = (node: Json | undefined, where: string) => {
    if (Array.isArray(node)) node.forEach((n, i) => walk(n, `${where}[${i}]`));
    if (!isObject(node)) return;
    for (const [key, value] of Object.entries(node)) {
      if ((key === 'PolicyDocument' || key === 'AssumeRolePolicyDocument') && isObject(value)) out.push({ where: `${where}.${key}`, document: value });
      else walk(value, `${where}.${key}`);
    }
  };
  for (const [id, resource] of Object.entries(template.Resources)) walk(resource.Properties, id);
  return out;
}

/** Stands for a Ref, a GetAtt or anything else the checker cannot resolve: opaque, and never a wildcard. */
export const OPAQUE = '<ref>';

/**
 * The text an IAM Resource or Action value amounts to: Fn::Join and Fn::Sub
 * (string and [string, variables] forms) are resolved, so a `*` cannot hide
 * inside them; Refs, GetAtts and other intrinsics become OPAQUE.
 */
export function resolveText(value: Json | undefined): string {
  if (typeof value === 'string') return value;
  if (!isObject(value)) return OPAQUE;
  const join = value['Fn::Join'];
  if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) return join[1].map(resolveText).join(join[0]);
  const sub = value['Fn::Sub'];
  const [text, variables] = Array.isArray(sub) ? [sub[0], isObject(sub[1]) ? sub[1] : {}] : [sub, {}];
  if (typeof text === 'string') {
    // `${!Name}` is CloudFormation's escape for a literal `${Name}`.
    return text.replace(/\$\{(!?)([^}]*)\}/g, (_, bang: string, name: string) =>
      bang ? `\${${name}}` : name in variables ? resolveText(variables[name]) : OPAQUE,
    );
  }
  return OPAQUE;
}

const WILDCARD = /[*?]/;
/** Cluster credentials are secrets named kupgrade/...; nothing else of the account's. */
const KUPGRADE_SECRETS = /^arn:[^:]+:secretsmanager:[^:]+:[^:]+:secret:kupgrade\/[a-z0-9-]+\/\*$/;
const ARN_FIELDS = ['partition', 'service', 'region', 'account'];
/**
 * The only wildcard resources the template may grant, each confined to
 * something of this stack (found by reading the packaged template).
 */
const SCOPED_WILDCARDS = [
  // OPAQUE is `<ref>`.
  /^<ref>\/index\/\*$/, // `${Table.Arn}/index/*`: a table's own indexes
  KUPGRADE_SECRETS,
  /^arn:[^:]+:states:[^:]+:[^:]+:execution:[^*?:]+:\*$/, // executions of one named state machine
  /^arn:[^:]+:scheduler:[^:]+:[^:]+:schedule\/[^*?/]+\/\*$/, // schedules in one named group
  // one route of one API's $default stage: a method, and `*` only as a whole path segment (a {param})
  /^arn:[^:]+:execute-api:[^:*?]+:[^:*?]+:<ref>\/\$default\/(GET|POST|PUT|PATCH|DELETE)(\/([A-Za-z0-9._-]+|\*))+$/,
];

/**
 * A bucket read by one CloudFront distribution through origin access control:
 * every object of the bucket, but only for CloudFront acting for that
 * distribution (the AWS:SourceArn condition), and only s3:GetObject.
 */
function isDistributionRead(statement: JsonObject): boolean {
  const principal = isObject(statement.Principal) ? statement.Principal : {};
  const condition = isObject(statement.Condition) && isObject(statement.Condition.StringEquals) ? statement.Condition.StringEquals : {};
  const actions = asList(statement.Action as Json | Json[] | undefined);
  const sourceArn = resolveText(condition['AWS:SourceArn']);
  return (
    principal.Service === 'cloudfront.amazonaws.com' &&
    actions.length === 1 &&
    actions[0] === 's3:GetObject' &&
    /^arn:[^:]+:cloudfront::[^:*?]+:distribution\/[^*?]+$/.test(sourceArn)
  );
}

/** What is wrong with one resolved Resource, if anything. */
function resourceProblem(text: string): string | undefined {
  if (text.trim() === '*') return 'Resource "*"';
  if (!WILDCARD.test(text)) return undefined;
  if (text.startsWith('arn:')) {
    const fields = text.split(':');
    const field = ARN_FIELDS.find((_, i) => WILDCARD.test(fields[i + 1] ?? ''));
    if (field) return `wildcard ${field} in Resource "${text}"`;
  }
  return SCOPED_WILDCARDS.some((scoped) => scoped.test(text)) ? undefined : `unscoped wildcard Resource "${text}"`;
}

/**
 * Wildcard grants: an Allow statement with an action containing `*`, a
 * Resource that is `*` or has a wildcard outside SCOPED_WILDCARDS (after
 * resolving Fn::Join/Fn::Sub), NotAction/NotResource (which grant everything
 * else), and managed policies attached to roles (their grants are not in the
 * template, so nothing here could check them). Deny statements only take
 * rights away, so wildcards there are fine (the deployment bucket denies
 * `s3:*` without TLS).
 */
export function iamViolations(template: Template): string[] {
  const problems: string[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    const managed = resource.Properties?.ManagedPolicyArns;
    if (asList(managed as Json | Json[] | undefined).length) problems.push(`${id}: ManagedPolicyArns ${JSON.stringify(managed)}`);
  }
  for (const { where, document } of policyDocuments(template)) {
    asList(document.Statement as Json | Json[] | undefined).forEach((statement, i) => {
      if (!isObject(statement) || statement.Effect === 'Deny') return;
      const at = `${where}.Statement[${i}]`;
      for (const action of asList(statement.Action as Json | Json[] | undefined).map(resolveText)) {
        if (WILDCARD.test(action)) problems.push(`${at}: wildcard action "${action}"`);
      }
      for (const resource of asList(statement.Resource as Json | Json[] | undefined)) {
        const text = resolveText(resource);
        if (text === `${OPAQUE}/*` && isDistributionRead(statement)) continue;
        const problem = resourceProblem(text);
        if (problem) problems.push(`${at}: ${problem}`);
      }
      if ('NotAction' in statement) problems.push(`${at}: Allow with NotAction`);
      if ('NotResource' in statement) problems.push(`${at}: Allow with NotResource`);
    });
  }
  return problems;
}

/**
 * Every Allow statement with any secretsmanager action (arrays and mixed
 * statements included) may name only KUPGRADE_SECRETS, or it would reach
 * other secrets of the account.
 */
export function secretProblems(template: Template): string[] {
  const problems: string[] = [];
  for (const { where, document } of policyDocuments(template)) {
    asList(document.Statement as Json | Json[] | undefined).forEach((statement, i) => {
      if (!isObject(statement) || statement.Effect === 'Deny') return;
      // IAM action names are case-insensitive.
      if (!asList(statement.Action as Json | Json[] | undefined).some((a) => resolveText(a).toLowerCase().startsWith('secretsmanager:'))) return;
      for (const resource of asList(statement.Resource as Json | Json[] | undefined).map(resolveText)) {
        if (!KUPGRADE_SECRETS.test(resource)) problems.push(`${where}.Statement[${i}]: secretsmanager on "${resource}", outside kupgrade/<stage>/`);
      }
    });
  }
  return problems;
}

/** Every log group must expire its events; without RetentionInDays CloudWatch keeps (and bills) them forever. */
export function logGroupProblems(template: Template): string[] {
  return Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::Logs::LogGroup' && typeof r.Properties?.RetentionInDays !== 'number')
    .map(([id]) => `${id}: no RetentionInDays`);
}

/** The DynamoDB tables must keep TTL on expiresAt and a NEW_AND_OLD_IMAGES stream (the expiry handler reads REMOVE images). */
export function tableProblems(template: Template): string[] {
  const tables = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::DynamoDB::Table');
  if (tables.length === 0) return ['no DynamoDB table'];
  return tables.flatMap(([id, r]) => {
    const p = r.Properties ?? {};
    const ttl = isObject(p.TimeToLiveSpecification) ? p.TimeToLiveSpecification : {};
    const stream = isObject(p.StreamSpecification) ? p.StreamSpecification : {};
    const problems: string[] = [];
    if (ttl.AttributeName !== 'expiresAt' || ttl.Enabled !== true) problems.push(`${id}: TTL is not enabled on expiresAt`);
    if (stream.StreamViewType !== 'NEW_AND_OLD_IMAGES') problems.push(`${id}: stream is not NEW_AND_OLD_IMAGES`);
    return problems;
  });
}

/** The ARN an IAM policy names a route by, as the Fn::Sub text serverless.yml writes: a `{param}` path segment becomes `*`. */
export function routeArn(route: Pick<DeclaredRoute, 'method' | 'path'>): string {
  const path = route.path.replace(/\{[^}]+\}/g, '*');
  return `arn:\${AWS::Partition}:execute-api:\${AWS::Region}:\${AWS::AccountId}:\${HttpApi}/$default/${route.method}${path}`;
}

/** Who may do what in the console: the group's name, and which routes its role may invoke. */
const CONSOLE_GROUPS: Record<string, (route: DeclaredRoute) => boolean> = {
  viewer: (route) => route.method === 'GET',
  operator: () => true,
};

/** The roles an identity pool hands out (assumable by cognito-identity.amazonaws.com). */
function identityPoolRoles(template: Template): string[] {
  return Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::IAM::Role' && JSON.stringify(r.Properties?.AssumeRolePolicyDocument ?? {}).includes('cognito-identity.amazonaws.com'))
    .map(([id]) => id);
}

/**
 * The console's roles: each group (viewer, operator) maps to a role that
 * only an authenticated identity of this stack's identity pool can assume,
 * and that may execute-api:Invoke exactly its routes of the route table
 * (viewer: the GET ones; operator: all), each by its full ARN, and nothing else.
 */
export function consoleRoleProblems(template: Template, routes: DeclaredRoute[]): string[] {
  const problems: string[] = [];
  const groups = new Map<string, string>();
  for (const [id, r] of Object.entries(template.Resources)) {
    if (r.Type !== 'AWS::Cognito::UserPoolGroup') continue;
    const getAtt = isObject(r.Properties?.RoleArn) ? r.Properties.RoleArn['Fn::GetAtt'] : undefined;
    if (!Array.isArray(getAtt) || getAtt[1] !== 'Arn') problems.push(`${id}: RoleArn is not a role of this template`);
    else groups.set(String(r.Properties?.GroupName), String(getAtt[0]));
  }
  const pools = Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::Cognito::IdentityPool')
    .map(([id]) => id);
  for (const name of Object.keys(CONSOLE_GROUPS)) if (!groups.has(name)) problems.push(`no user pool group ${name}`);
  for (const id of identityPoolRoles(template))
    if (![...groups.values()].includes(id)) problems.push(`${id}: assumable by the identity pool, but no console group's role`);
  for (const [name, roleId] of groups) {
    const allowedRoutes = CONSOLE_GROUPS[name];
    const role = template.Resources[roleId];
    if (!allowedRoutes) {
      problems.push(`group ${name}: not a console group (${Object.keys(CONSOLE_GROUPS).join(', ')})`);
      continue;
    }
    if (role?.Type !== 'AWS::IAM::Role') {
      problems.push(`group ${name}: ${roleId} is not a role`);
      continue;
    }
    const trust = asList((isObject(role.Properties?.AssumeRolePolicyDocument) ? role.Properties.AssumeRolePolicyDocument.Statement : []) as Json | Json[]);
    const trusted =
      trust.length === 1 &&
      trust.every((st) => {
        if (!isObject(st) || st.Effect !== 'Allow' || st.Action !== 'sts:AssumeRoleWithWebIdentity') return false;
        const principal = isObject(st.Principal) ? st.Principal : {};
        const condition = isObject(st.Condition) ? st.Condition : {};
        const aud = isObject(condition.StringEquals) ? condition.StringEquals['cognito-identity.amazonaws.com:aud'] : undefined;
        const amr = isObject(condition['ForAnyValue:StringLike']) ? condition['ForAnyValue:StringLike']['cognito-identity.amazonaws.com:amr'] : undefined;
        const audPool = isObject(aud) ? aud.Ref : undefined;
        return principal.Federated === 'cognito-identity.amazonaws.com' && typeof audPool === 'string' && pools.includes(audPool) && amr === 'authenticated';
      });
    if (!trusted) problems.push(`${roleId}: not assumable only by authenticated identities of this stack's identity pool`);
    const invoked: string[] = [];
    for (const policy of asList(role.Properties?.Policies as Json[] | undefined)) {
      const document = isObject(policy) && isObject(policy.PolicyDocument) ? policy.PolicyDocument : {};
      for (const st of asList(document.Statement as Json | Json[] | undefined)) {
        if (!isObject(st) || st.Effect !== 'Allow') continue;
        const actions = asList(st.Action as Json | Json[] | undefined);
        if (actions.some((a) => a !== 'execute-api:Invoke')) problems.push(`${roleId}: grants ${actions.filter((a) => a !== 'execute-api:Invoke').join(', ')}`);
        for (const resource of asList(st.Resource as Json | Json[] | undefined)) {
          const sub = isObject(resource) ? resource['Fn::Sub'] : undefined;
          invoked.push(typeof sub === 'string' ? sub : JSON.stringify(resource));
        }
      }
    }
    const expected = routes.filter(allowedRoutes).map(routeArn);
    const missing = expected.filter((arn) => !invoked.includes(arn));
    const extra = invoked.filter((arn) => !expected.includes(arn));
    if (missing.length) problems.push(`${roleId} (${name}): may not invoke ${missing.join(', ')}`);
    if (extra.length) problems.push(`${roleId} (${name}): may invoke what is not its routes: ${extra.join(', ')}`);
  }
  return problems;
}

export function checkTemplate(template: Template, routes: DeclaredRoute[] = readRouteTable()): string[] {
  const machines = stateMachines(template);
  return [
    ...(machines.length ? machines.flatMap(([id]) => stateMachineProblems(template, id)) : ['no state machine']),
    ...tableProblems(template),
    ...logGroupProblems(template),
    ...iamViolations(template),
    ...secretProblems(template),
    ...consoleRoleProblems(template, routes),
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const path = process.argv[2] ?? '.serverless/cloudformation-template-update-stack.json';
  const problems = checkTemplate(JSON.parse(readFileSync(path, 'utf8')) as Template);
  for (const p of problems) console.error(p);
  console.log(problems.length ? `${path}: ${problems.length} problem(s)` : `${path}: ok`);
  process.exit(problems.length ? 1 : 0);
}
