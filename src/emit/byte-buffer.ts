// One growing byte buffer that text is written into as UTF-8, for the renderer (render.ts) and the
// files it lays out (layout.ts). A large federation's output is a gigabyte of YAML written a few
// bytes at a time: joined as strings, the pieces cost the garbage collector more than the YAML costs
// to write, and the text was converted to UTF-8 once more on its way to disk. Written here, the bytes
// are made once, in place, and the buffer is reused from file to file.
//
// Strings are almost always ASCII: those are copied a code unit per byte. Anything else goes through
// Node's UTF-8 encoder (Buffer.write), which writes a lone surrogate as U+FFFD (EF BF BD), as
// writing the same string to a file or hashing it always did; `wellFormed` tells when that happened,
// so that whoever needs the string back exactly can take another path.

export class ByteBuffer {
  /** The bytes; those past `length` are garbage. Replaced by a larger one as the buffer grows. */
  data: Buffer;
  /** How many bytes are written. */
  length = 0;
  /** False once a string with a lone surrogate was written (as U+FFFD); reset() sets it again. */
  wellFormed = true;

  constructor(capacity = 64 * 1024) {
    this.data = Buffer.allocUnsafeSlow(capacity);
  }

  reset(): void {
    this.length = 0;
    this.wellFormed = true;
  }

  /** Room for `n` more bytes; returns the (possibly new) storage. */
  reserve(n: number): Buffer {
    const need = this.length + n;
    if (need > this.data.length) {
      let size = this.data.length * 2;
      while (size < need) size *= 2;
      const grown = Buffer.allocUnsafeSlow(size);
      this.data.copy(grown, 0, 0, this.length);
      this.data = grown;
    }
    return this.data;
  }

  /** A string as UTF-8. */
  text(s: string): void {
    const n = s.length;
    // A UTF-16 code unit is at most three bytes of UTF-8 (a surrogate pair, two units, is four).
    const data = this.reserve(3 * n);
    if (n > LONG) {
      this.encoded(s);
      return;
    }
    let at = this.length;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) {
        this.encoded(s);
        return;
      }
      data[at++] = c;
    }
    this.length = at;
  }

  /** Node's encoder, over whatever the ASCII loop may have written of `s` already. */
  private encoded(s: string): void {
    const written = this.data.write(s, this.length, "utf8");
    // Only a string with something other than ASCII has more bytes than code units.
    if (written !== s.length && !isWellFormed(s)) this.wellFormed = false;
    this.length += written;
  }

  /** A line break, then two spaces per level of `depth`. */
  newline(depth: number): void {
    const data = this.reserve(1 + 2 * depth);
    let at = this.length;
    data[at++] = 0x0a;
    for (let end = at + 2 * depth; at < end; at++) data[at] = 0x20;
    this.length = at;
  }

  /** One ASCII character, by its code. */
  byte(c: number): void {
    this.reserve(1)[this.length++] = c;
  }

  /** An ASCII string put in at `at`, the bytes from there on moved after it. */
  insertAscii(at: number, s: string): void {
    const n = s.length;
    const data = this.reserve(n);
    data.copyWithin(at + n, at, this.length);
    for (let i = 0; i < n; i++) data[at + i] = s.charCodeAt(i);
    this.length += n;
  }

  /** A copy of bytes `start` to `end`, which outlives the buffer's reuse. */
  copy(start = 0, end = this.length): Buffer {
    const out = Buffer.allocUnsafe(end - start);
    this.data.copy(out, 0, start, end);
    return out;
  }

  /** Bytes `start` to `end` as a string. */
  toString(start = 0, end = this.length): string {
    return this.data.toString("utf8", start, end);
  }
}

/**
 * Byte arrays one after another in one new buffer (to move to another thread rather than copy each),
 * with where each ends in it.
 */
export function concatBytes(parts: readonly Uint8Array[]): { bytes: ArrayBuffer; ends: number[] } {
  let total = 0;
  for (const p of parts) total += p.length;
  const bytes = new Uint8Array(total);
  const ends: number[] = [];
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
    ends.push(at);
  }
  return { bytes: bytes.buffer, ends };
}

// Past this many code units a string goes to the encoder at once: one native call is then cheaper
// than the loop, whatever the string holds.
const LONG = 256;

// String.prototype.isWellFormed is in Node 20, but not in the ES2023 library the code is typed with.
const isWellFormed = (s: string): boolean => (s as string & { isWellFormed(): boolean }).isWellFormed();
