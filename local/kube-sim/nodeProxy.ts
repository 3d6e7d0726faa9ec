import type { IncomingMessage } from 'node:http';
import { ANNOTATION_SIM_SWAP } from './annotations.js';
import { isNodeReady } from './pods.js';
import type { Reply } from './rest.js';
import type { SimRuntime } from './runtime.js';
import { failureStatus } from './status.js';

/**
 * The kubelet's configz, as the API server proxies it
 * (GET /api/v1/nodes/{name}/proxy/configz). Swap follows the simulator-only
 * annotation kupgrade.io/sim-swap: "true" (failSwapOn false, LimitedSwap).
 * A NotReady node's kubelet does not answer, as on a real cluster.
 */
export function nodeProxyRoute(rt: SimRuntime): (url: URL, req: IncomingMessage) => Reply | undefined {
  return (url, req) => {
    const m = /^\/api\/v1\/nodes\/([^/]+)\/proxy\/configz$/.exec(url.pathname);
    if (!m || req.method !== 'GET') return undefined;
    const name = decodeURIComponent(m[1]!);
    const node = rt.store.get('nodes', undefined, name);
    if (!node) return { code: 404, body: failureStatus(404, 'NotFound', `nodes "${name}" not found`, { name, kind: 'nodes' }) };
    if (!isNodeReady(node)) {
      return {
        code: 503,
        body: failureStatus(503, 'ServiceUnavailable', `error trying to reach service: dial tcp ${name}:10250: connect: connection refused`),
      };
    }
    const swap = node.metadata.annotations?.[ANNOTATION_SIM_SWAP] === 'true';
    const kubeletconfig = {
      kind: 'KubeletConfiguration',
      apiVersion: 'kubelet.config.k8s.io/v1beta1',
      cgroupDriver: 'systemd',
      failSwapOn: !swap,
      memorySwap: swap ? { swapBehavior: 'LimitedSwap' } : {},
      maxPods: 110,
    };
    return { code: 200, body: { kubeletconfig } };
  };
}
