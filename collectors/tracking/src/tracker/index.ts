/// <reference lib="dom" />
import { watchClicks, watchForms, watchRoutes } from './auto-track.ts';
import { pageContext } from './context.ts';
import { Identity } from './identity.ts';
import { readStorage, writeStorage } from './storage.ts';
import { Transport } from './transport.ts';
import { uuid } from './uuid.ts';

interface TrackerConfig {
  /** Collector base URL; by default the origin t.js was loaded from. */
  collector?: string;
  autoPageViews: boolean;
  trackClicks: boolean;
  trackForms: boolean;
  /** Send nothing when the browser says Do-Not-Track or Global Privacy Control. */
  respectDoNotTrack: boolean;
  /** Send nothing until tributary('consent', true). */
  requireConsent: boolean;
  batchSize: number;
  flushIntervalMs: number;
  maxQueue: number;
  retryBaseMs: number;
  retryMaxMs: number;
  cookieDomain?: string;
  transport: 'auto' | 'pixel';
}

const defaults: TrackerConfig = {
  autoPageViews: true,
  trackClicks: false,
  trackForms: false,
  respectDoNotTrack: true,
  requireConsent: false,
  batchSize: 20,
  flushIntervalMs: 1000,
  maxQueue: 500,
  retryBaseMs: 1000,
  retryMaxMs: 60_000,
  transport: 'auto',
};

const CONSENT = '_trb_consent';
type Call = [string, ...unknown[]];
type Api = ((...call: Call) => void) & { q?: ArrayLike<unknown>[]; loaded?: boolean };

const scriptOrigin = (() => {
  const src = document.currentScript instanceof HTMLScriptElement ? document.currentScript.src : '';
  try {
    return src ? new URL(src).origin : '';
  } catch {
    return '';
  }
})();

function privacySignal(): boolean {
  const nav = navigator as Navigator & { globalPrivacyControl?: boolean };
  return nav.doNotTrack === '1' || nav.globalPrivacyControl === true;
}

function start(config: TrackerConfig): Api {
  const identity = new Identity(config.cookieDomain);
  const transport = new Transport({
    endpoint: (config.collector ?? scriptOrigin).replace(/\/$/, ''),
    batchSize: config.batchSize,
    flushIntervalMs: config.flushIntervalMs,
    maxQueue: config.maxQueue,
    retryBaseMs: config.retryBaseMs,
    retryMaxMs: config.retryMaxMs,
    pixelOnly: config.transport === 'pixel',
  });
  let route = location.pathname + location.search;
  let lastUrl = location.href;
  let referrer = document.referrer;

  // Kept in memory as well: where storage is blocked, a withdrawal must still hold on this page.
  let consent = readStorage(CONSENT);
  const blocked = () => {
    return consent === '0' || (config.requireConsent && consent !== '1') || (config.respectDoNotTrack && privacySignal());
  };

  const emit = (type: 'page' | 'track' | 'identify', fields: Record<string, unknown>) => {
    if (blocked()) return;
    const now = Date.now();
    transport.enqueue({
      type,
      eventId: uuid(),
      anonymousId: identity.anonymousId(),
      userId: identity.userId(),
      sessionId: identity.touchSession(now),
      timestamp: new Date(now).toISOString(),
      context: pageContext(referrer),
      ...fields,
    });
  };

  const page = (properties?: Record<string, unknown>) => {
    emit('page', { properties: { ...properties } });
    lastUrl = location.href;
  };

  const onRoute = () => {
    const next = location.pathname + location.search;
    if (next === route) return;
    route = next;
    referrer = lastUrl;
    page();
  };

  const commands: Record<string, (...args: unknown[]) => void> = {
    page: (properties) => page(properties as Record<string, unknown> | undefined),
    track: (name, properties) => emit('track', { event: String(name), properties: { ...(properties as object) } }),
    identify: (userId, traits) => {
      identity.setUserId(String(userId));
      emit('identify', { traits: { ...(traits as object) } });
    },
    consent: (granted) => {
      consent = granted ? '1' : '0';
      writeStorage(CONSENT, consent);
      if (!granted) {
        transport.clear();
        identity.reset();
      }
    },
    reset: () => identity.reset(),
    flush: () => transport.flush(),
  };

  if (config.autoPageViews) {
    page();
    watchRoutes(onRoute);
  }
  if (config.trackClicks) watchClicks((properties) => emit('track', { event: 'click', properties }));
  if (config.trackForms) watchForms((properties) => emit('track', { event: 'form_submit', properties }));
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') transport.beaconAll();
  });
  window.addEventListener('pagehide', () => transport.beaconAll());
  window.addEventListener('online', () => transport.retryNow());
  transport.flush();

  const api: Api = (name, ...args) => {
    try {
      commands[name]?.(...args);
    } catch {
      // Tracking must never break the page.
    }
  };
  api.loaded = true;
  return api;
}

const existing = (window as unknown as { tributary?: Api }).tributary;
if (!existing?.loaded) {
  const queued: Call[] = (existing?.q ?? []).map((call) => Array.from(call) as Call);
  const init = queued.find((call) => call[0] === 'init');
  const api = start({ ...defaults, ...(init?.[1] as Partial<TrackerConfig> | undefined) });
  (window as unknown as { tributary: Api }).tributary = api;
  for (const call of queued) if (call[0] !== 'init') api(...call);
}
