/** The hosted UI's settings, from config.json (written at deploy time by the publish script). */
export interface HostedUi {
  /** e.g. kupgrade-prod-123456789012.auth.eu-west-1.amazoncognito.com */
  cognitoDomain: string;
  clientId: string;
  /** the console's own URL, registered as the client's callback */
  redirectUri: string;
}

const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

/** A PKCE pair (RFC 7636, S256): the verifier stays in the tab, the challenge goes to /oauth2/authorize. */
export async function createPkce(): Promise<{ verifier: string; challenge: string }> {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  return { verifier, challenge: base64url(digest) };
}

/** Where the browser goes to sign in: the authorization code grant with the PKCE challenge and a state to check on return. */
export function authorizeUrl(ui: HostedUi, challenge: string, state: string): string {
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: ui.clientId,
    redirect_uri: ui.redirectUri,
    scope: 'openid email profile',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state,
  });
  return `https://${ui.cognitoDomain}/oauth2/authorize?${q.toString()}`;
}
