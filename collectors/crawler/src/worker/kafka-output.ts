import { createConsumer, createProducer } from '@tributary/common/kafka';
import type { CrawlOutput } from './crawl-output.ts';
import { TOPICS } from './crawl-output.ts';
import { SerialSender } from './serial-sender.ts';
import type { CrawlErrorRecord, ItemRecord, PageRecord } from './page-record.ts';

/**
 * How far before a pending marker the read-back starts. Marker and record timestamps come from
 * the same worker's clock; the margin absorbs that clock stepping back a little.
 */
const CLOCK_MARGIN_MS = 60_000;
const FETCH_BYTES = 8 * 1024 * 1024;

type Reader = ReturnType<typeof createConsumer>;

/**
 * acks=all and idempotent: a request the client retries is appended once. A send that fails for
 * good may still have landed; the next attempt's read-back (findPage) settles it, which is what
 * makes a page land exactly once.
 */
const PRODUCER_SETTINGS = { acks: 'all', idempotent: true } as const;

/**
 * crawl.pages, crawl.errors and crawl.items through the project's producer (acks=all): a send
 * resolves only once every in-sync replica has the records.
 */
export class KafkaOutput implements CrawlOutput {
  private readonly sender: SerialSender;
  private reader: Reader | null = null;

  constructor(
    private readonly bootstrapServers: string,
    private readonly clientId: string,
  ) {
    this.sender = new SerialSender(() => createProducer({ bootstrapServers, clientId, ...PRODUCER_SETTINGS }));
  }

  async page(record: PageRecord): Promise<void> {
    // The record's timestamp (set at send) is never before the pending marker's: findPage relies on it.
    await this.sender.send([{ topic: TOPICS.pages, key: record.url, value: JSON.stringify(record), headers: { 'crawl-id': record.crawlId } }]);
  }

  async errors(records: CrawlErrorRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.sender.send(records.map((record) => ({ topic: TOPICS.errors, key: record.url, value: JSON.stringify(record) })));
  }

  async items(records: ItemRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.sender.send(records.map((record) => ({ topic: TOPICS.items, key: record.url, value: JSON.stringify(record) })));
  }

  /**
   * Reads crawl.pages from just before `since` to its end, looking for the record. Only a job
   * whose earlier attempt may have written it pays for this (see docs/crawler.md, guarantees).
   */
  async findPage(crawlId: string, url: string, since: number): Promise<PageRecord | null> {
    // The reader never joins its group: it fetches partitions directly.
    this.reader ??= createConsumer({ bootstrapServers: this.bootstrapServers, clientId: `${this.clientId}-recovery`, groupId: `${this.clientId}-recovery` });
    const reader = this.reader;
    const metadata = await reader.metadata({ topics: [TOPICS.pages], autocreateTopics: false, forceUpdate: true });
    const topic = metadata.topics.get(TOPICS.pages);
    if (!topic) return null;
    const starts = (await reader.listOffsets({ topics: [TOPICS.pages], timestamp: BigInt(since - CLOCK_MARGIN_MS) })).get(TOPICS.pages) ?? [];
    const ends = (await reader.listOffsets({ topics: [TOPICS.pages] })).get(TOPICS.pages) ?? [];
    for (let partition = 0; partition < topic.partitionsCount; partition++) {
      let offset = starts[partition] ?? -1n;
      const end = ends[partition] ?? -1n;
      if (offset < 0n) continue;
      while (offset < end) {
        const response = await reader.fetch({
          node: topic.partitions[partition]!.leader,
          topics: [{ topicId: topic.id, partitions: [{ partition, fetchOffset: offset, partitionMaxBytes: FETCH_BYTES, currentLeaderEpoch: -1, lastFetchedEpoch: -1 }] }],
          maxBytes: FETCH_BYTES,
          minBytes: 1,
          maxWaitTime: 100,
        });
        const answer = response.responses[0]?.partitions[0];
        if (!answer || answer.errorCode !== 0) throw new Error(`reading ${TOPICS.pages}[${partition}] at ${offset} failed with error code ${answer?.errorCode}`);
        const batches = answer.records ?? [];
        if (batches.length === 0) break;
        for (const batch of batches) {
          for (const record of batch.records) {
            if (batch.firstOffset + BigInt(record.offsetDelta) < offset) continue;
            if (record.key?.toString() !== url || !record.value) continue;
            const page = JSON.parse(record.value.toString()) as PageRecord;
            if (page.crawlId === crawlId) return page;
          }
          offset = batch.firstOffset + BigInt(batch.lastOffsetDelta) + 1n;
        }
      }
    }
    return null;
  }

  async close(): Promise<void> {
    await this.sender.close();
    await this.reader?.close();
  }
}
