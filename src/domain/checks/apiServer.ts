import { fail, pass, warn, type CheckRule } from './result.js';

/** The API server answers and says it is ready: every other check reads through it. */
export const apiServer: CheckRule = ({ snapshot: s }) => {
  const name = 'api-server';
  if (!s.serverVersion.ok) {
    return fail(
      name,
      `the API server could not be read: ${s.serverVersion.reason}`,
      'check the cluster endpoint, the network path and the kubeconfig credentials',
    );
  }
  if (!s.readyz.ok) {
    return warn(
      name,
      `the API server answers (version ${s.serverVersion.value}) but /readyz could not be read: ${s.readyz.reason}`,
      'allow the credentials to get /readyz, or check the API server readiness by hand',
    );
  }
  if (!s.readyz.value.ok) {
    const failed = s.readyz.value.failed.length ? s.readyz.value.failed.join(', ') : 'no detail';
    return fail(
      name,
      `the API server is not ready: /readyz reports failed checks: ${failed}`,
      'repair the failing API server checks (often etcd), then run the check again',
    );
  }
  return pass(name, `the API server answers and is ready (version ${s.serverVersion.value})`);
};
