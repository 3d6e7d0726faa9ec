import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { authorizeUrl, createPkce } from '../../console/src/deployed/pkce.js';

describe('the console sign-in (PKCE)', () => {
  it('makes a fresh verifier whose S256 challenge is the base64url SHA-256 of it', async () => {
    const a = await createPkce();
    const b = await createPkce();
    expect(a.verifier).not.toBe(b.verifier);
    expect(a.verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.challenge).toBe(createHash('sha256').update(a.verifier).digest('base64url'));
  });

  it("sends the browser to the hosted UI's authorize endpoint with the code grant and the challenge", () => {
    const url = new URL(
      authorizeUrl({ cognitoDomain: 'k.auth.eu-west-1.amazoncognito.com', clientId: 'client1', redirectUri: 'https://d1.cloudfront.net/' }, 'chal', 'st8'),
    );
    expect(url.origin + url.pathname).toBe('https://k.auth.eu-west-1.amazoncognito.com/oauth2/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'client1',
      redirect_uri: 'https://d1.cloudfront.net/',
      scope: 'openid email profile',
      code_challenge: 'chal',
      code_challenge_method: 'S256',
      state: 'st8',
    });
  });
});
