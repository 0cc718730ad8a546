// Insurance: schema-driven codec interpreting Kafka JSON message definitions at load time.
import { readFileSync, readdirSync } from 'node:fs';

export class ProtocolError extends Error {}

interface FieldDef {
  name: string;
  type: string;
  versions: string;
  nullableVersions?: string;
  taggedVersions?: string;
  tag?: number;
  default?: string | number | boolean;
  flexibleVersions?: string;
  fields?: FieldDef[];
}
interface MessageDef {
  apiKey?: number;
  type: string;
  name: string;
  validVersions: string;
  flexibleVersions: string;
  fields: FieldDef[];
  commonStructs?: Array<{ name: string; fields: FieldDef[] }>;
}

type Range = { min: number; max: number };
function parseRange(text: string | undefined): Range {
  if (!text || text === 'none') return { min: 1, max: 0 };
  if (text.endsWith('+')) return { min: Number(text.slice(0, -1)), max: Infinity };
  const [a, b] = text.split('-');
  return { min: Number(a), max: b === undefined ? Number(a) : Number(b) };
}
const inRange = (r: Range, v: number) => v >= r.min && v <= r.max;
const camel = (name: string) => name[0]!.toLowerCase() + name.slice(1);

export function stripComments(text: string): string {
  return text.replace(/^\s*\/\/.*$/gm, '').replace(/([^:"])\/\/.*$/gm, '$1');
}

export class Reader {
  offset: number;
  constructor(readonly buf: Buffer, offset = 0) { this.offset = offset; }
  need(n: number) { if (n < 0 || this.offset + n > this.buf.length) throw new ProtocolError(`truncated: need ${n} bytes at ${this.offset} of ${this.buf.length}`); }
  int8() { this.need(1); return this.buf.readInt8(this.offset++); }
  int16() { this.need(2); const v = this.buf.readInt16BE(this.offset); this.offset += 2; return v; }
  uint16() { this.need(2); const v = this.buf.readUInt16BE(this.offset); this.offset += 2; return v; }
  int32() { this.need(4); const v = this.buf.readInt32BE(this.offset); this.offset += 4; return v; }
  uint32() { this.need(4); const v = this.buf.readUInt32BE(this.offset); this.offset += 4; return v; }
  int64() { this.need(8); const v = this.buf.readBigInt64BE(this.offset); this.offset += 8; return v; }
  float64() { this.need(8); const v = this.buf.readDoubleBE(this.offset); this.offset += 8; return v; }
  uvarint() {
    let value = 0; let shift = 0;
    for (;;) {
      this.need(1);
      const b = this.buf[this.offset++]!;
      if (shift === 28 && b > 0x0f) throw new ProtocolError('varint too long');
      value |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return value >>> 0;
      shift += 7;
      if (shift > 28) throw new ProtocolError('varint too long');
    }
  }
  bytes(n: number) { this.need(n); const v = this.buf.subarray(this.offset, this.offset + n); this.offset += n; return v; }
}

export class Writer {
  private chunks: Buffer[] = [];
  private buf = Buffer.allocUnsafe(1024);
  private pos = 0;
  private ensure(n: number) {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
  int8(v: number) { this.ensure(1); this.buf.writeInt8(v, this.pos); this.pos += 1; }
  int16(v: number) { this.ensure(2); this.buf.writeInt16BE(v, this.pos); this.pos += 2; }
  uint16(v: number) { this.ensure(2); this.buf.writeUInt16BE(v, this.pos); this.pos += 2; }
  int32(v: number) { this.ensure(4); this.buf.writeInt32BE(v, this.pos); this.pos += 4; }
  uint32(v: number) { this.ensure(4); this.buf.writeUInt32BE(v >>> 0, this.pos); this.pos += 4; }
  int64(v: bigint) { this.ensure(8); this.buf.writeBigInt64BE(BigInt(v), this.pos); this.pos += 8; }
  float64(v: number) { this.ensure(8); this.buf.writeDoubleBE(v, this.pos); this.pos += 8; }
  uvarint(v: number) { this.ensure(5); let x = v >>> 0; while (x >= 0x80) { this.buf[this.pos++] = (x & 0x7f) | 0x80; x >>>= 7; } this.buf[this.pos++] = x; }
  raw(b: Buffer) { this.ensure(b.length); b.copy(this.buf, this.pos); this.pos += b.length; }
  /** Appends a buffer without copying (large record sets). */
  chunk(b: Buffer) {
    if (b.length < 4096) return this.raw(b);
    this.chunks.push(this.buf.subarray(0, this.pos));
    this.chunks.push(b);
    this.buf = Buffer.allocUnsafe(1024);
    this.pos = 0;
  }
  finish(): Buffer[] { const out = [...this.chunks, this.buf.subarray(0, this.pos)]; return out.filter((c) => c.length > 0); }
  get length() { return this.chunks.reduce((a, c) => a + c.length, 0) + this.pos; }
}


interface CompiledField {
  key: string;
  versions: Range;
  nullable: Range;
  tagged: Range | null;
  tag: number | undefined;
  fieldFlexible: Range | null;
  defaultValue: () => unknown;
  type: string;
  struct?: CompiledStruct;
}
interface CompiledStruct { fields: CompiledField[] }

export class MessageCodec {
  readonly name: string;
  readonly apiKey: number;
  readonly valid: Range;
  readonly flexible: Range;
  private readonly root: CompiledStruct;
  private readonly common = new Map<string, FieldDef[]>();

  constructor(def: MessageDef) {
    this.name = def.name;
    this.apiKey = def.apiKey ?? -1;
    this.valid = parseRange(def.validVersions);
    this.flexible = parseRange(def.flexibleVersions);
    for (const s of def.commonStructs ?? []) this.common.set(s.name, s.fields);
    this.root = this.compile(def.fields);
  }

  private compile(fields: FieldDef[]): CompiledStruct {
    return {
      fields: fields.map((f) => {
        const elem = f.type.startsWith('[]') ? f.type.slice(2) : f.type;
        const isStruct = !PRIMS.has(elem);
        const sub = isStruct ? (f.fields ?? this.common.get(elem)) : undefined;
        const compiled: CompiledField = {
          key: camel(f.name),
          versions: parseRange(f.versions),
          nullable: parseRange(f.nullableVersions),
          tagged: f.taggedVersions ? parseRange(f.taggedVersions) : null,
          tag: f.tag,
          fieldFlexible: f.flexibleVersions ? parseRange(f.flexibleVersions) : null,
          defaultValue: () => defaultFor(f),
          type: f.type,
        };
        if (sub) compiled.struct = this.compile(sub);
        return compiled;
      }),
    };
  }

  isFlexible(version: number) { return inRange(this.flexible, version); }

  decode(r: Reader, version: number): any {
    return this.decodeStruct(r, this.root, version, this.isFlexible(version));
  }

  encode(w: Writer, value: any, version: number): void {
    this.encodeStruct(w, this.root, value ?? {}, version, this.isFlexible(version));
  }

  private decodeStruct(r: Reader, s: CompiledStruct, v: number, flex: boolean): any {
    const out: any = {};
    for (const f of s.fields) {
      if (!inRange(f.versions, v) || (f.tagged && flex && inRange(f.tagged, v))) {
        out[f.key] = f.struct && !f.type.startsWith('[]') ? this.defaultStruct(f.struct, v) : f.defaultValue();
        continue;
      }
      out[f.key] = this.decodeValue(r, f, v, flex && !(f.fieldFlexible && !inRange(f.fieldFlexible, v)));
    }
    if (flex) {
      const count = r.uvarint();
      for (let i = 0; i < count; i++) {
        const tag = r.uvarint();
        const size = r.uvarint();
        const field = s.fields.find((f) => f.tagged && f.tag === tag && inRange(f.tagged, v));
        const body = r.bytes(size);
        if (field) out[field.key] = this.decodeValue(new Reader(body), field, v, true);
      }
    }
    return out;
  }

  private defaultStruct(s: CompiledStruct, v: number): any {
    const out: any = {};
    for (const f of s.fields) out[f.key] = f.struct && !f.type.startsWith('[]') ? this.defaultStruct(f.struct, v) : f.defaultValue();
    return out;
  }

  private decodeValue(r: Reader, f: CompiledField, v: number, flex: boolean): unknown {
    const nullable = inRange(f.nullable, v);
    if (f.type.startsWith('[]')) {
      const n = flex ? r.uvarint() - 1 : r.int32();
      if (n < 0) { if (nullable) return null; throw new ProtocolError(`null array for ${f.key}`); }
      if (n > r.buf.length - r.offset) throw new ProtocolError(`array length ${n} exceeds remaining bytes`);
      const elem = f.type.slice(2);
      const out = new Array(n);
      for (let i = 0; i < n; i++) out[i] = f.struct ? this.decodeStruct(r, f.struct, v, flex) : decodePrim(r, elem, flex, false);
      return out;
    }
    if (f.struct) {
      if (nullable) { const present = r.int8(); if (present < 0) return null; }
      return this.decodeStruct(r, f.struct, v, flex);
    }
    return decodePrim(r, f.type, flex, nullable);
  }

  private encodeStruct(w: Writer, s: CompiledStruct, value: any, v: number, flex: boolean) {
    const tagged: Array<[number, CompiledField, unknown]> = [];
    for (const f of s.fields) {
      if (!inRange(f.versions, v)) continue;
      let fv = value[f.key];
      if (f.tagged && flex && inRange(f.tagged, v)) {
        if (fv !== undefined && !this.isDefaultValue(fv, f, v)) tagged.push([f.tag!, f, fv]);
        continue;
      }
      if (fv === undefined) fv = f.struct && !f.type.startsWith('[]') ? this.defaultStruct(f.struct, v) : f.defaultValue();
      this.encodeValue(w, f, fv, v, flex && !(f.fieldFlexible && !inRange(f.fieldFlexible, v)));
    }
    if (flex) {
      tagged.sort((a, b) => a[0] - b[0]);
      w.uvarint(tagged.length);
      for (const [tag, f, fv] of tagged) {
        const inner = new Writer();
        this.encodeValue(inner, f, fv, v, true);
        const bytes = Buffer.concat(inner.finish());
        w.uvarint(tag);
        w.uvarint(bytes.length);
        w.raw(bytes);
      }
    }
  }

  /** Tagged fields are only written when they differ from their default (structs compared by bytes). */
  private isDefaultValue(value: unknown, f: CompiledField, v: number): boolean {
    if (f.struct && !f.type.startsWith('[]')) {
      if (value === null) return false;
      const actual = new Writer();
      const expected = new Writer();
      this.encodeValue(actual, f, value, v, true);
      this.encodeValue(expected, f, this.defaultStruct(f.struct, v), v, true);
      return Buffer.concat(actual.finish()).equals(Buffer.concat(expected.finish()));
    }
    return isDefault(value, f);
  }

  private encodeValue(w: Writer, f: CompiledField, value: any, v: number, flex: boolean) {
    if (f.type.startsWith('[]')) {
      if (value === null || value === undefined) {
        if (flex) w.uvarint(0); else w.int32(-1);
        return;
      }
      if (flex) w.uvarint(value.length + 1); else w.int32(value.length);
      const elem = f.type.slice(2);
      for (const item of value) {
        if (f.struct) this.encodeStruct(w, f.struct, item, v, flex);
        else encodePrim(w, elem, item, flex);
      }
      return;
    }
    if (f.struct) {
      if (inRange(f.nullable, v)) {
        if (value === null) { w.int8(-1); return; }
        w.int8(1);
      }
      this.encodeStruct(w, f.struct, value ?? {}, v, flex);
      return;
    }
    encodePrim(w, f.type, value, flex);
  }
}

const PRIMS = new Set(['int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'float64', 'string', 'bytes', 'bool', 'uuid', 'records']);

function defaultFor(f: FieldDef): unknown {
  if (f.type.startsWith('[]')) return f.default === 'null' ? null : [];
  const d = f.default;
  switch (f.type) {
    case 'int8': case 'int16': case 'uint16': case 'int32': case 'uint32': case 'float64':
      return d === undefined ? 0 : Number(d);
    case 'int64':
      return d === undefined ? 0n : BigInt(d as string | number);
    case 'bool':
      return d === true || d === 'true';
    case 'string':
      return d === 'null' ? null : (d ?? '') as string;
    case 'uuid':
      return '0'.repeat(32);
    case 'bytes': case 'records':
      return d === 'null' ? null : (f.type === 'records' ? null : Buffer.alloc(0));
    default:
      return null;
  }
}

function isDefault(value: unknown, f: CompiledField): boolean {
  const d = f.defaultValue();
  if (value === d) return true;
  if (Array.isArray(value) && Array.isArray(d)) return value.length === 0 && d.length === 0;
  return false;
}

function decodePrim(r: Reader, type: string, flex: boolean, nullable: boolean): unknown {
  switch (type) {
    case 'int8': return r.int8();
    case 'int16': return r.int16();
    case 'uint16': return r.uint16();
    case 'int32': return r.int32();
    case 'uint32': return r.uint32();
    case 'int64': return r.int64();
    case 'float64': return r.float64();
    case 'bool': return r.int8() !== 0;
    case 'uuid': return r.bytes(16).toString('hex');
    case 'string': {
      const n = flex ? r.uvarint() - 1 : r.int16();
      if (n < 0) { if (nullable || n === -1) return nullable ? null : (() => { throw new ProtocolError('null string'); })(); }
      return r.bytes(n).toString('utf8');
    }
    case 'bytes': case 'records': {
      const n = flex ? r.uvarint() - 1 : r.int32();
      if (n < 0) { if (nullable) return null; throw new ProtocolError('null bytes'); }
      return r.bytes(n);
    }
  }
  throw new ProtocolError(`unknown type ${type}`);
}

function encodePrim(w: Writer, type: string, value: any, flex: boolean) {
  switch (type) {
    case 'int8': return w.int8(value ?? 0);
    case 'int16': return w.int16(value ?? 0);
    case 'uint16': return w.uint16(value ?? 0);
    case 'int32': return w.int32(value ?? 0);
    case 'uint32': return w.uint32(value ?? 0);
    case 'int64': return w.int64(BigInt(value ?? 0));
    case 'float64': return w.float64(value ?? 0);
    case 'bool': return w.int8(value ? 1 : 0);
    case 'uuid': return w.raw(Buffer.from((value ?? '0'.repeat(32)) as string, 'hex'));
    case 'string': {
      if (value === null || value === undefined) { if (flex) w.uvarint(0); else w.int16(-1); return; }
      const b = Buffer.from(value as string, 'utf8');
      if (flex) w.uvarint(b.length + 1); else w.int16(b.length);
      return w.raw(b);
    }
    case 'bytes': case 'records': {
      if (value === null || value === undefined) { if (flex) w.uvarint(0); else w.int32(-1); return; }
      const parts: Buffer[] = Array.isArray(value) ? value : [value];
      const total = parts.reduce((a, p) => a + p.length, 0);
      if (flex) w.uvarint(total + 1); else w.int32(total);
      for (const p of parts) w.chunk(p);
      return;
    }
  }
  throw new ProtocolError(`unknown type ${type}`);
}

export function loadDefinitions(dir: string): Map<string, MessageDef> {
  const out = new Map<string, MessageDef>();
  for (const file of readdirSync(dir)) {
    if (!file.endsWith('.json')) continue;
    const def = JSON.parse(stripComments(readFileSync(`${dir}/${file}`, 'utf8'))) as MessageDef;
    out.set(def.name, def);
  }
  return out;
}
