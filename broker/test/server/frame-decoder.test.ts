import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FrameDecoder, FrameTooLargeError } from '../../src/server/frame-decoder.ts';

function frame(payload: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length);
  return Buffer.concat([size, payload]);
}

test('frames split at any byte boundaries come out whole and in order', () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 10 }), fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1 }), (payloads, cuts) => {
      const stream = Buffer.concat(payloads.map((payload) => frame(Buffer.from(payload))));
      const decoder = new FrameDecoder(1024);
      const out: Buffer[] = [];
      let position = 0;
      let cut = 0;
      while (position < stream.length) {
        const length = cuts[cut++ % cuts.length]!;
        out.push(...decoder.push(stream.subarray(position, position + length)));
        position += length;
      }
      assert.deepEqual(out.map((b) => [...b]), payloads.map((p) => [...p]));
      assert.equal(decoder.bufferedBytes, 0);
    }),
  );
});

test('an oversized or negative size is refused before the payload arrives', () => {
  const decoder = new FrameDecoder(100);
  const header = Buffer.alloc(4);
  header.writeInt32BE(101);
  assert.throws(() => decoder.push(header), FrameTooLargeError);
  header.writeInt32BE(-5);
  assert.throws(() => new FrameDecoder(100).push(header), /negative frame size/);
});
