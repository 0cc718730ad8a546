import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import type { TlsOptions, TLSSocket } from 'node:tls';
import type { SecurityConfig } from '../security-config.ts';

function readPem(setting: string, path: string | null): Buffer {
  if (!path) throw new Error(`an SSL or SASL_SSL listener needs ${setting}: set it to a PEM file`);
  try {
    return readFileSync(path);
  } catch (error) {
    throw new Error(`${setting} ${path} cannot be read (${(error as Error).message}): point it at a readable PEM file`);
  }
}

/** Server TLS options from the ssl.* settings; read once at start, like Kafka's static keystore. */
export function serverTlsOptions(security: SecurityConfig): TlsOptions {
  const auth = security.sslClientAuth;
  if (auth !== 'none' && !security.sslTruststoreLocation) {
    throw new Error(`ssl.client.auth=${auth} needs ssl.truststore.location: set it to the CA PEM that signs client certificates`);
  }
  return {
    cert: readPem('ssl.keystore.location', security.sslCertLocation),
    key: readPem('ssl.key.location', security.sslKeyLocation),
    ...(security.sslTruststoreLocation ? { ca: readPem('ssl.truststore.location', security.sslTruststoreLocation) } : {}),
    requestCert: auth !== 'none',
    rejectUnauthorized: auth === 'required',
    handshakeTimeout: security.unauthenticatedTimeoutMs,
    minVersion: 'TLSv1.2',
  };
}

/**
 * The principal of a verified client certificate, as Kafka's default SSL principal builder makes
 * it: User: and the subject DN in RFC 2253 order (most specific first), e.g. User:CN=alice,O=acme.
 * Null when the client sent no certificate or one the truststore does not vouch for.
 */
export function certificatePrincipal(socket: TLSSocket): string | null {
  if (!socket.authorized) return null;
  const raw = socket.getPeerCertificate()?.raw;
  if (!raw) return null;
  const subject = new X509Certificate(raw).subject.split('\n').filter(Boolean).reverse().join(',');
  return `User:${subject}`;
}
