import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { KafkaError } from '../protocol/errors.ts';
import { writeFileAtomic } from '../metadata/atomic-file.ts';
import { BATCH, computeCrc, validateBatches, type BatchHeader } from './record-batch.ts';
import { LogSegment } from './log-segment.ts';
import type { LogConfig } from './log-config.ts';
import { ProducerStateManager, type AppendOrigin } from './producer-state.ts';
import { isControlBatch, readControlBatch } from './control-record.ts';
import type { AbortedTxn } from './transaction-index.ts';
import { LeaderEpochCache } from './leader-epoch-cache.ts';

export interface AppendInfo {
  firstOffset: number;
  lastOffset: number;
  logAppendTimeMs: number;
  logStartOffset: number;
  recordCount: number;
  duplicate?: boolean;
}

export interface PartitionLogOptions {
  now?: () => number;
  /** False after a clean shutdown: the tail need not be scanned for torn writes. */
  recover?: boolean;
}

const LOG_APPEND_TIME_FLAG = 0x08;

/** `<topic>-<partition>` -> topic and partition (topics may contain '-'). */
export function parseLogDirName(name: string): { topic: string; partition: number } | null {
  const match = /^(.+)-(\d+)$/.exec(name);
  return match ? { topic: match[1]!, partition: Number(match[2]) } : null;
}

/**
 * A partition's log (Kafka's UnifiedLog on one broker): segments, the log start offset, the log
 * end offset, the high watermark, idempotent producer state, retention and recovery.
 */
export class PartitionLog {
  private segmentList: LogSegment[] = [];
  private startOffset = 0;
  private hw = 0;
  private unflushedMessages = 0;
  private lastFlushMs: number;
  private readonly producerState = new ProducerStateManager();
  readonly leaderEpochs: LeaderEpochCache;
  readonly topic: string;
  readonly partition: number;
  private readonly now: () => number;

  private constructor(readonly dir: string, private config: LogConfig, options: PartitionLogOptions) {
    this.now = options.now ?? Date.now;
    const parsed = parseLogDirName(basename(dir));
    this.topic = parsed?.topic ?? basename(dir);
    this.partition = parsed?.partition ?? 0;
    this.lastFlushMs = this.now();
    this.leaderEpochs = new LeaderEpochCache(dir);
  }

  static open(dir: string, config: LogConfig, options: PartitionLogOptions = {}): PartitionLog {
    mkdirSync(dir, { recursive: true });
    const log = new PartitionLog(dir, config, options);
    log.load(options.recover ?? true);
    return log;
  }

  private load(recover: boolean): void {
    for (const name of readdirSync(this.dir)) {
      if (name.endsWith('.deleted') || name.endsWith('.tmp')) rmSync(join(this.dir, name), { force: true });
    }
    const bases = readdirSync(this.dir)
      .filter((name) => /^\d{20}\.log$/.test(name))
      .map((name) => Number(name.slice(0, 20)))
      .sort((a, b) => a - b);
    if (bases.length === 0) bases.push(0);
    const recoveryPoint = this.readCheckpoint('recovery-point') ?? 0;
    const recovered = new Set<LogSegment>();
    for (let i = 0; i < bases.length; i++) {
      const segment = new LogSegment(this.dir, bases[i]!, this.config.indexIntervalBytes, this.now());
      const isLast = i === bases.length - 1;
      const next = bases[i + 1];
      const needsScan = isLast || recover && next !== undefined && next > recoveryPoint || segment.index.entries === 0 && segment.size > 0 || segment.timeIndex.entries === 0 && segment.size > 0 || !segment.txnIndex.existed && segment.size > 0;
      if (needsScan) {
        segment.recover();
        recovered.add(segment);
      } else {
        segment.nextOffset = next!;
        const last = segment.timeIndex.entries > 0 ? segment.timeIndex.entry(segment.timeIndex.entries - 1) : null;
        segment.maxTimestamp = last?.timestamp ?? -1;
      }
      this.segmentList.push(segment);
    }
    // A recovered segment lost its .txnindex with the scan; the replay writes it again.
    for (const segment of this.segmentList) this.replayProducerState(segment, recovered.has(segment));
    this.leaderEpochs.truncateFromEnd(this.logEndOffset);
    this.startOffset = Math.max(this.readCheckpoint('log-start-offset') ?? 0, this.segmentList[0]!.baseOffset);
    this.startOffset = Math.min(this.startOffset, this.logEndOffset);
    this.hw = Math.min(this.readCheckpoint('high-watermark') ?? 0, this.logEndOffset);
    this.hw = Math.max(this.hw, this.startOffset);
    this.producerState.firstUnstableOffset(this.hw);
  }

