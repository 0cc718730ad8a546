import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary } from '@tributary/testkit';

export interface Certificates {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  /** Client certificate and key per common name, signed by `ca`. */
  client(name: string): { cert: string; key: string };
  /** A client certificate from a CA the broker does not trust. */
  untrusted: { cert: string; key: string };
}

/** A throwaway PKI made with the openssl binary: a CA, a server cert for 127.0.0.1, client certs. */
export function makeCertificates(clientNames: string[]): Certificates {
  const openssl = requireBinary('openssl', 'openssl');
  const dir = mkdtempSync(join(tmpdir(), 'tributary-pki-'));
  const path = (name: string) => join(dir, name);
  const run = (args: string[]) => execFileSync(openssl, args, { stdio: 'pipe' });
  const newCa = (name: string) => {
    run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/O=Tributary Test/CN=${name}`, '-keyout', path(`${name}.key`), '-out', path(`${name}.pem`)]);
  };
  const sign = (ca: string, name: string, subject: string, extensions: string) => {
    run(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', subject, '-keyout', path(`${name}.key`), '-out', path(`${name}.csr`)]);
    writeFileSync(path(`${name}.ext`), extensions);
    run(['x509', '-req', '-in', path(`${name}.csr`), '-CA', path(`${ca}.pem`), '-CAkey', path(`${ca}.key`), '-CAcreateserial', '-days', '2', '-extfile', path(`${name}.ext`), '-out', path(`${name}.pem`)]);
    return { cert: path(`${name}.pem`), key: path(`${name}.key`) };
  };
  newCa('ca');
  newCa('rogue-ca');
  const server = sign('ca', 'server', '/CN=localhost', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  const clients = new Map(clientNames.map((name) => [name, sign('ca', `client-${name}`, `/O=Tributary Test/CN=${name}`, 'extendedKeyUsage=clientAuth\n')]));
  return {
    dir,
    ca: path('ca.pem'),
    serverCert: server.cert,
    serverKey: server.key,
    client: (name) => clients.get(name) ?? (() => { throw new Error(`no client certificate for ${name}`); })(),
    untrusted: sign('rogue-ca', 'rogue', '/O=Tributary Test/CN=admin', 'extendedKeyUsage=clientAuth\n'),
  };
}
