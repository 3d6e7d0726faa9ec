// undici as @kubernetes/client-node uses it (fetch, Agent, ProxyAgent), for the Lambda bundles
// (scripts/esbuildPlugins.cjs points `undici` here). undici is CommonJS, so esbuild cannot
// tree-shake its index: that pulls in the mock agents, the cache stores, WebSocket, EventSource
// and the interceptors, ~525 KB of a phase bundle. These three come from the files the index
// takes them from; `fetch` wraps the same way the index's does.
import agent from 'undici/lib/dispatcher/agent.js';
import proxyAgent from 'undici/lib/dispatcher/proxy-agent.js';
import fetchModule from 'undici/lib/web/fetch/index.js';

export const Agent = agent;
export const ProxyAgent = proxyAgent;

export function fetch(init, options = undefined) {
  return fetchModule.fetch(init, options).catch((err) => {
    if (err && typeof err === 'object') Error.captureStackTrace(err, fetch);
    throw err;
  });
}
