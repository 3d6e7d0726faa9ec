import type { Auth } from '../../src/client/apiClient.js';
import { beginSignIn, completeSignIn, type CognitoConfig, type SignedIn } from './deployed/cognitoSession.js';
import { signRequest } from './deployed/signRequest.js';

/**
 * How the console authenticates, chosen in this one module from the
 * `config.json` its own origin serves:
 * - `{ "mode": "token" }` (the local stack; also when there is no config.json):
 *   a bearer token from the printed link `#token=…` or the login form, kept in
 *   sessionStorage for the tab's life.
 * - `{ "mode": "cognito", apiUrl, region, … }` (a deployed console, issue #20):
 *   requests signed with SigV4; that signer plugs in as an `Auth = { sign }`
 *   in `cognitoAuth` below.
 */
export type ConsoleConfig = { mode: 'token'; apiUrl?: string } | { mode: 'cognito'; apiUrl: string; region: string; [setting: string]: unknown };

/** What the signed-in caller may do: `read` disables every button (the API answers 403 to changes anyway). */
type Access = 'operate' | 'read';

export interface Session {
  baseUrl: string;
  auth: Auth;
  /** who this is, as shown in the header */
  who: string;
  access: Access;
  logout(): void;
}

const TOKEN_KEY = 'kupgrade.token';
const SIGNED_IN_KEY = 'kupgrade.signedIn';

export async function loadConfig(): Promise<ConsoleConfig> {
  const res = await fetch('config.json', { cache: 'no-store' });
  if (res.status === 404) return { mode: 'token' };
  if (!res.ok) throw new Error(`config.json answered ${res.status}`);
  const config = (await res.json()) as ConsoleConfig;
  if (config.mode !== 'token' && config.mode !== 'cognito') throw new Error(`config.json: unknown mode ${String((config as { mode?: unknown }).mode)}`);
  return config;
}

/**
 * The token of the printed link (`#token=…`), moved into sessionStorage and
 * out of the address bar (and so out of the history and of screenshots).
 */
export function takeTokenFromLocation(): void {
  const m = /^#token=([^&]+)/.exec(location.hash);
  if (!m) return;
  sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1]!));
  history.replaceState(null, '', `${location.pathname}${location.search}#/clusters`);
}

export function rememberToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token.trim());
}

export function forgetToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** Why there is no session yet: the login form shows it. */
export class LoginNeeded extends Error {}

/**
 * A session for the config, or LoginNeeded. In token mode the local stack
 * says what the token may do at `GET /local/access` (outside the API: a
 * deployed API has no such route, and its callers' rights come from IAM).
 */
export async function startSession(config: ConsoleConfig): Promise<Session> {
  if (config.mode === 'cognito') return cognitoAuth(config);
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) throw new LoginNeeded('');
  const baseUrl = config.apiUrl ?? location.origin;
  const res = await fetch(new URL('local/access', `${location.origin}/`), { headers: { authorization: `Bearer ${token}` }, cache: 'no-store' });
  if (res.status === 401) {
    forgetToken();
    throw new LoginNeeded('That token is not one this stack accepts: use the token npm start printed (it is in .kupgrade/token).');
  }
  let access: Access = 'operate';
  let who = 'operator';
  if (res.ok) {
    const body = (await res.json()) as { name?: string; access?: Access };
    access = body.access === 'read' ? 'read' : 'operate';
    who = body.name ?? who;
  }
  return { baseUrl, auth: { bearer: token }, who, access, logout: forgetToken };
}

/**
 * The deployed console's sign-in: the hosted UI (authorization code with
 * PKCE), then the identity pool's credentials for the user's group's role;
 * every API call is signed with them (SigV4). Kept for the tab's life; when
 * they lapse the API answers 403 and a reload signs in again.
 */
async function cognitoAuth(config: Extract<ConsoleConfig, { mode: 'cognito' }>): Promise<Session> {
  const cognito = config as unknown as CognitoConfig;
  const env = { fetch: (input: RequestInfo | URL, init?: RequestInit) => fetch(input, init), storage: sessionStorage, redirectUri: `${location.origin}/` };
  const kept = sessionStorage.getItem(SIGNED_IN_KEY);
  let signedIn = kept ? (JSON.parse(kept) as SignedIn) : undefined;
  if (!signedIn) {
    const query = new URLSearchParams(location.search);
    if (!query.has('code')) {
      location.assign(await beginSignIn(cognito, env));
      return new Promise<Session>(() => undefined);
    }
    signedIn = await completeSignIn(cognito, env, query);
    sessionStorage.setItem(SIGNED_IN_KEY, JSON.stringify(signedIn));
    history.replaceState(null, '', `${location.pathname}#/clusters`);
  }
  const credentials = signedIn.credentials;
  return {
    baseUrl: cognito.apiUrl,
    auth: { sign: (request) => signRequest(request, credentials, cognito.region) },
    who: signedIn.username,
    access: signedIn.groups.includes('operator') ? 'operate' : 'read',
    logout: () => sessionStorage.removeItem(SIGNED_IN_KEY),
  };
}