  private replayProducerState(segment: LogSegment, rebuildTxnIndex: boolean): void {
    for (const { header, position } of segment.headers()) {
      this.trackProducer(header, () => segment.readBatch(position, header.size), rebuildTxnIndex ? segment : null);
    }
  }

  /**
   * Feeds one appended or replayed batch to the producer state and the leader-epoch cache; an
   * abort marker gets its .txnindex entry.
   */
  private trackProducer(header: BatchHeader, body: () => Buffer, indexInto: LogSegment | null): void {
    this.leaderEpochs.assign(header.leaderEpoch, header.baseOffset);
    const marker = header.producerId >= 0 && isControlBatch(header.attributes) ? readControlBatch(body()) : null;
    const completed = this.producerState.update(header, header.baseOffset, marker);
    if (completed?.result !== 'abort' || !indexInto) return;
    const stable = this.producerState.ongoingTransactions()[0]?.firstOffset ?? completed.lastOffset + 1;
    indexInto.txnIndex.append({ producerId: completed.producerId, firstOffset: completed.firstOffset, lastOffset: completed.lastOffset, lastStableOffset: stable });
  }

  private trackAppended(records: Buffer, headers: BatchHeader[]): void {
    let position = 0;
    for (const header of headers) {
      const at = position;
      this.trackProducer(header, () => records.subarray(at, at + header.size), this.activeSegment);
      position += header.size;
    }
  }

  /** Where `epoch` ended in this log (OffsetForLeaderEpoch). */
  endOffsetForEpoch(epoch: number): { epoch: number; endOffset: number } {
    return this.leaderEpochs.endOffsetFor(epoch, this.logEndOffset);
  }

  private readCheckpoint(name: string): number | null {
    const path = join(this.dir, `${name}.checkpoint`);
    if (!existsSync(path)) return null;
    const value = Number(readFileSync(path, 'utf8').trim());
    return Number.isFinite(value) ? value : null;
  }

  private writeCheckpoint(name: string, value: number): void {
    writeFileAtomic(join(this.dir, `${name}.checkpoint`), String(value));
  }

  get logStartOffset(): number {
    return this.startOffset;
  }

  get logEndOffset(): number {
    return this.activeSegment.nextOffset;
  }

  get highWatermark(): number {
    return this.hw;
  }

  set highWatermark(value: number) {
    this.hw = Math.max(this.startOffset, Math.min(value, this.logEndOffset));
  }

  /** What read_committed consumers may see: below the oldest unfinished transaction and the HW. */
  get lastStableOffset(): number {
    const first = this.producerState.firstUnstableOffset(this.hw);
    return first === null ? this.hw : Math.min(first, this.hw);
  }

  ongoingTransactions(): Array<{ producerId: number; producerEpoch: number; firstOffset: number }> {
    return this.producerState.ongoingTransactions();
  }

  activeProducers(): ReturnType<ProducerStateManager['activeProducers']> {
    return this.producerState.activeProducers();
  }

  /** Aborted transactions with data in [startOffset, upperBoundOffset), oldest first. */
  collectAbortedTransactions(startOffset: number, upperBoundOffset: number): AbortedTxn[] {
    const out: AbortedTxn[] = [];
    for (const segment of this.segmentList) {
      if (segment.nextOffset <= startOffset && segment !== this.activeSegment) continue;
      out.push(...segment.txnIndex.collect(startOffset, upperBoundOffset));
    }
    return out;
  }

  get size(): number {
    return this.segmentList.reduce((total, segment) => total + segment.size, 0);
  }

  get segments(): Array<{ baseOffset: number; nextOffset: number; size: number; logPath: string; maxTimestamp: number }> {
    return this.segmentList.map((segment) => ({ baseOffset: segment.baseOffset, nextOffset: segment.nextOffset, size: segment.size, logPath: segment.logPath, maxTimestamp: segment.maxTimestamp }));
  }

  private get activeSegment(): LogSegment {
    return this.segmentList[this.segmentList.length - 1]!;
  }

  updateConfig(config: LogConfig): void {
    this.config = config;
  }

