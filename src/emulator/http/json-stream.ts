// A JSON object request body read as it arrives, with one string member (a workspace import's base64 `content`)
// decoded in chunks into a stream instead of being held: the other members are kept as JSON text (small, bounded)
// and parsed once the body has ended. A generic streaming JSON parser (clarinet, @streamparser/json) hands a string
// value over only whole, which is exactly the 14 MB copy this avoids; the bodies this serves are flat objects of a
// fixed shape, so a scanner of one object level is all it takes (nested values of other members are passed through).
import { StringDecoder } from 'node:string_decoder';
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { malformedRequest } from './api-error.ts';
import { type JsonObject, isJsonObject, parseJson } from './json.ts';
import { type BlobRef, type BlobStore, BodyTooLargeError } from '../store/blobs.ts';

/** The other members together may not pass this (they are a path, a format and a few flags). */
const MAX_OTHER_MEMBERS = 1024 * 1024;
/** Base64 text is decoded in pieces of about this many characters. */
const DECODE_CHUNK = 64 * 1024;

const failedToParse = () => malformedRequest('Invalid JSON given in the body of the request - failed to parse');

type Where =
  | 'before-object'
  | 'before-key' // after `{` or `,`
  | 'key'
  | 'before-colon'
  | 'before-value'
  | 'value' // another member's value, copied as text
  | 'streamed' // inside the streamed member's string
  | 'after-value'
  | 'after-object';

export interface StreamedMember {
  /** Whether the body had the member as a string. */
  present: boolean;
  /** Its first decoded bytes (up to `headBytes`). */
  head: Buffer;
  /** Its full text, only when asked to keep it (for a request log in tests). */
  text?: string;
}

/**
 * A Transform from the body's bytes to the decoded bytes of member `name` (base64). Once it has ended, `fields()`
 * gives the other members (parsed, int64 as bigint) and `member` what was seen of the streamed one. Errors are
 * Databricks' MALFORMED_REQUEST, or BodyTooLargeError past `limit` body bytes.
 */
