/**
 * Finds, in a `_bulk_docs` body as it streams by, a document whose `_id` starts with `_local/`:
 * a tablet's push streams unread (access-policy.ts), so its body is never whole in the proxy.
 * A byte-level state machine over the chunks, holding no bytes of them: what it needs of a string
 * (a top-level key, a document's key, an `_id`) is matched character by character, after JSON
 * unescaping, against the few characters it is looking for; every other string (a photo's base64
 * above all) is skipped with `indexOf`, which runs at memory speed.
 *
 * Exact for valid JSON, lenient for the rest: outside strings only `{}[],:` count, so malformed
 * input is tracked somehow and never throws; the database server refuses it anyway. Every
 * top-level `docs` array and every `_id` of a document counts, duplicates too: CouchDB keeps one
 * duplicate, PouchDB Server (JSON.parse) another.
 */
export class PushIdScan {
  /** Containers open around the current byte (0: outside the top-level value). */
  private depth = 0;
  /**
   * How many of those, from the outside, lead to a document: 1 the top-level object, 2 a `docs`
   * array in it, 3 a document in that. Levels below a document (or anywhere else) are only counted.
   */
  private path = 0;
  /** At `depth === path` in an object (levels 1 and 3): the next string is a key. */
  private expectKey = false;
  /** The key just read at that level was the one wanted (`docs`, `_id`)... */
  private keyMatched = false;
  /** ...and a ':' followed it: the value starting next is that key's. */
  private pending = false;

  private inString = false;
  /** Matching the current string against `target`; false: skipping it. */
  private matching = false;
  private target = NONE;
  /** Characters of `target` matched so far. */
  private matched = 0;
  private stringIsKey = false;
  /** In a string being matched: 1 after a backslash, 2-5 in the hex digits of `\uXXXX`. In one skipped: 1 after a backslash. */
  private escape = 0;
  private hex = 0;

  private found = false;

  /** Reads the next chunk; true once some document's `_id` starts with `_local/` (and for every chunk after). */
  write(chunk: Buffer): boolean {
    if (this.found) return true;
    const length = chunk.length;
    // Where `indexOf` found the next quote and backslash, kept until passed: looked up again after
    // each escape, a long text with many escapes would be scanned over and over.
    let nextQuote = -1;
    let nextBackslash = -1;
    let i = 0;
    while (i < length) {
      if (this.inString) {
        if (!this.matching) {
          if (this.escape) {
            this.escape = 0;
            i++;
            continue;
          }
          // The string's end or next escape: looked for byte by byte first, as most strings are short
          // and end sooner than a native call returns; then with `indexOf` (a photo's base64).
          let stop = i;
          const near = Math.min(length, i + SHORT_STRING);
          while (stop < near && chunk[stop] !== QUOTE && chunk[stop] !== BACKSLASH) stop++;
          if (stop === near && near < length) {
            if (nextQuote < stop) {
              nextQuote = chunk.indexOf(QUOTE, stop);
              if (nextQuote < 0) nextQuote = length;
            }
            if (nextBackslash < stop) {
              nextBackslash = chunk.indexOf(BACKSLASH, stop);
              if (nextBackslash < 0) nextBackslash = length;
            }
            stop = Math.min(nextQuote, nextBackslash);
          }
          if (stop === length) return false;
          i = stop + 1;
          if (chunk[stop] === QUOTE) this.endString();
          else this.escape = 1;
          continue;
        }
        if (this.matchByte(chunk[i++])) return (this.found = true);
        continue;
      }
      this.structure(chunk[i++]);
    }
    return false;
  }

  /** One byte outside any string. */
  private structure(byte: number): void {
    switch (byte) {
      case 0x20:
      case 0x09:
      case 0x0a:
      case 0x0d:
        return;
      case QUOTE:
        return this.startString();
      case 0x3a: // ':'
        this.pending = this.keyMatched;
        this.keyMatched = false;
        this.expectKey = false;
        return;
      case 0x2c: // ','
        this.expectKey = this.depth === this.path && (this.path === 1 || this.path === 3);
        break;
      case 0x7b: // '{': the top-level object, or a document in a `docs` array
        if (this.depth === this.path && (this.depth === 0 || this.depth === 2)) {
          this.path = this.depth + 1;
          this.expectKey = true;
        }
        this.depth++;
        break;
      case 0x5b: // '[': a `docs` array
        if (this.depth === this.path && this.depth === 1 && this.pending) this.path = 2;
        this.depth++;
        break;
      case 0x7d: // '}'
      case 0x5d: // ']'
        if (this.depth > 0) this.depth--;
        if (this.path > this.depth) this.path = this.depth;
        this.expectKey = false;
        break;
      // Anything else is part of a number or a literal (or not JSON): it is a value, not a key.
    }
    this.pending = false;
    this.keyMatched = false;
  }