  appendAsLeader(records: Buffer, options: { leaderEpoch?: number; origin?: AppendOrigin } = {}): AppendInfo {
    if (records.length > this.config.maxMessageBytes + BATCH.LOG_OVERHEAD && validateBatches(records).length === 1) {
      throw new KafkaError('MESSAGE_TOO_LARGE', `record batch of ${records.length} bytes exceeds max.message.bytes=${this.config.maxMessageBytes}`);
    }
    const headers = validateBatches(records);
    for (const header of headers) {
      if (header.size > this.config.maxMessageBytes + BATCH.LOG_OVERHEAD) {
        throw new KafkaError('MESSAGE_TOO_LARGE', `record batch of ${header.size} bytes exceeds max.message.bytes=${this.config.maxMessageBytes}`);
      }
    }
    const origin = options.origin ?? 'client';
    let at = 0;
    for (const header of headers) {
      if (isControlBatch(header.attributes)) {
        if (origin !== 'coordinator') throw new KafkaError('INVALID_RECORD', 'control batches (transaction markers) are written by the transaction coordinator, not by producers');
        const marker = readControlBatch(records.subarray(at, at + header.size));
        if (marker) this.producerState.checkMarker(header.producerId, marker.coordinatorEpoch);
      }
      at += header.size;
    }
    if (headers.length === 1) {
      const check = this.producerState.check(headers[0]!, origin);
      if (check.kind === 'duplicate') {
        return { firstOffset: check.firstOffset, lastOffset: check.lastOffset, logAppendTimeMs: -1, logStartOffset: this.startOffset, recordCount: headers[0]!.recordCount, duplicate: true };
      }
    } else {
      for (const header of headers) if (header.producerId >= 0) this.producerState.check(header, origin);
    }
    const logAppendTime = this.config.messageTimestampType === 'LogAppendTime' ? this.now() : -1;
    let offset = this.logEndOffset;
    const firstOffset = offset;
    let position = 0;
    let recordCount = 0;
    for (const header of headers) {
      records.writeBigInt64BE(BigInt(offset), position + BATCH.BASE_OFFSET);
      records.writeInt32BE(options.leaderEpoch ?? 0, position + BATCH.LEADER_EPOCH);
      if (logAppendTime >= 0) {
        records.writeInt16BE(header.attributes | LOG_APPEND_TIME_FLAG, position + BATCH.ATTRIBUTES);
        records.writeBigInt64BE(BigInt(logAppendTime), position + BATCH.MAX_TIMESTAMP);
        records.writeUInt32BE(computeCrc(records, position, header.size), position + BATCH.CRC);
        header.maxTimestamp = logAppendTime;
      }
      header.baseOffset = offset;
      offset += header.lastOffsetDelta + 1;
      position += header.size;
      recordCount += header.recordCount;
    }
    this.leaderEpochs.assign(options.leaderEpoch ?? 0, firstOffset);
    this.write(records, headers);
    this.trackAppended(records, headers);
    return { firstOffset, lastOffset: offset - 1, logAppendTimeMs: logAppendTime, logStartOffset: this.startOffset, recordCount };
  }

  appendAsFollower(records: Buffer): AppendInfo {
    const headers = validateBatches(records);
    if (headers.length === 0) return { firstOffset: this.logEndOffset, lastOffset: this.logEndOffset - 1, logAppendTimeMs: -1, logStartOffset: this.startOffset, recordCount: 0 };
    if (headers[0]!.baseOffset < this.logEndOffset) throw new KafkaError('OFFSET_OUT_OF_RANGE', `follower append at ${headers[0]!.baseOffset} is below the log end ${this.logEndOffset}`);
    this.write(records, headers);
    this.trackAppended(records, headers);
    const last = headers[headers.length - 1]!;
    return { firstOffset: headers[0]!.baseOffset, lastOffset: last.baseOffset + last.lastOffsetDelta, logAppendTimeMs: -1, logStartOffset: this.startOffset, recordCount: headers.reduce((n, h) => n + h.recordCount, 0) };
  }

  private write(records: Buffer, headers: BatchHeader[]): void {
    this.maybeRoll(records.length, headers[0]!.baseOffset);
    this.activeSegment.append(records, headers);
    this.unflushedMessages += headers.reduce((n, h) => n + h.recordCount, 0);
    if (this.unflushedMessages >= this.config.flushMessages || this.now() - this.lastFlushMs >= this.config.flushMs) this.flush();
  }

  private maybeRoll(incomingBytes: number, nextOffset: number): void {
    const active = this.activeSegment;
    if (active.size === 0) return;
    const full = active.size + incomingBytes > this.config.segmentBytes;
    const old = this.now() - active.created >= this.config.segmentMs;
    const indexFull = active.index.sizeInBytes + 8 > this.config.segmentIndexBytes;
    const offsetOverflow = nextOffset - active.baseOffset > 2147483647;
    if (full || old || indexFull || offsetOverflow) this.roll(nextOffset);
  }

  private roll(baseOffset: number): void {
    this.activeSegment.flush();
    this.segmentList.push(new LogSegment(this.dir, baseOffset, this.config.indexIntervalBytes, this.now()));
    this.writeCheckpoint('recovery-point', baseOffset);
  }

