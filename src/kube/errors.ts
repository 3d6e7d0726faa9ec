import { KupgradeError } from '../domain/errors.js';

/**
 * Failures talking to a target cluster. Each names the cluster URL and says
 * what to do; `name` is `Kupgrade.<reason>` so the state machine can match it.
 */
export class ClusterUnreachableError extends KupgradeError {
  constructor(
    readonly server: string,
    detail: string,
    cause?: unknown,
    reason = 'ClusterUnreachable',
    remedy?: string,
  ) {
    super(reason, {
      message: `the Kubernetes API server at ${server} is unreachable: ${detail}`,
      remedy:
        remedy ??
        `check that the API server at ${server} is up and reachable from kupgrade (network path, security groups, endpoint URL in the kubeconfig), then resume`,
      cause,
    });
  }
}

/** The server's certificate did not verify against the kubeconfig's CA: a wrong CA or a wrong endpoint, not a transient outage. */
export class ClusterTlsError extends ClusterUnreachableError {
  constructor(server: string, detail: string, cause?: unknown) {
    super(
      server,
      `TLS verification failed (${detail})`,
      cause,
      'ClusterTlsFailed',
      `check that certificate-authority-data in the cluster's kubeconfig is the CA that signed the certificate of ${server}, and that the URL names the API server`,
    );
  }
}

/** 401: the credentials in the kubeconfig are missing, wrong or expired. */
export class ClusterUnauthorizedError extends KupgradeError {
  constructor(
    readonly server: string,
    detail = 'Unauthorized',
  ) {
    super('ClusterUnauthorized', {
      message: `the Kubernetes API server at ${server} rejected kupgrade's credentials (401 ${detail})`,
      remedy: `refresh the token or client certificate in the cluster's kubeconfig secret, then resume`,
    });
  }
}

/** 403: authenticated, but the identity lacks an RBAC permission kupgrade needs. */
export class ClusterForbiddenError extends KupgradeError {
  constructor(
    readonly server: string,
    detail: string,
  ) {
    super('ClusterForbidden', {
      message: `the Kubernetes API server at ${server} forbids a request kupgrade needs (403: ${detail})`,
      remedy:
        "grant kupgrade's identity cluster-admin, or at least: nodes get/list/patch, pods list/delete, pods/eviction create, namespaces get/create, jobs in kube-upgrade create/get/list/delete, poddisruptionbudgets list; then resume",
    });
  }
}

/** Any other unexpected answer; `code` and `statusReason` come from the server's Status. */
export class ClusterApiError extends KupgradeError {
  constructor(
    readonly server: string,
    readonly code: number,
    readonly statusReason: string | undefined,
    detail: string,
  ) {
    super('ClusterApiError', {
      message: `the Kubernetes API server at ${server} answered ${code}${statusReason ? ` ${statusReason}` : ''}: ${detail}`,
      remedy:
        code >= 500 || code === 429 ? 'the API server is struggling; resume once it is healthy' : 'inspect the cluster for the object named above, then resume',
    });
  }
}
