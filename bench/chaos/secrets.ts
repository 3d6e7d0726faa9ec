/** What a kubeconfig holds that must never leave the secret: its keys, its tokens, its CA. */
export interface SecretPatterns {
  /** bearer tokens of the clusters' kubeconfigs */
  tokens: string[];
  /** the kubeconfigs' certificate-authority-data values (base64) */
  caData: string[];
}

export interface SecretHit {
  what: string;
  /** a little text around it, the secret itself cut short */
  near: string;
}

const FIXED: [string, RegExp][] = [
  ['private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/g],
  ['client-key-data', /client-key-data/g],
  ['client-certificate-data', /client-certificate-data/g],
  ['certificate-authority-data', /certificate-authority-data/g],
];

/** Every place in `text` where kubeconfig material shows. */
export function findSecrets(text: string, patterns: SecretPatterns): SecretHit[] {
  const hits: SecretHit[] = [];
  const near = (at: number) => text.slice(Math.max(0, at - 40), at + 20).replace(/\s+/g, ' ');
  for (const [what, re] of FIXED) for (const m of text.matchAll(re)) hits.push({ what, near: near(m.index) });
  const literal = (what: string, values: string[], min: number) => {
    for (const v of values) {
      // a long enough piece of the value: a secret cut or wrapped still shows
      const piece = v.slice(0, Math.max(min, Math.min(v.length, 24)));
      if (piece.length < min) continue;
      for (let at = text.indexOf(piece); at >= 0; at = text.indexOf(piece, at + 1)) hits.push({ what, near: near(at) });
    }
  };
  literal('token', patterns.tokens, 16);
  // the CA's base64 begins with the PEM header's encoding, the same for every CA: look further in
  literal(
    'certificate-authority-data',
    patterns.caData.map((c) => c.slice(40)),
    24,
  );
  return hits;
}
