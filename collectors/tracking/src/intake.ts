import type { DedupeWindow } from './dedupe-window.ts';
import { enrichedJson, requestEnrichment, requestIdentity, type RequestFacts, type RequestIdentity } from './enrich.ts';
import type { EventValidator } from './event-validator.ts';
import type { Forwarder } from './forwarder.ts';
import type { Metrics } from './metrics.ts';
import type { SpoolRecord } from './spool.ts';
import { truncateRaw, type BadRow } from './tracking-event.ts';

export interface IntakeResult {
  accepted: number;
  duplicates: number;
  rejected: { index: number; reason: string }[];
}

export interface IntakeOptions {
  validator: EventValidator;
  dedupe: DedupeWindow;
  forwarder: Forwarder;
  metrics: Metrics;
  eventsTopic: string;
  badTopic: string;
  anonymizeIp: boolean;
}

/**
 * Turns received payloads into records: valid events enriched for tracking.events (keyed by
 * anonymous id, so one visitor's events stay ordered in one partition), everything else as a bad
 * row for tracking.bad. Resolves when all of them are durable.
 */
export class Intake {
  constructor(private readonly options: IntakeOptions) {}

  async acceptEvents(candidates: unknown[], facts: RequestFacts, source: BadRow['source']): Promise<IntakeResult> {
    const { validator, dedupe, metrics } = this.options;
    const records: SpoolRecord[] = [];
    const newIds: string[] = [];
    const result: IntakeResult = { accepted: 0, duplicates: 0, rejected: [] };
    const request = requestEnrichment(facts, this.options);
    for (let index = 0; index < candidates.length; index++) {
      const candidate = candidates[index];
      const verdict = validator.validate(candidate);
      if (!verdict.ok) {
        result.rejected.push({ index, reason: verdict.reason });
        records.push(this.#badRecord(verdict.reason, JSON.stringify(candidate), request.identity, source));
        continue;
      }
      if (dedupe.seen(verdict.event.eventId, facts.receivedAt)) {
        result.duplicates++;
        continue;
      }
      newIds.push(verdict.event.eventId);
      records.push({ topic: this.options.eventsTopic, key: verdict.event.anonymousId, value: enrichedJson(verdict.event, request) });
      result.accepted++;
    }
    try {
      await this.options.forwarder.submit(records);
    } catch (error) {
      dedupe.forget(newIds);
      throw error;
    }
    metrics.accepted.inc(result.accepted);
    metrics.duplicates.inc(result.duplicates);
    if (result.rejected.length > 0) metrics.rejected.inc({ source }, result.rejected.length);
    return result;
  }

  /** Input that is not even events (broken JSON, oversized, garbage parameters). */
  async reject(reason: string, raw: string, facts: RequestFacts, source: BadRow['source']): Promise<void> {
    await this.options.forwarder.submit([this.#badRecord(reason, raw, requestIdentity(facts, this.options), source)]);
    this.options.metrics.rejected.inc({ source });
  }

  #badRecord(reason: string, raw: string, request: RequestIdentity, source: BadRow['source']): SpoolRecord {
    const row: BadRow = { reason, source, receivedAt: request.receivedAt, ip: request.ip, userAgent: request.userAgent, raw: truncateRaw(raw) };
    return { topic: this.options.badTopic, key: null, value: JSON.stringify(row) };
  }
}
