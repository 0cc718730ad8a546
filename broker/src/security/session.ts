import type { Listener } from './listeners/listeners.ts';
import { usesSasl } from './listeners/listeners.ts';

export const ANONYMOUS = 'User:ANONYMOUS';

/** A SASL exchange in progress: the mechanism's next step takes the client's token. */
export interface SaslExchange {
  mechanism: string;
  step(token: Buffer): { response: Buffer; done: false } | { response: Buffer; done: true; principal: string };
}

/**
 * Who is on the other end of one connection, as far as the broker knows: the listener it came
 * in on, the authenticated principal, an ongoing SASL exchange and the quota throttle.
 */
export class SecuritySession {
  principal = ANONYMOUS;
  authenticated: boolean;
  sasl: SaslExchange | null = null;
  /** Set by a v1 SaslHandshake: the client now sends SaslAuthenticate requests. */
  handshakeMechanism: string | null = null;
  /** Set by a v0 SaslHandshake: the next frames are bare SASL tokens, not requests. */
  rawSasl = false;
  /** Past this time (Date.now) a SASL session must re-authenticate before anything else. */
  expiresAtMs = Infinity;
  /** The connection is not read until then (quota throttling). */
  throttleUntilMs = 0;

  constructor(readonly listener: Listener, readonly clientHost: string, certificatePrincipal: string | null) {
    this.authenticated = !usesSasl(listener.protocol);
    if (certificatePrincipal && this.authenticated) this.principal = certificatePrincipal;
  }

  /** Forgets an exchange in progress (after it ended, well or not). */
  resetSasl(): void {
    this.sasl = null;
    this.handshakeMechanism = null;
    this.rawSasl = false;
  }

  /** A finished exchange: the connection now acts as `principal` until the session lifetime ends. */
  authenticatedAs(principal: string, reauthMs: number): void {
    this.resetSasl();
    this.principal = principal;
    this.authenticated = true;
    this.expiresAtMs = reauthMs > 0 ? Date.now() + reauthMs : Infinity;
  }

  get needsSasl(): boolean {
    return usesSasl(this.listener.protocol);
  }
}
