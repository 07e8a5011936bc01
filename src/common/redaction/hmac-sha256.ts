/*
 * HMAC-SHA256 (RFC 2104 over FIPS 180-4) for the short messages of redaction tags.
 * The key pads are fixed per secret, so their compressions are done once (the "midstates"); a tag
 * then costs one or two block compressions here instead of two round trips into native crypto,
 * which dominated redaction time. The spec checks it against node:crypto createHmac.
 */

// Int32Array, not Uint32Array: values above 2^31 would be read as doubles and slow every round.
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

const IV = new Int32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

const BLOCK = 64;
const W = new Int32Array(64);

/** One SHA-256 compression of block[offset..offset+64) into state. */
function compress(state: Int32Array, block: Uint8Array, offset: number): void {
  for (let t = 0; t < 16; t++) {
    const j = offset + t * 4;
    W[t] = ((block[j] as number) << 24) | ((block[j + 1] as number) << 16) | ((block[j + 2] as number) << 8) | (block[j + 3] as number);
  }
  for (let t = 16; t < 64; t++) {
    const w15 = W[t - 15] as number;
    const w2 = W[t - 2] as number;
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
    W[t] = ((W[t - 16] as number) + s0 + (W[t - 7] as number) + s1) | 0;
  }
  let a = state[0] as number;
  let b = state[1] as number;
  let c = state[2] as number;
  let d = state[3] as number;
  let e = state[4] as number;
  let f = state[5] as number;
  let g = state[6] as number;
  let h = state[7] as number;
  for (let t = 0; t < 64; t++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const ch = (e & f) ^ (~e & g);
    const t1 = (h + S1 + ch + (K[t] as number) + (W[t] as number)) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = (S0 + maj) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  state[0] = ((state[0] as number) + a) | 0;
  state[1] = ((state[1] as number) + b) | 0;
  state[2] = ((state[2] as number) + c) | 0;
  state[3] = ((state[3] as number) + d) | 0;
  state[4] = ((state[4] as number) + e) | 0;
  state[5] = ((state[5] as number) + f) | 0;
  state[6] = ((state[6] as number) + g) | 0;
  state[7] = ((state[7] as number) + h) | 0;
}

/** Pads message[0..length) in place (buffer must have room) and compresses it after `prefixBytes` already hashed. */
function finish(state: Int32Array, buffer: Uint8Array, length: number, prefixBytes: number): void {
  buffer[length] = 0x80;
  const total = Math.ceil((length + 9) / BLOCK) * BLOCK;
  buffer.fill(0, length + 1, total - 8);
  const bits = (prefixBytes + length) * 8;
  writeUint32(buffer, total - 8, Math.floor(bits / 0x1_0000_0000));
  writeUint32(buffer, total - 4, bits >>> 0);
  for (let offset = 0; offset < total; offset += BLOCK) compress(state, buffer, offset);
  buffer.fill(0, 0, total); // the buffer held the message: do not keep it around
}

function writeUint32(buffer: Uint8Array, offset: number, value: number): void {
  buffer[offset] = value >>> 24;
  buffer[offset + 1] = (value >>> 16) & 0xff;
  buffer[offset + 2] = (value >>> 8) & 0xff;
  buffer[offset + 3] = value & 0xff;
}

/** Plain SHA-256, used to shorten keys longer than a block (RFC 2104). */
function sha256(data: Uint8Array): Uint8Array {
  const buffer = new Uint8Array(data.length + BLOCK + 9);
  buffer.set(data);
  const state = new Int32Array(IV);
  finish(state, buffer, data.length, 0);
  const out = new Uint8Array(32);
  for (let i = 0; i < 8; i++) writeUint32(out, i * 4, state[i] as number);
  return out;
}

export class HmacSha256 {
  private readonly inner = new Int32Array(8);
  private readonly outer = new Int32Array(8);
  private readonly state = new Int32Array(8);
  private readonly outerBlock = new Uint8Array(BLOCK);
  private scratch = new Uint8Array(256);
  private readonly encoder = new TextEncoder();

  constructor(key: Uint8Array) {
    const pad = new Uint8Array(BLOCK);
    const k = key.length > BLOCK ? sha256(key) : key;
    for (const [target, xor] of [[this.inner, 0x36], [this.outer, 0x5c]] as const) {
      for (let i = 0; i < BLOCK; i++) pad[i] = (i < k.length ? (k[i] as number) : 0) ^ xor;
      target.set(IV);
      compress(target, pad, 0);
    }
  }

  /** UTF-8 bytes of message into the scratch buffer; ASCII is copied directly (the common case). */
  private encode(message: string): number {
    const scratch = this.scratch;
    for (let i = 0; i < message.length; i++) {
      const c = message.charCodeAt(i);
      if (c >= 0x80) return this.encoder.encodeInto(message, scratch).written;
      scratch[i] = c;
    }
    return message.length;
  }

  /** First `hexChars` (≤ 8) hex characters of HMAC-SHA256(key, utf8(message)). */
  hexPrefix(message: string, hexChars: number): string {
    // UTF-8 needs at most 3 bytes per UTF-16 code unit, plus room for padding.
    const need = message.length * 3 + BLOCK + 9;
    if (this.scratch.length < need) this.scratch = new Uint8Array(need);
    const written = this.encode(message);
    const state = this.state;
    state.set(this.inner);
    finish(state, this.scratch, written, BLOCK);
    for (let i = 0; i < 8; i++) writeUint32(this.outerBlock, i * 4, state[i] as number);
    state.set(this.outer);
    finish(state, this.outerBlock, 32, BLOCK);
    return ((state[0] as number) >>> 0).toString(16).padStart(8, '0').slice(0, hexChars);
  }
}
