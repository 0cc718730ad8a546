/**
 * Big-endian writer/reader for Kafka's non-flexible embedded formats (consumer protocol, sticky
 * user data, __consumer_offsets records): int16-length strings, int32-length nullable bytes,
 * int32-count arrays.
 */
export class ProtocolWriter {
  private readonly parts: Buffer[] = [];

  int16(value: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(value);
    this.parts.push(b);
    return this;
  }

  int32(value: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(value);
    this.parts.push(b);
    return this;
  }

  /** Kafka's int64 fields here (offsets, timestamps) stay far below 2^53, so numbers carry them. */
  int64(value: number): this {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(BigInt(value));
    this.parts.push(b);
    return this;
  }

  string(value: string | null): this {
    if (value === null) return this.int16(-1);
    const b = Buffer.from(value, 'utf8');
    this.int16(b.length);
    this.parts.push(b);
    return this;
  }

  bytes(value: Buffer | null): this {
    if (value === null) return this.int32(-1);
    this.int32(value.length);
    this.parts.push(value);
    return this;
  }

  array<T>(items: readonly T[], write: (item: T) => void): this {
    this.int32(items.length);
    for (const item of items) write(item);
    return this;
  }

  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

export class ProtocolReader {
  private at = 0;

  /** `what` names the data in errors, e.g. "consumer protocol data". */
  constructor(
    private readonly buf: Buffer,
    private readonly what = 'consumer protocol data',
  ) {}

  private need(n: number): void {
    if (n < 0 || this.at + n > this.buf.length) throw new RangeError(`truncated ${this.what} at byte ${this.at}`);
  }

  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.at);
    this.at += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.at);
    this.at += 4;
    return v;
  }

  int64(): number {
    this.need(8);
    const v = Number(this.buf.readBigInt64BE(this.at));
    this.at += 8;
    return v;
  }

  string(): string | null {
    const n = this.int16();
    if (n < 0) return null;
    this.need(n);
    const v = this.buf.toString('utf8', this.at, this.at + n);
    this.at += n;
    return v;
  }

  requiredString(): string {
    const v = this.string();
    if (v === null) throw new RangeError(`null where ${this.what} requires a string`);
    return v;
  }

  bytes(): Buffer | null {
    const n = this.int32();
    if (n < 0) return null;
    this.need(n);
    const v = Buffer.from(this.buf.subarray(this.at, this.at + n));
    this.at += n;
    return v;
  }

  array<T>(read: () => T): T[] {
    const n = this.int32();
    if (n < 0) throw new RangeError(`null array in ${this.what}`);
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(read());
    return out;
  }

  remaining(): number {
    return this.buf.length - this.at;
  }
}
