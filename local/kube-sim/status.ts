/** Errors the simulated API server answers with, shaped as the real server's `Status` body. */
export type StatusReason =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'TooManyRequests'
  | 'Invalid'
  | 'BadRequest'
  | 'Unauthorized'
  | 'MethodNotAllowed'
  | 'UnsupportedMediaType'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'Expired'
  | 'Forbidden'
  | 'Timeout';

interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

interface ListMeta {
  continue?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
    /** the Status's list metadata: the continue token a 410 for a compacted one offers */
    readonly listMeta: ListMeta = {},
  ) {
    super(message);
  }

  toStatus(): Record<string, unknown> {
    return failureStatus(this.code, this.reason, this.message, this.details, this.listMeta);
  }
}

export function failureStatus(code: number, reason: StatusReason, message: string, details?: StatusDetails, listMeta: ListMeta = {}): Record<string, unknown> {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: listMeta,
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

export function successStatus(details: StatusDetails, code = 200): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details, code };
}

/** `pods "web-1" not found`, as kube-apiserver words it. */
export function notFound(resource: string, group: string, name: string): ApiError {
  const qualified = group ? `${resource}.${group}` : resource;
  return new ApiError(404, 'NotFound', `${qualified} "${name}" not found`, { name, group: group || undefined, kind: resource });
}

export function alreadyExists(resource: string, group: string, name: string): ApiError {
  const qualified = group ? `${resource}.${group}` : resource;
  return new ApiError(409, 'AlreadyExists', `${qualified} "${name}" already exists`, { name, group: group || undefined, kind: resource });
}

export function conflict(resource: string, group: string, name: string): ApiError {
  const qualified = group ? `${resource}.${group}` : resource;
  return new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualified} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    { name, group: group || undefined, kind: resource },
  );
}

export function invalid(kind: string, name: string, message: string, field?: string): ApiError {
  return new ApiError(422, 'Invalid', `${kind} "${name}" is invalid: ${field ? `${field}: ` : ''}${message}`, {
    name,
    kind,
    causes: [{ reason: 'FieldValueInvalid', message, field }],
  });
}

/** Several field errors at once: `Event.events.k8s.io "x" is invalid: [eventTime: Required value, …]`. */
export function invalidFields(qualifiedKind: string, kind: string, name: string, causes: { field: string; message: string; reason?: string }[]): ApiError {
  const text = causes.map((c) => `${c.field}: ${c.message}`);
  return new ApiError(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${text.length === 1 ? text[0] : `[${text.join(', ')}]`}`, {
    name,
    kind,
    causes: causes.map((c) => ({ reason: c.reason ?? 'FieldValueInvalid', message: c.message, field: c.field })),
  });
}

/** NamespaceLifecycle admission's refusal of new content in a namespace being deleted. */
export function namespaceTerminating(resource: string, group: string, name: string, namespace: string): ApiError {
  const qualified = group ? `${resource}.${group}` : resource;
  return new ApiError(
    403,
    'Forbidden',
    `${qualified} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
    {
      name,
      group: group || undefined,
      kind: resource,
      causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }],
    },
  );
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}