export class StreamedJsonObject extends Transform {
  readonly member: StreamedMember = { present: false, head: Buffer.alloc(0) };
  private readonly decoder = new StringDecoder('utf8');
  private where: Where = 'before-object';
  private bytes = 0;
  private members: string[] = [];
  private otherSize = 0;
  /** The current key's JSON text, then the current member's value text. */
  private key = '';
  private keyEscaped = false;
  private value = '';
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** In the streamed string: an escape in progress (`\` or `\uXX…`). */
  private escape = '';
  private base64 = '';
  private readonly kept: string[] = [];
  private readonly headBytes: number;

  constructor(
    private readonly name: string,
    private readonly limit: number,
    options: { headBytes?: number; keepText?: boolean } = {},
  ) {
    super({ readableHighWaterMark: DECODE_CHUNK });
    this.headBytes = options.headBytes ?? 256;
    if (options.keepText) this.member.text = '';
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) return done(new BodyTooLargeError(this.limit));
    try {
      this.scan(this.decoder.write(chunk));
      done();
    } catch (error) {
      done(error as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      this.scan(this.decoder.end());
      if (this.where !== 'after-object') throw failedToParse();
      this.decode(true);
      if (this.member.text !== undefined) this.member.text = this.kept.join('');
      done();
    } catch (error) {
      done(error as Error);
    }
  }

  /** The members other than the streamed one (call once the stream has ended). */
  fields(): JsonObject {
    let parsed: unknown;
    try {
      parsed = parseJson(`{${this.members.join(',')}}`);
    } catch {
      throw failedToParse();
    }
    if (!isJsonObject(parsed)) throw failedToParse();
    return parsed;
  }

  private scan(text: string): void {
    let i = 0;
    while (i < text.length) {
      if (this.where === 'streamed') {
        i = this.streamed(text, i);
        continue;
      }
      if (this.where === 'value') {
        i = this.copyValue(text, i);
        continue;
      }
      const c = text[i]!;
      i++;
      if (this.where === 'key') {
        this.key += c;
        if (this.keyEscaped) this.keyEscaped = false;
        else if (c === '\\') this.keyEscaped = true;
        else if (c === '"') this.where = 'before-colon';
        continue;
      }
      if (c === ' ' || c === '\n' || c === '\r' || c === '\t') continue;
      switch (this.where) {
        case 'before-object':
          if (c !== '{') throw malformedRequest('Invalid JSON given in the body of the request - expected a map');
          this.where = 'before-key';
          break;
        case 'before-key':
          if (c === '}' && this.members.length === 0 && !this.member.present) this.where = 'after-object';
          else if (c === '"') {
            this.key = '"';
            this.where = 'key';
          } else throw failedToParse();
          break;
        case 'before-colon':
          if (c !== ':') throw failedToParse();
          this.where = 'before-value';
          break;
        case 'before-value':
          if (c === '"' && this.keyName() === this.name) {
            if (this.member.present) throw malformedRequest(`Invalid JSON given in the body of the request - ${this.name} is given twice`);
            this.member.present = true;
            this.where = 'streamed';
          } else {
            this.value = '';
            this.depth = 0;
            this.inString = false;
            this.where = 'value';
            i--; // the value's first character is copied with it
          }
          break;
        case 'after-value':
          if (c === ',') this.where = 'before-key';
          else if (c === '}') this.where = 'after-object';
          else throw failedToParse();
          break;
        case 'after-object':
          throw failedToParse();
      }
    }
  }

  private keyName(): string {
    try {
      return JSON.parse(this.key) as string;
    } catch {
      throw failedToParse();
    }
  }

  /** Copies another member's value up to the `,` or `}` that ends it; returns where scanning goes on. */
  private copyValue(text: string, from: number): number {
    let i = from;
    for (; i < text.length; i++) {
      const c = text[i]!;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === '\\') this.escaped = true;
        else if (c === '"') this.inString = false;
      } else if (c === '"') this.inString = true;
      else if (c === '{' || c === '[') this.depth++;
      else if (c === '}' || c === ']') {
        if (this.depth === 0) break;
        this.depth--;
      } else if (c === ',' && this.depth === 0) break;
    }
    this.value += text.slice(from, i);
    this.otherSize += i - from;
    if (this.otherSize > MAX_OTHER_MEMBERS) throw new BodyTooLargeError(this.limit);
    if (i < text.length) {
      // The separator is read again as what follows a value.
      this.members.push(`${this.key}:${this.value}`);
      this.value = '';
      this.where = 'after-value';
    }
    return i;
  }

  /** Takes the streamed string's characters up to its closing quote, unescaping; returns where scanning goes on. */
  private streamed(text: string, from: number): number {
    let i = from;
    while (i < text.length) {
      if (this.escape !== '') {
        this.escape += text[i]!;
        i++;
        const unescaped = unescapeJson(this.escape);
        if (unescaped !== undefined) {
          this.escape = '';
          this.append(unescaped);
        }
        continue;
      }
      const quote = text.indexOf('"', i);
      const backslash = text.indexOf('\\', i);
      const stop = quote === -1 ? backslash : backslash === -1 ? quote : Math.min(quote, backslash);
      if (stop === -1) {
        this.append(text.slice(i));
        return text.length;
      }
      this.append(text.slice(i, stop));
      i = stop + 1;
      if (stop === quote) {
        this.where = 'after-value';
        return i;
      }
      this.escape = '\\';
    }
    return i;
  }

  private append(chars: string): void {
    if (chars === '') return;
    if (this.member.text !== undefined) this.kept.push(chars);
    this.base64 += chars;
    if (this.base64.length >= DECODE_CHUNK) this.decode(false);
  }

  /** Decodes whole groups of four base64 characters (all that is left at the end). */
  private decode(last: boolean): void {
    // Base64 decoding skips characters outside the alphabet (line breaks); they must not shift the groups of four.
    const clean = /[^A-Za-z0-9+/=_-]/.test(this.base64) ? this.base64.replace(/[^A-Za-z0-9+/=_-]/g, '') : this.base64;
    const usable = last ? clean.length : clean.length - (clean.length % 4);
    this.base64 = clean.slice(usable);
    if (usable === 0) return;
    const bytes = Buffer.from(clean.slice(0, usable), 'base64');
    if (this.member.head.length < this.headBytes) {
      this.member.head = Buffer.concat([this.member.head, bytes.subarray(0, this.headBytes - this.member.head.length)]);
    }
    this.push(bytes);
  }
}

const SIMPLE_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** The character an escape stands for once it is complete, undefined while it is not; a bad escape is refused. */
function unescapeJson(escape: string): string | undefined {
  const kind = escape[1]!;
  if (kind !== 'u') {
    const simple = SIMPLE_ESCAPES[kind];
    if (simple === undefined) throw failedToParse();
    return simple;
  }
  if (escape.length < 6) return undefined;
  if (!/^[0-9a-fA-F]{4}$/.test(escape.slice(2))) throw failedToParse();
  return String.fromCharCode(Number.parseInt(escape.slice(2), 16));
}

export interface StreamedBody {
  /** The other members. */
  fields: JsonObject;
  /** The member, stored, when the body had it as a string. */
  streamed?: { ref: BlobRef; head: Buffer };
  /** The member's text, when asked to keep it. */
  text?: string;
}

/**
 * Reads a request body with StreamedJsonObject, storing the member's decoded bytes in `blobs` (at most `maxBytes`:
 * BodyTooLargeError past it, or past `limit` body bytes). On failure the request is left unread from there on.
 */
export async function readStreamedBody(
  req: Readable,
  blobs: BlobStore,
  options: { name: string; limit: number; maxBytes: number; keepText?: boolean },
): Promise<StreamedBody> {
  const scanner = new StreamedJsonObject(options.name, options.limit, { keepText: options.keepText ?? false });
  // A client that goes away mid-body ends the scan with an error rather than leaving it waiting.
  const cutShort = () => {
    if (!req.readableEnded) scanner.destroy(new Error('the request body was cut short'));
  };
  req.once('close', cutShort);
  req.once('error', cutShort);
  req.pipe(scanner);
  try {
    const ref = await blobs.putStream(scanner, options.maxBytes);
    const fields = scanner.fields();
    const { member } = scanner;
    return {
      fields,
      ...(member.present ? { streamed: { ref, head: member.head } } : {}),
      ...(member.present && member.text !== undefined ? { text: member.text } : {}),
    };
  } catch (error) {
    req.unpipe(scanner);
    throw error;
  } finally {
    req.off('close', cutShort);
    req.off('error', cutShort);
  }
}
