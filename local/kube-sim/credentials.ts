import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

interface Claims {
  iss: string;
  sub: string;
  aud: string[];
  iat: number;
  nbf: number;
  exp?: number;
  jti: string;
}

const ISSUER = 'https://kube-sim.local';
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Who may call the simulated API server: the static token of the default
 * kubeconfig, and bearer tokens issued by name, JWTs signed by the sim
 * (HS256) with an optional `exp`, as a service-account token would be. A
 * token past its exp, or whose credential was revoked or expired early,
 * authenticates nobody: the server answers 401.
 */
export class Credentials {
  private readonly key = randomBytes(32);
  /** jti → credential name, for every token issued */
  private readonly issued = new Map<string, string>();
  /** jti → when it stops working, earlier than its exp (revoked or expired by a test) */
  private readonly cutOff = new Map<string, number>();

  constructor(
    private readonly defaultToken: string,
    readonly defaultName: string,
  ) {}

  private sign(data: string): Buffer {
    return createHmac('sha256', this.key).update(data).digest();
  }

  issue(name: string, expiresInSeconds?: number): string {
    const iat = Math.floor(Date.now() / 1000);
    const claims: Claims = { iss: ISSUER, sub: name, aud: [ISSUER], iat, nbf: iat, jti: randomUUID() };
    if (expiresInSeconds !== undefined) claims.exp = iat + expiresInSeconds;
    this.issued.set(claims.jti, name);
    const unsigned = `${b64({ alg: 'HS256', typ: 'JWT', kid: 'kube-sim' })}.${b64(claims)}`;
    return `${unsigned}.${this.sign(unsigned).toString('base64url')}`;
  }

  /** Every token issued so far under this name stops working now. */
  cut(name: string): number {
    let n = 0;
    for (const [jti, holder] of this.issued) {
      if (holder === name && !this.cutOff.has(jti)) {
        this.cutOff.set(jti, Date.now());
        n++;
      }
    }
    return n;
  }

  /** The credential's name for an Authorization header, or undefined when it authenticates nobody. */
  authenticate(header: string | undefined): string | undefined {
    const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
    if (!m) return undefined;
    const token = m[1]!.trim();
    if (sameBytes(Buffer.from(token), Buffer.from(this.defaultToken))) return this.defaultName;
    const [head, body, sig] = token.split('.');
    if (!head || !body || !sig || !sameBytes(Buffer.from(sig, 'base64url'), this.sign(`${head}.${body}`))) return undefined;
    let claims: Claims;
    try {
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Claims;
    } catch {
      return undefined;
    }
    const now = Date.now();
    if (claims.exp !== undefined && now >= claims.exp * 1000) return undefined;
    if (now < claims.nbf * 1000) return undefined;
    const cut = this.cutOff.get(claims.jti);
    if (cut !== undefined && now >= cut) return undefined;
    return this.issued.get(claims.jti);
  }
}
