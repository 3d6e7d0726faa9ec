import { generate } from 'selfsigned';

export interface SimTls {
  caCert: string;
  cert: string;
  key: string;
}

/**
 * A throwaway CA and a server certificate it signs, for 127.0.0.1 and
 * localhost, so clients verify TLS against the CA in the kubeconfig exactly as
 * they would against a real cluster. sha256: Node refuses selfsigned's sha1 default.
 */
export async function generateSimTls(): Promise<SimTls> {
  const ca = await generate([{ name: 'commonName', value: 'kube-sim-ca' }], {
    algorithm: 'sha256',
    keyType: 'ec',
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const server = await generate([{ name: 'commonName', value: 'kube-apiserver' }], {
    algorithm: 'sha256',
    keyType: 'ec',
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  return { caCert: ca.cert, cert: server.cert, key: server.private };
}
