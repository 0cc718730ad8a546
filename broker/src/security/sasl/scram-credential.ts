import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

/** RFC 7677 mechanisms with the codes AlterUserScramCredentials uses. */
export const SCRAM_MECHANISMS = {
  'SCRAM-SHA-256': { code: 1, hash: 'sha256', keyLength: 32 },
  'SCRAM-SHA-512': { code: 2, hash: 'sha512', keyLength: 64 },
} as const;
export type ScramMechanism = keyof typeof SCRAM_MECHANISMS;

/** Kafka's bounds for iterations (ScramMechanism.minIterations / maxIterations). */
export const MIN_ITERATIONS = 4096;
export const MAX_ITERATIONS = 16384;

/** What the broker keeps per user and mechanism: never the password, only RFC 5802's derived keys. */
export interface ScramCredential {
  salt: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
  iterations: number;
}

export const isScramMechanism = (name: string): name is ScramMechanism => name in SCRAM_MECHANISMS;

export function mechanismByCode(code: number): ScramMechanism | undefined {
  return (Object.keys(SCRAM_MECHANISMS) as ScramMechanism[]).find((name) => SCRAM_MECHANISMS[name].code === code);
}

export const hmac = (mechanism: ScramMechanism, key: Buffer, data: Buffer | string) => createHmac(SCRAM_MECHANISMS[mechanism].hash, key).update(data).digest();
export const digest = (mechanism: ScramMechanism, data: Buffer) => createHash(SCRAM_MECHANISMS[mechanism].hash).update(data).digest();

export function saltedPassword(mechanism: ScramMechanism, password: string, salt: Buffer, iterations: number): Buffer {
  const { hash, keyLength } = SCRAM_MECHANISMS[mechanism];
  return pbkdf2Sync(Buffer.from(password.normalize('NFKC'), 'utf8'), salt, iterations, keyLength, hash);
}

/** StoredKey and ServerKey from a salted password (what AlterUserScramCredentials carries). */
export function credentialFromSalted(mechanism: ScramMechanism, salted: Buffer, salt: Buffer, iterations: number): ScramCredential {
  return {
    salt,
    storedKey: digest(mechanism, hmac(mechanism, salted, 'Client Key')),
    serverKey: hmac(mechanism, salted, 'Server Key'),
    iterations,
  };
}

export function newCredential(mechanism: ScramMechanism, password: string, iterations = MIN_ITERATIONS): ScramCredential {
  const salt = randomBytes(32);
  return credentialFromSalted(mechanism, saltedPassword(mechanism, password, salt, iterations), salt, iterations);
}

/** Kafka's /config/users/<user> value: salt=...,stored_key=...,server_key=...,iterations=N (base64). */
export function formatCredential(credential: ScramCredential): string {
  return `salt=${credential.salt.toString('base64')},stored_key=${credential.storedKey.toString('base64')},server_key=${credential.serverKey.toString('base64')},iterations=${credential.iterations}`;
}

export function parseCredential(text: string | undefined): ScramCredential | null {
  if (!text) return null;
  const fields = new Map(text.split(',').map((part) => {
    const at = part.indexOf('=');
    return [part.slice(0, at), part.slice(at + 1)] as const;
  }));
  const salt = fields.get('salt');
  const storedKey = fields.get('stored_key');
  const serverKey = fields.get('server_key');
  const iterations = Number(fields.get('iterations'));
  if (!salt || !storedKey || !serverKey || !Number.isInteger(iterations)) return null;
  return { salt: Buffer.from(salt, 'base64'), storedKey: Buffer.from(storedKey, 'base64'), serverKey: Buffer.from(serverKey, 'base64'), iterations };
}
