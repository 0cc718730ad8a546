/// <reference lib="dom" />
import { readCookie, readStorage, writeCookie, writeStorage } from './storage.ts';
import { uuid } from './uuid.ts';

const ANONYMOUS_ID = '_trb_aid';
const USER_ID = '_trb_uid';
const SESSION = '_trb_ses';
const TWO_YEARS_S = 2 * 365 * 24 * 3600;
export const SESSION_TIMEOUT_MS = 30 * 60 * 1000;

/**
 * Who is behind the events: an anonymous id kept in a first-party cookie and mirrored in
 * localStorage (either alone survives the other being cleared), the user id from identify, and a
 * session that ends after 30 minutes without events.
 */
export class Identity {
  constructor(private readonly cookieDomain: string | undefined) {}

  anonymousId(): string {
    let id = readCookie(ANONYMOUS_ID) ?? readStorage(ANONYMOUS_ID);
    if (!id) id = uuid();
    writeCookie(ANONYMOUS_ID, id, TWO_YEARS_S, this.cookieDomain);
    writeStorage(ANONYMOUS_ID, id);
    return id;
  }

  userId(): string | null {
    return readStorage(USER_ID);
  }

  setUserId(userId: string | null): void {
    writeStorage(USER_ID, userId);
  }

  /** The current session id, starting a new session after the inactivity timeout. */
  touchSession(now: number): string {
    let session: { id: string; last: number } | null = null;
    try {
      session = JSON.parse(readStorage(SESSION) ?? 'null') as { id: string; last: number } | null;
    } catch {
      session = null;
    }
    if (!session || typeof session.id !== 'string' || now - session.last > SESSION_TIMEOUT_MS) session = { id: uuid(), last: now };
    session.last = now;
    writeStorage(SESSION, JSON.stringify(session));
    return session.id;
  }

  /** Forgets everyone (logout, consent withdrawn): the next event starts a new visitor. */
  reset(): void {
    writeCookie(ANONYMOUS_ID, '', 0, this.cookieDomain);
    writeStorage(ANONYMOUS_ID, null);
    writeStorage(USER_ID, null);
    writeStorage(SESSION, null);
  }
}