  private startString(): void {
    this.inString = true;
    this.escape = 0;
    this.matched = 0;
    this.stringIsKey = false;
    this.target = NONE;
    if (this.depth === this.path && (this.path === 1 || this.path === 3)) {
      if (this.expectKey) {
        this.stringIsKey = true;
        this.target = this.path === 1 ? DOCS : ID;
        this.expectKey = false;
      } else if (this.path === 3 && this.pending) {
        this.target = LOCAL_PREFIX;
      }
    }
    this.matching = this.target !== NONE;
    this.pending = false;
    this.keyMatched = false;
  }

  private endString(): void {
    this.keyMatched = this.stringIsKey && this.matching && this.matched === this.target.length;
    this.inString = false;
    this.matching = false;
    this.escape = 0;
  }

  /** One byte of a string being matched; true when it completes `_local/` in an `_id`. */
  private matchByte(byte: number): boolean {
    if (this.escape === 0) {
      if (byte === QUOTE) {
        this.endString();
        return false;
      }
      if (byte === BACKSLASH) {
        this.escape = 1;
        return false;
      }
      return this.matchChar(byte);
    }
    if (this.escape === 1) {
      if (byte === 0x75 /* u */) {
        this.escape = 2;
        this.hex = 0;
        return false;
      }
      this.escape = 0;
      return this.matchChar(byte < 128 ? SHORT_ESCAPES[byte] : -1);
    }
    const digit = hexDigit(byte);
    if (digit < 0) {
      // Not JSON. Skipped from here, this byte included (it may be the closing quote).
      this.escape = 0;
      this.matching = false;
      return this.matchByteSkipped(byte);
    }
    this.hex = this.hex * 16 + digit;
    if (++this.escape < 6) return false;
    this.escape = 0;
    return this.matchChar(this.hex);
  }

  /** A byte that turned out not to be matched: what skipping would have done with it. */
  private matchByteSkipped(byte: number): boolean {
    if (byte === QUOTE) this.endString();
    else if (byte === BACKSLASH) this.escape = 1;
    return false;
  }

  /** One decoded character (a UTF-16 code unit; a byte of a multi-byte UTF-8 character never matches). */
  private matchChar(char: number): boolean {
    const target = this.target;
    if (this.matched < target.length && char === target[this.matched]) {
      this.matched++;
      return target === LOCAL_PREFIX && this.matched === target.length;
    }
    // The rest of the string is skipped, quickly.
    this.matching = false;
    return false;
  }
}

/**
 * Whether a body of this Content-Type is read as UTF-8 by both servers, as the scan reads it.
 * PouchDB Server decodes a JSON body in the charset it names (body-parser: utf-16le, utf-7, ...),
 * where `"_id"` is other bytes; CouchDB reads any body as UTF-8. A push names none (PouchDB and
 * CouchDB's replicator send `application/json`).
 */
export function readAsUtf8(contentType: string | undefined): boolean {
  const type = (contentType ?? '').toLowerCase();
  if (!type.includes('charset')) return true;
  return type.indexOf('charset') === type.lastIndexOf('charset') && /;\s*charset\s*=\s*(?:utf-8|"utf-8")\s*(?:;|$)/.test(type);
}

const QUOTE = 0x22;
/** Bytes of a skipped string looked at one by one before `indexOf` takes over. */
const SHORT_STRING = 32;
const BACKSLASH = 0x5c;
const ascii = (text: string) => Uint8Array.from(text, (char) => char.charCodeAt(0));
const NONE = new Uint8Array(0);
const DOCS = ascii('docs');
const ID = ascii('_id');
const LOCAL_PREFIX = ascii('_local/');

/** What `\x` stands for, by the byte x; -1 where JSON has no such escape. */
const SHORT_ESCAPES = Int16Array.from({ length: 128 }, () => -1);
for (const [escape, char] of Object.entries({ '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' })) {
  SHORT_ESCAPES[escape.charCodeAt(0)] = char.charCodeAt(0);
}

function hexDigit(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}
