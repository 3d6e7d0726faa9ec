// The deployed console's sign-in, without a browser: the hosted UI's code flow with PKCE, then the
// identity pool's credentials, each request checked as Cognito would receive it.
import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { beginSignIn, completeSignIn, type CognitoConfig } from '../../console/src/deployed/cognitoSession.js';

const config: CognitoConfig = {
  apiUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com',
  region: 'eu-west-1',
  userPoolId: 'eu-west-1_Pool',
  clientId: 'client-1',
  identityPoolId: 'eu-west-1:0000-1111',
  cognitoDomain: 'kupgrade-dev.auth.eu-west-1.amazoncognito.com',
};
const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const idToken = `${b64url({ alg: 'RS256' })}.${b64url({ 'cognito:groups': ['viewer'], 'cognito:username': 'ana' })}.sig`;

function browser() {
  const store = new Map<string, string>();
  const calls: { url: string; headers: Record<string, string>; body: string }[] = [];
  const answers: Record<string, unknown> = {
    token: { id_token: idToken, access_token: 'a', token_type: 'Bearer' },
    GetId: { IdentityId: 'eu-west-1:id-7' },
    GetCredentialsForIdentity: { IdentityId: 'eu-west-1:id-7', Credentials: { AccessKeyId: 'ASIA1', SecretKey: 'secret', SessionToken: 'session' } },
  };
  const env = {
    redirectUri: 'https://d111.cloudfront.net/',
    storage: {
      getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => void store.set(k, v),
      removeItem: (k: string) => void store.delete(k),
    },
    fetch: (async (url: string, init: RequestInit) => {
      const headers = Object.fromEntries(Object.entries((init.headers ?? {}) as Record<string, string>));
      calls.push({ url, headers, body: String(init.body) });
      const key = url.endsWith('/oauth2/token') ? 'token' : headers['x-amz-target']!.split('.')[1]!;
      return new Response(JSON.stringify(answers[key]), { status: 200 });
    }) as unknown as typeof fetch,
  };
  return { env, calls };
}

describe('deployed console sign-in', () => {
  it("sends the user to the hosted UI with a PKCE challenge, then trades the code, with its verifier, for the group role's credentials", async () => {
    const { env, calls } = browser();
    const to = new URL(await beginSignIn(config, env));
    expect(`${to.origin}${to.pathname}`).toBe(`https://${config.cognitoDomain}/oauth2/authorize`);
    expect(to.searchParams.get('code_challenge_method')).toBe('S256');
    const state = to.searchParams.get('state')!;

    const signedIn = await completeSignIn(config, env, new URLSearchParams({ code: 'code-9', state }));

    const token = new URLSearchParams(calls[0]!.body);
    expect(calls[0]!.url).toBe(`https://${config.cognitoDomain}/oauth2/token`);
    expect(Object.fromEntries(token)).toMatchObject({ grant_type: 'authorization_code', client_id: 'client-1', code: 'code-9', redirect_uri: env.redirectUri });
    // the verifier sent is the one whose S256 hash went out as the challenge
    expect(createHash('sha256').update(token.get('code_verifier')!).digest('base64url')).toBe(to.searchParams.get('code_challenge'));
    const logins = { 'cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool': idToken };
    expect(calls.slice(1).map((c) => [c.url, c.headers['x-amz-target'], JSON.parse(c.body)])).toEqual([
      ['https://cognito-identity.eu-west-1.amazonaws.com/', 'AWSCognitoIdentityService.GetId', { IdentityPoolId: config.identityPoolId, Logins: logins }],
      [
        'https://cognito-identity.eu-west-1.amazonaws.com/',
        'AWSCognitoIdentityService.GetCredentialsForIdentity',
        { IdentityId: 'eu-west-1:id-7', Logins: logins },
      ],
    ]);
    expect(signedIn).toEqual({
      credentials: { accessKeyId: 'ASIA1', secretAccessKey: 'secret', sessionToken: 'session' },
      groups: ['viewer'],
      username: 'ana',
    });
  });

  it('refuses a return whose state is not the one this tab sent, and calls nothing', async () => {
    const { env, calls } = browser();
    await beginSignIn(config, env);
    await expect(completeSignIn(config, env, new URLSearchParams({ code: 'c', state: 'forged' }))).rejects.toThrow(/state/);
    expect(calls).toEqual([]);
  });
});
