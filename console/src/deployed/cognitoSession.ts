import { authorizeUrl, createPkce, type HostedUi } from './pkce.js';
import type { Credentials } from './signRequest.js';

/** config.json of a deployed console (scripts/publishConsole.ts writes it from the stack's outputs). */
export interface CognitoConfig {
  apiUrl: string;
  region: string;
  userPoolId: string;
  clientId: string;
  identityPoolId: string;
  cognitoDomain: string;
}

/** What sign-in needs of the browser, passed in so it runs (and is tested) without one. */
export interface SignInEnv {
  fetch: typeof fetch;
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  /** the console's own URL: where the hosted UI sends the user back */
  redirectUri: string;
}

export interface SignedIn {
  credentials: Credentials;
  /** the user's Cognito groups: `operator` may act, anyone else only read */
  groups: string[];
  username: string;
}

const PENDING = 'kupgrade.signin';

const hostedUi = (c: CognitoConfig, env: SignInEnv): HostedUi => ({ cognitoDomain: c.cognitoDomain, clientId: c.clientId, redirectUri: env.redirectUri });

/** The hosted UI's address, after keeping the PKCE verifier and the state for the way back. */
export async function beginSignIn(config: CognitoConfig, env: SignInEnv): Promise<string> {
  const { verifier, challenge } = await createPkce();
  const state = crypto.randomUUID();
  env.storage.setItem(PENDING, JSON.stringify({ verifier, state }));
  return authorizeUrl(hostedUi(config, env), challenge, state);
}

function claims(idToken: string): Record<string, unknown> {
  const part = idToken.split('.')[1] ?? '';
  const json = atob(
    part
      .replace(/-/g, '+')
      .replace(/_/g, '/')
      .padEnd(Math.ceil(part.length / 4) * 4, '='),
  );
  return JSON.parse(json) as Record<string, unknown>;
}

async function post(env: SignInEnv, url: string, init: RequestInit, what: string): Promise<unknown> {
  const res = await env.fetch(url, { method: 'POST', ...init });
  const body = (await res.json().catch(() => ({}))) as { error?: string; message?: string; __type?: string };
  if (!res.ok) throw new Error(`${what} failed (${res.status} ${body.error ?? body.__type ?? ''}${body.message ? `: ${body.message}` : ''}): sign in again`);
  return body;
}

/**
 * Back from the hosted UI with `?code=…&state=…`: the code exchanged for
 * tokens (with the PKCE verifier), the ID token for an identity of the
 * identity pool, and that identity for temporary credentials of the role its
 * group maps to.
 */
export async function completeSignIn(config: CognitoConfig, env: SignInEnv, query: URLSearchParams): Promise<SignedIn> {
  const pending = JSON.parse(env.storage.getItem(PENDING) ?? 'null') as { verifier: string; state: string } | null;
  env.storage.removeItem(PENDING);
  const code = query.get('code');
  if (!pending || !code || query.get('state') !== pending.state) throw new Error('the sign-in came back without the state this tab sent: sign in again');

  const tokens = (await post(
    env,
    `https://${config.cognitoDomain}/oauth2/token`,
    {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: config.clientId,
        code,
        redirect_uri: env.redirectUri,
        code_verifier: pending.verifier,
      }),
    },
    'the token exchange',
  )) as { id_token: string };

  const identity = `https://cognito-identity.${config.region}.amazonaws.com/`;
  const logins = { [`cognito-idp.${config.region}.amazonaws.com/${config.userPoolId}`]: tokens.id_token };
  const call = (target: string, body: unknown) =>
    post(
      env,
      identity,
      { headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSCognitoIdentityService.${target}` }, body: JSON.stringify(body) },
      target,
    );
  const { IdentityId } = (await call('GetId', { IdentityPoolId: config.identityPoolId, Logins: logins })) as { IdentityId: string };
  const { Credentials: c } = (await call('GetCredentialsForIdentity', { IdentityId, Logins: logins })) as {
    Credentials: { AccessKeyId: string; SecretKey: string; SessionToken: string };
  };
  const who = claims(tokens.id_token);
  return {
    credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretKey, sessionToken: c.SessionToken },
    groups: Array.isArray(who['cognito:groups']) ? (who['cognito:groups'] as string[]) : [],
    username: String(who['cognito:username'] ?? who.email ?? 'signed in'),
  };
}
