// A small model of Kubernetes RBAC, enough to judge manifests/rbac.yaml:
// request attributes from a request's method and path (as the API server's
// RequestInfoFactory derives them), and the authorizer's rule matching.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
  verbs: string[];
}

interface Meta {
  name: string;
  namespace?: string;
}
export interface RbacObject {
  apiVersion: string;
  kind: string;
  metadata: Meta & { labels?: Record<string, string> };
  rules?: PolicyRule[];
  roleRef?: { apiGroup: string; kind: string; name: string };
  subjects?: { kind: string; name: string; namespace?: string }[];
}

interface ResourceAttributes {
  kind: 'resource';
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  /** undefined: a cluster-scoped request (a cluster-scoped object, or a list across all namespaces) */
  namespace?: string;
  name?: string;
}
interface NonResourceAttributes {
  kind: 'nonResource';
  verb: string;
  path: string;
}
export type Attributes = ResourceAttributes | NonResourceAttributes;

export const describeAttributes = (a: Attributes): string =>
  a.kind === 'nonResource'
    ? `${a.verb} ${a.path}`
    : `${a.verb} ${a.group || 'core'}/${a.resource}${a.subresource ? `/${a.subresource}` : ''}${a.namespace ? ` in ${a.namespace}` : ' (cluster-wide)'}${a.name ? ` name=${a.name}` : ''}`;

export function loadManifest(path: string): RbacObject[] {
  return parseAllDocuments(readFileSync(path, 'utf8'))
    .map((d) => {
      if (d.errors.length) throw new Error(`${path}: ${d.errors.map((e) => e.message).join('; ')}`);
      return d.toJS() as RbacObject | null;
    })
    .filter((o): o is RbacObject => o !== null);
}

/** The attributes the API server authorizes for one request (k8s.io/apiserver RequestInfoFactory, the parts kupgrade uses). */
export function requestAttributes(method: string, path: string, query: Record<string, string> = {}): Attributes {
  const parts = path.split('/').filter(Boolean);
  const lower = method.toLowerCase();
  let rest: string[];
  let group: string;
  if (parts[0] === 'api' && parts.length >= 2) {
    group = '';
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 3) {
    group = parts[1]!;
    rest = parts.slice(3);
  } else {
    return { kind: 'nonResource', verb: lower === 'head' ? 'get' : lower, path: '/' + parts.join('/') };
  }
  if (rest.length === 0) return { kind: 'nonResource', verb: 'get', path: '/' + parts.join('/') };
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  } else if (rest[0] === 'namespaces' && rest.length === 2) {
    // /api/v1/namespaces/{name}: the namespace object itself
    namespace = rest[1];
  }
  const [resource, name, subresource] = rest as [string, string?, string?];
  let verb: string;
  switch (method.toUpperCase()) {
    case 'GET':
    case 'HEAD':
      verb = name ? 'get' : query.watch === 'true' || query.watch === '1' ? 'watch' : 'list';
      break;
    case 'POST':
      verb = 'create';
      break;
    case 'PUT':
      verb = 'update';
      break;
    case 'PATCH':
      verb = 'patch';
      break;
    case 'DELETE':
      verb = name ? 'delete' : 'deletecollection';
      break;
    default:
      verb = lower;
  }
  return { kind: 'resource', verb, group, resource, subresource, namespace, name };
}

const has = (list: string[] | undefined, value: string) => (list ?? []).includes('*') || (list ?? []).includes(value);

/** One rule against one request, as the RBAC authorizer matches them (k8s.io/kubernetes/plugin/pkg/auth/authorizer/rbac). */
function ruleAllows(rule: PolicyRule, a: Attributes): boolean {
  if (!has(rule.verbs, a.verb)) return false;
  if (a.kind === 'nonResource') {
    return (rule.nonResourceURLs ?? []).some((u) => u === '*' || u === a.path || (u.endsWith('*') && a.path.startsWith(u.slice(0, -1))));
  }
  if (rule.nonResourceURLs?.length) return false;
  if (!has(rule.apiGroups, a.group)) return false;
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  if (!(rule.resources ?? []).some((r) => r === '*' || r === combined || (a.subresource && r === `*/${a.subresource}`))) return false;
  if (rule.resourceNames?.length) return !!a.name && rule.resourceNames.includes(a.name);
  return true;
}

export interface Grant {
  /** where the rule applies: '*' for a ClusterRole bound cluster-wide, else the RoleBinding's namespace */
  scope: string;
  role: string;
  rule: PolicyRule;
}

/** Every rule granted to the ServiceAccount, with where it applies. */
export function grantsFor(objects: RbacObject[], sa: { name: string; namespace: string }): Grant[] {
  const isSubject = (b: RbacObject) => (b.subjects ?? []).some((s) => s.kind === 'ServiceAccount' && s.name === sa.name && s.namespace === sa.namespace);
  const find = (kind: string, name: string, namespace?: string) =>
    objects.find((o) => o.kind === kind && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace));
  const out: Grant[] = [];
  for (const b of objects.filter((o) => o.kind === 'ClusterRoleBinding' && isSubject(o))) {
    const role = find('ClusterRole', b.roleRef!.name);
    for (const rule of role?.rules ?? []) out.push({ scope: '*', role: `ClusterRole/${b.roleRef!.name}`, rule });
  }
  for (const b of objects.filter((o) => o.kind === 'RoleBinding' && isSubject(o))) {
    const ns = b.metadata.namespace!;
    const role = b.roleRef!.kind === 'ClusterRole' ? find('ClusterRole', b.roleRef!.name) : find('Role', b.roleRef!.name, ns);
    for (const rule of role?.rules ?? []) out.push({ scope: ns, role: `${b.roleRef!.kind}/${b.roleRef!.name}`, rule });
  }
  return out;
}

export function grantAllows(g: Grant, a: Attributes): boolean {
  // as in the API server, GET /api/v1/namespaces/x has namespace x, so a Role in x may read x itself
  if (g.scope !== '*' && (a.kind === 'nonResource' || a.namespace !== g.scope)) return false;
  return ruleAllows(g.rule, a);
}

export const allowed = (grants: Grant[], a: Attributes): boolean => grants.some((g) => grantAllows(g, a));
