import type { MetadataStore } from '../../metadata/types.ts';
import type { SecurityConfig } from '../security-config.ts';
import type { SecuritySession } from '../session.ts';
import { SampledRate } from './sampled-rate.ts';

export const QUOTA_KEYS = ['producer_byte_rate', 'consumer_byte_rate', 'request_percentage'] as const;
export type QuotaKey = (typeof QUOTA_KEYS)[number];

/** Kafka's name for the default entity in /config/users/<default> and /config/clients/<default>. */
export const DEFAULT_ENTITY = '<default>';

/** The user name quotas are keyed by: the principal without its type (ANONYMOUS before SASL). */
export const quotaUser = (principal: string) => principal.slice(principal.indexOf(':') + 1);

/**
 * Client quotas with Kafka's precedence (most specific first). Each matching entity gets its own
 * sampled rate per actual user/client, so a <default> quota limits every client separately.
 */
export class QuotaManager {
  private readonly rates = new Map<string, SampledRate>();
  private lastSweepMs = 0;
  /** Whether any entity has a quota; cached so unquoted brokers pay nothing per request. */
  private anyQuota: boolean | null = null;

  constructor(private readonly metadata: MetadataStore, private readonly config: SecurityConfig) {
    metadata.onChange((change) => {
      if (change.type === 'entity-configs-changed') this.anyQuota = null;
    });
  }

  private quotasExist(): boolean {
    this.anyQuota ??= (['users', 'clients'] as const).some((type) =>
      [...this.metadata.allEntityConfigs(type).values()].some((configs) => QUOTA_KEYS.some((key) => key in configs)),
    );
    return this.anyQuota;
  }

  /** The quota that applies and the metric key its rate is measured under, or null when none does. */
  private quotaFor(key: QuotaKey, user: string, clientId: string): { limit: number; metric: string } | null {
    const candidates: Array<['users' | 'clients', string, string]> = [
      ['users', `${user}/clients/${clientId}`, `users/${user}/clients/${clientId}`],
      ['users', `${user}/clients/${DEFAULT_ENTITY}`, `users/${user}/clients/${clientId}`],
      ['users', user, `users/${user}`],
      ['users', `${DEFAULT_ENTITY}/clients/${clientId}`, `users/${user}/clients/${clientId}`],
      ['users', `${DEFAULT_ENTITY}/clients/${DEFAULT_ENTITY}`, `users/${user}/clients/${clientId}`],
      ['users', DEFAULT_ENTITY, `users/${user}`],
      ['clients', clientId, `clients/${clientId}`],
      ['clients', DEFAULT_ENTITY, `clients/${clientId}`],
    ];
    for (const [type, name, metric] of candidates) {
      const value = this.metadata.entityConfigs(type, name)[key];
      if (value !== undefined) return { limit: Number(value), metric: `${key}:${metric}` };
    }
    return null;
  }

  /** Records usage and returns the throttle time in ms (0 when within quota or unquoted). */
  record(key: QuotaKey, session: SecuritySession, clientId: string, value: number, nowMs = Date.now()): number {
    if (!this.quotasExist()) return 0;
    const quota = this.quotaFor(key, quotaUser(session.principal), clientId);
    if (!quota || !(quota.limit > 0)) return 0;
    this.sweep(nowMs);
    let rate = this.rates.get(quota.metric);
    if (!rate) {
      rate = new SampledRate(this.config.quotaWindowNum, this.config.quotaWindowMs);
      this.rates.set(quota.metric, rate);
    }
    return rate.record(value, nowMs, quota.limit);
  }

  /** Drops rates of clients that went quiet, so many short-lived client ids cannot grow the map. */
  private sweep(nowMs: number): void {
    if (nowMs - this.lastSweepMs < this.config.quotaWindowMs * this.config.quotaWindowNum) return;
    this.lastSweepMs = nowMs;
    for (const [metric, rate] of this.rates) if (rate.expired(nowMs)) this.rates.delete(metric);
  }
}
