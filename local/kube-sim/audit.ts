/** One write the API server answered, and who made it. */
export interface AuditEntry {
  /** ISO time the answer was sent */
  at: string;
  /** the credential's name ("admin" for the default kubeconfig), or null when the request authenticated nobody */
  credential: string | null;
  /** the Kubernetes verb: create, update, patch, delete, deletecollection */
  verb: string;
  /** plural, with the subresource: pods, pods/eviction, nodes/status */
  resource: string;
  namespace?: string;
  name?: string;
  /** the HTTP status answered */
  code: number;
}

const VERBS: Record<string, string> = { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

/** The audit entry of a write, or undefined for a read or a path that names no resource. */
export function auditEntry(
  method: string,
  target: { resource: string; subresource?: string; namespace?: string; name?: string } | undefined,
  credential: string | undefined,
  code: number,
  createdName?: string,
): AuditEntry | undefined {
  const verb = VERBS[method];
  if (!verb || !target) return undefined;
  const name = target.name ?? createdName;
  return {
    at: new Date().toISOString(),
    credential: credential ?? null,
    verb: verb === 'delete' && !target.name ? 'deletecollection' : verb,
    resource: target.subresource ? `${target.resource}/${target.subresource}` : target.resource,
    ...(target.namespace ? { namespace: target.namespace } : {}),
    ...(name ? { name } : {}),
    code,
  };
}
