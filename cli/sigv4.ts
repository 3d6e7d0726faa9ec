import { Sha256 } from '@aws-crypto/sha256-js';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { SignatureV4 } from '@smithy/signature-v4';

/** Where the keys come from; tests give their own. */
type Credentials = ReturnType<typeof fromNodeProviderChain>;

/**
 * Signs each request for API Gateway (service execute-api) with credentials from
 * the standard AWS chain: environment, SSO, the shared files' profile, process,
 * web identity, container or instance role. The signature covers the method, the
 * path and query, the Host header and the body's SHA-256.
 */
export function sigV4Signer(opts: { region: string; profile?: string; credentials?: Credentials }) {
  const signer = new SignatureV4({
    service: 'execute-api',
    region: opts.region,
    credentials: opts.credentials ?? fromNodeProviderChain(opts.profile ? { profile: opts.profile } : {}),
    sha256: Sha256,
  });
  return async (request: Request): Promise<Request> => {
    const url = new URL(request.url);
    const body = request.body ? await request.clone().text() : undefined;
    const headers: Record<string, string> = { host: url.host };
    request.headers.forEach((value, name) => (headers[name] = value));
    const signed = await signer.sign({
      method: request.method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      body,
    });
    // fetch sets Host from the URL itself (the same value that was signed)
    const { host: _host, ...sent } = signed.headers;
    return new Request(request.url, { method: request.method, headers: sent, body, signal: request.signal });
  };
}
