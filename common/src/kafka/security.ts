import { readFileSync } from 'node:fs';
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import type { SASLOptions } from '@platformatic/kafka';
import { loadSection, type SectionSchema, type SectionValues } from '../config/index.ts';

/**
 * How every Kafka client of this process connects: the `kafka` section of a config file, or
 * TRIBUTARY_KAFKA_* variables, under librdkafka's property names. The password is only ever
 * handed to the client library, never logged (see describeKafkaSecurity).
 */
export const kafkaClientSchema = {
  'security.protocol': { type: 'string', default: 'PLAINTEXT', choices: ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'], doc: 'How clients reach the brokers.' },
  'sasl.mechanism': { type: 'string', default: 'SCRAM-SHA-512', choices: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'], doc: 'SASL mechanism for SASL_PLAINTEXT and SASL_SSL.' },
  'sasl.username': { type: 'string', default: null, doc: 'SASL user name.' },
  'sasl.password': { type: 'string', default: null, doc: 'SASL password (prefer the environment variable to a file; never logged).' },
  'ssl.ca.location': { type: 'string', default: null, doc: "PEM file of the CA that signs the brokers' certificates; unset: the system CAs." },
  'ssl.certificate.location': { type: 'string', default: null, doc: 'PEM client certificate for mTLS.' },
  'ssl.key.location': { type: 'string', default: null, doc: 'PEM private key of ssl.certificate.location.' },
  'ssl.endpoint.identification.algorithm': { type: 'string', default: 'https', choices: ['https', 'none'], doc: "Check that the broker's certificate names the host connected to (https) or not (none)." },
} satisfies SectionSchema;

export interface KafkaClientSecurity {
  securityProtocol: 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
  saslMechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
  saslUsername: string | null;
  saslPassword: string | null;
  sslCaLocation: string | null;
  sslCertificateLocation: string | null;
  sslKeyLocation: string | null;
  verifyHostname: boolean;
}

export function kafkaClientSecurityFrom(values: SectionValues): KafkaClientSecurity {
  const text = (key: keyof typeof kafkaClientSchema) => (values[key] as string | null) ?? null;
  return {
    securityProtocol: values['security.protocol'] as KafkaClientSecurity['securityProtocol'],
    saslMechanism: values['sasl.mechanism'] as KafkaClientSecurity['saslMechanism'],
    saslUsername: text('sasl.username'),
    saslPassword: text('sasl.password'),
    sslCaLocation: text('ssl.ca.location'),
    sslCertificateLocation: text('ssl.certificate.location'),
    sslKeyLocation: text('ssl.key.location'),
    verifyHostname: values['ssl.endpoint.identification.algorithm'] !== 'none',
  };
}

let current: KafkaClientSecurity | null = null;

/** Reads the `kafka` section of a config file (and TRIBUTARY_KAFKA_*) for every client made after. */
export function configureKafkaClients(configFile?: string): KafkaClientSecurity {
  current = kafkaClientSecurityFrom(loadSection('kafka', kafkaClientSchema, { file: configFile }));
  return current;
}

export function kafkaClientSecurity(): KafkaClientSecurity {
  return current ?? configureKafkaClients();
}

/** What a log line may say about the client security: never the password. */
export function describeKafkaSecurity(security: KafkaClientSecurity = kafkaClientSecurity()) {
  const sasl = security.securityProtocol.startsWith('SASL');
  return { securityProtocol: security.securityProtocol, ...(sasl ? { saslMechanism: security.saslMechanism, saslUsername: security.saslUsername } : {}) };
}

function readPem(setting: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new Error(`kafka ${setting} ${path} cannot be read (${(error as Error).message}): point it at a readable PEM file`);
  }
}

/** TLS and SASL options for @platformatic/kafka clients (Producer, Consumer, Admin, Connection). */
export function platformaticSecurityOptions(security: KafkaClientSecurity = kafkaClientSecurity()): { tls?: TlsConnectionOptions; sasl?: SASLOptions } {
  const options: { tls?: TlsConnectionOptions; sasl?: SASLOptions } = {};
  const { securityProtocol } = security;
  if (securityProtocol === 'SSL' || securityProtocol === 'SASL_SSL') {
    options.tls = {
      ...(security.sslCaLocation ? { ca: readPem('ssl.ca.location', security.sslCaLocation) } : {}),
      ...(security.sslCertificateLocation ? { cert: readPem('ssl.certificate.location', security.sslCertificateLocation) } : {}),
      ...(security.sslKeyLocation ? { key: readPem('ssl.key.location', security.sslKeyLocation) } : {}),
      ...(security.verifyHostname ? {} : { checkServerIdentity: () => undefined }),
    };
  }
  if (securityProtocol === 'SASL_PLAINTEXT' || securityProtocol === 'SASL_SSL') {
    if (!security.saslUsername || security.saslPassword === null) {
      throw new Error(`security.protocol ${securityProtocol} needs kafka sasl.username and sasl.password (TRIBUTARY_KAFKA_SASL_USERNAME / TRIBUTARY_KAFKA_SASL_PASSWORD)`);
    }
    options.sasl = { mechanism: security.saslMechanism, username: security.saslUsername, password: security.saslPassword };
  }
  return options;
}
