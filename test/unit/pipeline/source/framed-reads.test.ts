/**
 * ResponseFramer: whatever way a socket's reads cut the byte stream, each Kafka response (a 4-byte
 * size, then that many bytes) comes out whole, in order and byte for byte; large ones are read in
 * place; untrusted sizes turn framing off rather than allocate.
 */
import { once } from 'node:events';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { ResponseFramer, framedSocketFactory, installWholeResponses } from '../../../../src/pipeline/source/framed-reads.js';

function frameOf(size: number, seed: number): Buffer {
  const frame = Buffer.allocUnsafe(size + 4);
  frame.writeInt32BE(size, 0);
  for (let i = 0; i < size; i++) frame[4 + i] = (seed * 31 + i * 7) & 0xff;
  return frame;
}

/** Feeds `stream` to a framer the way a socket does, `sizes` bytes per read (cycled), and returns what it emitted. */
function feed(stream: Buffer, sizes: readonly number[], options: { maxFrameBytes?: number; scratchBytes?: number } = {}) {
  const out: Buffer[] = [];
  const framer = new ResponseFramer((chunk) => out.push(chunk), options);
  let at = 0;
  for (let r = 0; at < stream.length; r++) {
    const target = framer.next();
    const n = Math.min(sizes[r % sizes.length]!, target.length, stream.length - at);
    stream.copy(target, 0, at, at + n);
    framer.read(n, target);
    at += n;
  }
  return { out, framer };
}

describe('ResponseFramer', () => {
  const frames = [0, 1, 3, 4, 5, 100, 70_000, 2, 200_000, 9, 65_532, 65_533, 65_536, 17].map((size, i) => frameOf(size, i));
  const stream = Buffer.concat(frames);

  it('hands on each response whole, in order, however the reads cut the stream', () => {
    for (const sizes of [[1], [2], [3], [4], [5], [7, 1, 4096], [65_536], [1_000_000], [13, 65_536, 3, 100_000]]) {
      const { out, framer } = feed(stream, sizes, { scratchBytes: 4096 });
      expect(out.length, `reads of ${sizes.join(',')}`).toBe(frames.length);
      out.forEach((chunk, i) => expect(chunk.equals(frames[i]!), `frame ${i}, reads of ${sizes.join(',')}`).toBe(true));
      expect(framer.framing).toBe(true);
    }
  });

  it('reads a large response in place: the socket fills the buffer that is handed on', () => {
    const big = frameOf(300_000, 5);
    const out: Buffer[] = [];
    const framer = new ResponseFramer((chunk) => out.push(chunk), { scratchBytes: 1024 });
    const first = framer.next();
    big.copy(first, 0, 0, 1024);
    framer.read(1024, first);
    const target = framer.next();
    expect(target.length).toBe(big.length - 1024);
    big.copy(target, 0, 1024);
    framer.read(target.length, target);
    expect(out).toHaveLength(1);
    expect(out[0]!.equals(big)).toBe(true);
    expect(target.buffer).toBe(out[0]!.buffer);
  });

  it('copies what it hands on from its scratch buffer, which the next read overwrites', () => {
    const small = Buffer.concat([frameOf(10, 1), frameOf(20, 2)]);
    const out: Buffer[] = [];
    const framer = new ResponseFramer((chunk) => out.push(chunk));
    const scratch = framer.next();
    small.copy(scratch);
    framer.read(small.length, scratch);
    scratch.fill(0);
    expect(out.map((b) => b.length)).toEqual([14, 24]);
    expect(out[0]!.equals(frameOf(10, 1))).toBe(true);
    expect(out[1]!.equals(frameOf(20, 2))).toBe(true);
  });

  it('stops framing at a size that is negative or beyond its limit, and hands every byte on as read', () => {
    for (const bad of [-1, -2_000_000_000, 1_000_001]) {
      const header = Buffer.alloc(4);
      header.writeInt32BE(bad, 0);
      const tail = Buffer.from('the rest of the bytes');
      const bytes = Buffer.concat([frameOf(8, 3), header, tail]);
      const { out, framer } = feed(bytes, [5], { maxFrameBytes: 1_000_000 });
      expect(framer.framing).toBe(false);
      expect(out[0]!.equals(frameOf(8, 3))).toBe(true);
      expect(Buffer.concat(out.slice(1)).equals(Buffer.concat([header, tail]))).toBe(true);
    }
  });
});

describe('framedSocketFactory', () => {
  let server: net.Server | undefined;
  afterEach(async () => {
    server?.close();
    server = undefined;
  });

  it("gives a socket whose 'data' events are whole responses, written by the peer in any pieces", async () => {
    const sent = [frameOf(50, 1), frameOf(3_000_000, 2), frameOf(0, 3), frameOf(70_000, 4)];
    const bytes = Buffer.concat(sent);
    server = net.createServer((peer) => {
      // Odd pieces, with pauses, so reads end anywhere.
      let at = 0;
      let writes = 0;
      const step = (): void => {
        if (at >= bytes.length) return void peer.end();
        const n = [1, 3, 5000, 777_777, 2][writes++ % 5]!;
        peer.write(bytes.subarray(at, at + n), () => setImmediate(step));
        at += n;
      };
      step();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as net.AddressInfo;
    const socket = framedSocketFactory()({ host: '127.0.0.1', port, ssl: null as never, onConnect: () => undefined });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    await once(socket, 'end');
    expect(chunks.map((c) => c.length)).toEqual(sent.map((s) => s.length));
    chunks.forEach((c, i) => expect(c.equals(sent[i]!)).toBe(true));
    socket.destroy();
  });
});

describe('installWholeResponses', () => {
  it("has kafkajs slice each whole response it is handed, never copy it, across responses", () => {
    expect(installWholeResponses()).toBe(true);
    expect(installWholeResponses()).toBe(true);
    const Connection = createRequire(import.meta.url)('kafkajs/src/network/connection.js') as { prototype: { processData(this: unknown, data: Buffer): void } };
    const fulfilled: { correlationId: number; payload: Buffer }[] = [];
    const connection = { chunks: [] as Buffer[], bytesBuffered: 0, bytesNeeded: 4, authHandlers: null, requestQueue: { fulfillRequest: (r: { correlationId: number; payload: Buffer }) => fulfilled.push(r) } };
    const responses = [0, 1, 2].map((i) => {
      const frame = Buffer.alloc(4 + 4 + 100);
      frame.writeInt32BE(104, 0);
      frame.writeInt32BE(i, 4); // correlation id
      frame.fill(i + 1, 8);
      return frame;
    });
    for (const frame of responses) Connection.prototype.processData.call(connection, frame);
    expect(fulfilled.map((r) => r.correlationId)).toEqual([0, 1, 2]);
    fulfilled.forEach((r, i) => {
      expect(r.payload.equals(Buffer.alloc(100, i + 1))).toBe(true);
      expect(r.payload.buffer).toBe(responses[i]!.buffer);
    });
    // A response in two chunks is still put together as before.
    const split = responses[1]!;
    Connection.prototype.processData.call(connection, split.subarray(0, 30));
    Connection.prototype.processData.call(connection, split.subarray(30));
    expect(fulfilled).toHaveLength(4);
    expect(fulfilled[3]!.payload.equals(Buffer.alloc(100, 2))).toBe(true);
  });
});
