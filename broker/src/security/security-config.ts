import type { SectionSchema, SectionValues } from '@tributary/common';

/**
 * The broker's security settings, under Kafka's names. Certificates and keys are PEM files
 * (Kafka's ssl.keystore.type=PEM), so no keystore password is ever part of the configuration.
 */
export const securitySchema = {
  listeners: { type: 'string', default: null, doc: "Comma-separated NAME://HOST:PORT listeners (e.g. PLAINTEXT://0.0.0.0:9092,SASL_SSL://0.0.0.0:9093); unset: one PLAINTEXT listener on host:port." },
  'advertised.listeners': { type: 'string', default: null, doc: 'NAME://HOST:PORT per listener as clients should reach it (Metadata answers with the listener the client came in on); unset: advertised.host with the bound port.' },
  'listener.security.protocol.map': { type: 'string', default: 'PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL', doc: 'LISTENER_NAME:PROTOCOL pairs; protocols are PLAINTEXT, SSL, SASL_PLAINTEXT and SASL_SSL.' },
  'inter.broker.listener.name': { type: 'string', default: null, doc: 'Listener brokers use to reach each other; unset: the first listener.' },
  'ssl.keystore.location': { type: 'string', default: null, doc: 'PEM file with the server certificate (and its chain) for SSL and SASL_SSL listeners.' },
  'ssl.key.location': { type: 'string', default: null, doc: 'PEM file with the unencrypted private key of ssl.keystore.location (keep it mode 600).' },
  'ssl.truststore.location': { type: 'string', default: null, doc: 'PEM file with the CA certificates client certificates must chain to.' },
  'ssl.client.auth': { type: 'string', default: 'none', choices: ['none', 'requested', 'required'], doc: 'Ask TLS clients for a certificate: required refuses clients without a trusted one; the principal is User:<subject DN>.' },
  'sasl.enabled.mechanisms': { type: 'list', default: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'], doc: 'SASL mechanisms offered on SASL listeners; PLAIN checks the password against the SCRAM credentials.' },
  'connections.max.reauth.ms': { type: 'int', default: 0, min: 0, doc: 'SASL sessions expire after this long (told to clients in SaslAuthenticate); the connection is closed unless the client re-authenticates. 0: never.' },
  'connections.max.unauthenticated.ms': { type: 'int', default: 10000, min: 1, doc: 'A SASL connection that has not authenticated within this time is closed.' },
  'sasl.server.max.receive.size': { type: 'int', default: 524288, min: 64, doc: 'Largest request frame accepted before a SASL connection has authenticated.' },
  'authorizer.class.name': { type: 'string', default: null, doc: 'Set (to any name, e.g. kafka.security.authorizer.AclAuthorizer) to enforce ACLs; unset: every request is allowed.' },
  'super.users': { type: 'string', default: null, doc: 'Semicolon-separated principals allowed everything, e.g. User:admin;User:CN=ops.' },
  'allow.everyone.if.no.acl.found': { type: 'boolean', default: false, doc: 'With an authorizer on: allow a resource that no ACL mentions.' },
  'quota.window.num': { type: 'int', default: 11, min: 2, doc: 'Samples kept to measure a client quota rate.' },
  'quota.window.size.seconds': { type: 'int', default: 1, min: 1, doc: 'Length of one quota sample.' },
  'max.connections.per.ip': { type: 'int', default: 2147483647, min: 0, doc: 'Connections one IP address may hold; further ones are closed at once.' },
  'max.connections.per.ip.overrides': { type: 'string', default: null, doc: 'IP:N pairs, comma-separated, overriding max.connections.per.ip.' },
} satisfies SectionSchema;

export type SecuritySettingKey = keyof typeof securitySchema;
export type ClientAuth = 'none' | 'requested' | 'required';

export interface SecurityConfig {
  listeners: string | null;
  advertisedListeners: string | null;
  protocolMap: string;
  interBrokerListenerName: string | null;
  sslCertLocation: string | null;
  sslKeyLocation: string | null;
  sslTruststoreLocation: string | null;
  sslClientAuth: ClientAuth;
  saslMechanisms: string[];
  reauthMs: number;
  unauthenticatedTimeoutMs: number;
  saslMaxReceiveBytes: number;
  authorizerEnabled: boolean;
  superUsers: string[];
  allowIfNoAcl: boolean;
  quotaWindowNum: number;
  quotaWindowMs: number;
  maxConnectionsPerIp: number;
  maxConnectionsPerIpOverrides: Map<string, number>;
}

function overrides(text: string | null): Map<string, number> {
  const map = new Map<string, number>();
  for (const entry of (text ?? '').split(',').map((part) => part.trim()).filter(Boolean)) {
    const at = entry.lastIndexOf(':');
    const count = Number(entry.slice(at + 1));
    if (at < 1 || !Number.isInteger(count) || count < 0) throw new Error(`max.connections.per.ip.overrides entry '${entry}' is not IP:N`);
    map.set(entry.slice(0, at), count);
  }
  return map;
}

export function securityConfigFrom(values: SectionValues): SecurityConfig {
  const text = (key: SecuritySettingKey) => (values[key] as string | null) ?? null;
  return {
    listeners: text('listeners'),
    advertisedListeners: text('advertised.listeners'),
    protocolMap: values['listener.security.protocol.map'] as string,
    interBrokerListenerName: text('inter.broker.listener.name'),
    sslCertLocation: text('ssl.keystore.location'),
    sslKeyLocation: text('ssl.key.location'),
    sslTruststoreLocation: text('ssl.truststore.location'),
    sslClientAuth: values['ssl.client.auth'] as ClientAuth,
    saslMechanisms: values['sasl.enabled.mechanisms'] as string[],
    reauthMs: values['connections.max.reauth.ms'] as number,
    unauthenticatedTimeoutMs: values['connections.max.unauthenticated.ms'] as number,
    saslMaxReceiveBytes: values['sasl.server.max.receive.size'] as number,
    authorizerEnabled: Boolean(text('authorizer.class.name')),
    superUsers: (text('super.users') ?? '').split(';').map((user) => user.trim()).filter(Boolean),
    allowIfNoAcl: values['allow.everyone.if.no.acl.found'] as boolean,
    quotaWindowNum: values['quota.window.num'] as number,
    quotaWindowMs: (values['quota.window.size.seconds'] as number) * 1000,
    maxConnectionsPerIp: values['max.connections.per.ip'] as number,
    maxConnectionsPerIpOverrides: overrides(text('max.connections.per.ip.overrides')),
  };
}
