/**
 * Kafka responses read off the socket whole, each into a buffer of its own size.
 *
 * kafkajs keeps every chunk a socket reads (64 KiB each, fresh memory) until a response is complete,
 * then concatenates them: a fetch response of several megabytes is allocated twice and copied once
 * more. Here the socket reads into memory chosen per read (net's `onread`): a response's size is known
 * from its first four bytes, so once they are in, a buffer of exactly that size is allocated and the
 * socket reads the rest of the response straight into it. kafkajs then gets each response as one
 * chunk, which it slices without a copy. Small responses, and the bytes read before a size is known,
 * go through a reused scratch buffer and are copied out.
 *
 * kafkajs keeps what follows a response it has read (nothing, when chunks are whole responses) as a
 * chunk of its own, and concatenates it with the next chunk: `installWholeResponses` drops that empty
 * chunk first, so a whole response is sliced, never copied.
 *
 * A size that is negative or beyond `maxFrameBytes` is not trusted to allocate anything: from then on
 * the connection hands on its bytes as they come, as a plain socket does, and kafkajs deals with them.
 */
import { createRequire } from 'node:module';
import net from 'node:net';
import tls from 'node:tls';
import type { ISocketFactory } from 'kafkajs';

/** The largest response allocated whole (larger ones are handed on as read). */
export const MAX_FRAME_BYTES = 512 * 1024 * 1024;
const SCRATCH_BYTES = 64 * 1024;
const KEEP_ALIVE_DELAY_MS = 60_000;
const EMPTY = Buffer.alloc(0);
const MARK = Symbol.for('vigil.wholeResponses');

interface KafkajsConnection {
  chunks: Buffer[];
  bytesBuffered: number;
  processData(rawData: Buffer): unknown;
}

/**
 * Makes kafkajs's connections of this process forget an empty leftover chunk before taking in the
 * next one (see the module comment); what they read is otherwise unchanged. Returns false, changing
 * nothing, when kafkajs's connection is not as expected.
 */
export function installWholeResponses(): boolean {
  const require = createRequire(import.meta.url);
  let Connection: { prototype: KafkajsConnection & { [MARK]?: true } };
  try {
    Connection = require('kafkajs/src/network/connection.js') as typeof Connection;
  } catch {
    return false;
  }
  const proto = Connection.prototype;
  if (proto[MARK] === true) return true;
  const original = proto.processData;
  if (typeof original !== 'function' || original.length !== 1) return false;
  proto.processData = function processData(this: KafkajsConnection, rawData: Buffer) {
    const chunks = this.chunks;
    if (Array.isArray(chunks) && chunks.length === 1 && chunks[0]!.length === 0) {
      this.chunks = [];
      this.bytesBuffered = 0;
    }
    return original.call(this, rawData);
  };
  proto[MARK] = true;
  return true;
}

export class ResponseFramer {
  readonly #emit: (chunk: Buffer) => void;
  readonly #maxFrameBytes: number;
  readonly #scratch: Buffer;
  /** The response being read in place (its size prefix included), and how much of it is in. */
  #frame: Buffer | null = null;
  #filled = 0;
  /** Bytes of a response whose size prefix is not all in yet. */
  #carry: Buffer = EMPTY;
  #passThrough = false;

  constructor(emit: (chunk: Buffer) => void, options: { maxFrameBytes?: number; scratchBytes?: number } = {}) {
    this.#emit = emit;
    this.#maxFrameBytes = options.maxFrameBytes ?? MAX_FRAME_BYTES;
    this.#scratch = Buffer.allocUnsafe(options.scratchBytes ?? SCRATCH_BYTES);
  }

  /** False once a size was not trusted: bytes are then handed on as read. */
  get framing(): boolean {
    return !this.#passThrough;
  }

  /** Where the socket's next read goes: the rest of the response in progress, else the scratch buffer. */
  next(): Buffer {
    return this.#frame === null ? this.#scratch : this.#frame.subarray(this.#filled);
  }

  /** `n` bytes were read into `buffer` (what `next` gave). */
  read(n: number, buffer: Buffer): void {
    if (this.#frame !== null) {
      this.#filled += n;
      if (this.#filled === this.#frame.length) {
        const frame = this.#frame;
        this.#frame = null;
        this.#filled = 0;
        this.#emit(frame);
      }
      return;
    }
    // The scratch buffer is read into again next time: what is handed on from it is a copy.
    if (this.#passThrough) {
      this.#emit(Buffer.from(buffer.subarray(0, n)));
      return;
    }
    let data = buffer.subarray(0, n);
    if (this.#carry.length > 0) {
      data = Buffer.concat([this.#carry, data]);
      this.#carry = EMPTY;
    }
    let at = 0;
    while (data.length - at >= 4) {
      const size = data.readInt32BE(at);
      if (size < 0 || size + 4 > this.#maxFrameBytes) {
        this.#passThrough = true;
        this.#emit(Buffer.from(data.subarray(at)));
        return;
      }
      const total = size + 4;
      if (data.length - at >= total) {
        this.#emit(Buffer.from(data.subarray(at, at + total)));
        at += total;
        continue;
      }
      const frame = Buffer.allocUnsafe(total);
      data.copy(frame, 0, at);
      this.#frame = frame;
      this.#filled = data.length - at;
      return;
    }
    if (at < data.length) this.#carry = Buffer.from(data.subarray(at));
  }
}

/**
 * kafkajs's socket factory with responses read whole (see the module comment) on plain connections;
 * TLS connections are made as kafkajs makes them.
 */
export function framedSocketFactory(options: { maxFrameBytes?: number } = {}): ISocketFactory {
  installWholeResponses();
  return ({ host, port, ssl, onConnect }) => {
    if (ssl) {
      const socket = tls.connect({ host, port, ...(net.isIP(host) ? {} : { servername: host }), ...(ssl as tls.ConnectionOptions) }, onConnect);
      socket.setKeepAlive(true, KEEP_ALIVE_DELAY_MS);
      return socket;
    }
    // The framer hands responses on through the socket, which reads into the framer's buffers.
    const framer: ResponseFramer = new ResponseFramer((chunk) => socket.emit('data', chunk), options);
    const socket = net.connect({
      host,
      port,
      onread: {
        buffer: () => framer.next(),
        callback: (n, buffer) => {
          framer.read(n, buffer as Buffer);
          return true;
        },
      },
    }, onConnect);
    socket.setKeepAlive(true, KEEP_ALIVE_DELAY_MS);
    return socket;
  };
}