  read(startOffset: number, maxBytes: number, maxOffsetExclusive: number, minOneBatch: boolean): { records: Buffer[]; firstOffset: number } {
    if (startOffset < this.startOffset || startOffset > this.logEndOffset) {
      throw new KafkaError('OFFSET_OUT_OF_RANGE', `offset ${startOffset} is outside [${this.startOffset}, ${this.logEndOffset}]`);
    }
    const records: Buffer[] = [];
    let remaining = maxBytes;
    let offset = startOffset;
    for (const segment of this.segmentList) {
      if (segment.nextOffset <= offset) continue;
      if (offset >= maxOffsetExclusive) break;
      const chunk = segment.read(offset, remaining, maxOffsetExclusive, minOneBatch && records.length === 0);
      if (!chunk) {
        if (records.length > 0 || remaining <= 0) break;
        continue;
      }
      records.push(chunk);
      remaining -= chunk.length;
      offset = segment.nextOffset;
      if (remaining <= 0) break;
    }
    return { records, firstOffset: startOffset };
  }

  offsetForTimestamp(timestampMs: number): { offset: number; timestamp: number } | null {
    for (const segment of this.segmentList) {
      if (segment.maxTimestamp < timestampMs) continue;
      const found = segment.findOffsetByTimestamp(timestampMs);
      if (found) return { offset: Math.max(found.offset, this.startOffset), timestamp: found.timestamp };
    }
    return null;
  }

  offsetOfMaxTimestamp(): { offset: number; timestamp: number } | null {
    let best: LogSegment | null = null;
    for (const segment of this.segmentList) if (segment.maxTimestamp >= 0 && (!best || segment.maxTimestamp > best.maxTimestamp)) best = segment;
    return best ? { offset: best.offsetOfMaxTimestamp, timestamp: best.maxTimestamp } : null;
  }

  deleteRecordsBefore(offset: number): number {
    if (offset > this.startOffset) {
      this.startOffset = Math.min(offset, this.logEndOffset);
      this.writeCheckpoint('log-start-offset', this.startOffset);
      this.deleteSegmentsWhile((_segment, next) => next !== undefined && next.baseOffset <= this.startOffset);
    }
    return this.startOffset;
  }

  /** Deletes whole segments past retention.ms or beyond retention.bytes; never the active one. */
  enforceRetention(nowMs: number = this.now()): number {
    let deleted = 0;
    if (this.config.retentionMs >= 0 && Number.isFinite(this.config.retentionMs)) {
      deleted += this.deleteSegmentsWhile((segment, next) => next !== undefined && segment.maxTimestamp >= 0 && nowMs - segment.maxTimestamp > this.config.retentionMs);
    }
    if (this.config.retentionBytes >= 0) {
      let excess = this.size - this.config.retentionBytes;
      deleted += this.deleteSegmentsWhile((segment, next) => {
        if (next === undefined || excess < segment.size) return false;
        excess -= segment.size;
        return true;
      });
    }
    return deleted;
  }

  private deleteSegmentsWhile(predicate: (segment: LogSegment, next: LogSegment | undefined) => boolean): number {
    let deleted = 0;
    while (this.segmentList.length > 1 && predicate(this.segmentList[0]!, this.segmentList[1])) {
      const segment = this.segmentList.shift()!;
      segment.deleteFiles();
      deleted++;
    }
    if (deleted > 0 && this.segmentList[0]!.baseOffset > this.startOffset) {
      this.startOffset = this.segmentList[0]!.baseOffset;
      this.writeCheckpoint('log-start-offset', this.startOffset);
      this.highWatermark = this.hw;
    }
    return deleted;
  }

  truncateTo(offset: number): void {
    while (this.segmentList.length > 1 && this.activeSegment.baseOffset >= offset) {
      this.segmentList.pop()!.deleteFiles();
    }
    this.activeSegment.truncateTo(offset);
    this.leaderEpochs.truncateFromEnd(offset);
    this.producerState.clear();
    for (const segment of this.segmentList) this.replayProducerState(segment, segment === this.activeSegment);
    this.highWatermark = this.hw;
  }

  flush(): void {
    this.activeSegment.flush();
    this.unflushedMessages = 0;
    this.lastFlushMs = this.now();
    this.writeCheckpoint('recovery-point', this.logEndOffset);
    this.writeCheckpoint('high-watermark', this.hw);
  }

  maybeFlushByTime(): void {
    if (this.unflushedMessages > 0 && this.now() - this.lastFlushMs >= this.config.flushMs) this.flush();
  }

  close(): void {
    this.flush();
    for (const segment of this.segmentList) segment.close();
  }

  delete(): void {
    for (const segment of this.segmentList) segment.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
