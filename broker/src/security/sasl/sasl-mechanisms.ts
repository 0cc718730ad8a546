import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { SaslExchange } from '../session.ts';
import type { CredentialStore } from './credential-store.ts';
import { credentialFromSalted, digest, hmac, isScramMechanism, saltedPassword, type ScramMechanism } from './scram-credential.ts';

/** A failed exchange; the message goes back to the client, so it never says which part was wrong. */
export class SaslAuthenticationError extends Error {}

const refused = (mechanism: string) => new SaslAuthenticationError(`Authentication failed: Invalid username or password (mechanism ${mechanism})`);

const equal = (a: Buffer, b: Buffer) => a.length === b.length && timingSafeEqual(a, b);

/** RFC 5802 saslname: ',' and '=' arrive as =2C and =3D. */
const unescapeName = (name: string) => name.replace(/=2C/g, ',').replace(/=3D/g, '=');

function attributes(message: string): Map<string, string> {
  return new Map(message.split(',').map((part) => [part.slice(0, 1), part.slice(2)] as const));
}

/** RFC 5802 server side: client-first -> server-first, client-final -> server-final. */
function scramExchange(mechanism: ScramMechanism, credentials: CredentialStore, serverNonce: () => string): SaslExchange {
  let state: { clientFirstBare: string; serverFirst: string; nonce: string; user: string; gs2Header: string } | null = null;
  return {
    mechanism,
    step(token) {
      const message = token.toString('utf8');
      if (!state) {
        const match = /^([ny]|p=[^,]*),([^,]*),(.*)$/.exec(message);
        if (!match || match[1]!.startsWith('p')) throw new SaslAuthenticationError('Invalid SCRAM client-first message (channel binding is not supported)');
        const clientFirstBare = match[3]!;
        const attrs = attributes(clientFirstBare);
        const user = unescapeName(attrs.get('n') ?? '');
        const clientNonce = attrs.get('r');
        if (!user || !clientNonce) throw new SaslAuthenticationError('Invalid SCRAM client-first message: n= and r= are required');
        const credential = credentials.credential(user, mechanism);
        if (!credential) throw refused(mechanism);
        const nonce = clientNonce + serverNonce();
        const serverFirst = `r=${nonce},s=${credential.salt.toString('base64')},i=${credential.iterations}`;
        state = { clientFirstBare, serverFirst, nonce, user, gs2Header: `${match[1]},${match[2]},` };
        return { response: Buffer.from(serverFirst), done: false };
      }
      const proofAt = message.lastIndexOf(',p=');
      if (proofAt < 0) throw new SaslAuthenticationError('Invalid SCRAM client-final message: no proof');
      const withoutProof = message.slice(0, proofAt);
      const attrs = attributes(withoutProof);
      // endsWith, as Kafka checks: librdkafka 2.0 sends its own nonce again in front of the server's.
      if (!attrs.get('r')?.endsWith(state.nonce)) throw new SaslAuthenticationError('Invalid SCRAM client-final message: nonce mismatch');
      if (attrs.get('c') !== Buffer.from(state.gs2Header).toString('base64')) throw new SaslAuthenticationError('Invalid SCRAM client-final message: channel binding mismatch');
      const credential = credentials.credential(state.user, mechanism);
      if (!credential) throw refused(mechanism);
      const authMessage = `${state.clientFirstBare},${state.serverFirst},${withoutProof}`;
      const proof = Buffer.from(message.slice(proofAt + 3), 'base64');
      const signature = hmac(mechanism, credential.storedKey, authMessage);
      if (proof.length !== signature.length) throw refused(mechanism);
      const clientKey = Buffer.alloc(proof.length);
      for (let i = 0; i < proof.length; i++) clientKey[i] = proof[i]! ^ signature[i]!;
      if (!equal(digest(mechanism, clientKey), credential.storedKey)) throw refused(mechanism);
      const serverSignature = hmac(mechanism, credential.serverKey, authMessage);
      return { response: Buffer.from(`v=${serverSignature.toString('base64')}`), done: true, principal: `User:${state.user}` };
    },
  };
}

/** RFC 4616 PLAIN, checked against the user's SCRAM credential so no password is stored anywhere. */
function plainExchange(credentials: CredentialStore): SaslExchange {
  return {
    mechanism: 'PLAIN',
    step(token) {
      const [authzid, user, password] = token.toString('utf8').split('\0');
      if (user === undefined || password === undefined) throw new SaslAuthenticationError('Invalid PLAIN message: expected authzid NUL user NUL password');
      if (authzid && authzid !== user) throw new SaslAuthenticationError('Authentication failed: authorization id must be empty or the user name');
      const found = credentials.strongest(user);
      if (!found) throw refused('PLAIN');
      const { mechanism, credential } = found;
      const expected = credentialFromSalted(mechanism, saltedPassword(mechanism, password, credential.salt, credential.iterations), credential.salt, credential.iterations);
      if (!equal(expected.storedKey, credential.storedKey)) throw refused('PLAIN');
      return { response: Buffer.alloc(0), done: true, principal: `User:${user}` };
    },
  };
}

/** serverNonce is replaceable so RFC 7677's published exchange can be replayed in a test. */
export function startExchange(mechanism: string, credentials: CredentialStore, serverNonce = () => randomBytes(18).toString('base64')): SaslExchange {
  if (mechanism === 'PLAIN') return plainExchange(credentials);
  if (isScramMechanism(mechanism)) return scramExchange(mechanism, credentials, serverNonce);
  throw new Error(`no SASL mechanism ${mechanism}`);
}
