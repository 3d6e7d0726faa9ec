import { AwsV4Signer } from 'aws4fetch';

/** The identity pool's temporary credentials (GetCredentialsForIdentity). */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/**
 * Signs a request for execute-api with SigV4, for the host in its URL (the
 * execute-api host: the signature covers Host, so a CloudFront alias would
 * not verify). The body is read first, so its hash is signed (API Gateway
 * does not take UNSIGNED-PAYLOAD). Fits src/client/apiClient.ts's
 * `Auth = { sign: (request) => signRequest(request, credentials, region) }`.
 */
export async function signRequest(request: Request, credentials: Credentials, region: string): Promise<Request> {
  const body = request.method === 'GET' || request.method === 'HEAD' ? undefined : await request.clone().arrayBuffer();
  const signer = new AwsV4Signer({
    url: request.url,
    method: request.method,
    headers: request.headers,
    body,
    ...credentials,
    service: 'execute-api',
    region,
  });
  const signed = await signer.sign();
  return new Request(signed.url.toString(), { method: signed.method, headers: signed.headers, body: body ?? null });
}
