// A workspace export answered as it is read from the blob store: the stored bytes, behind the notebook header
// when the stored content lacks it, either raw (direct_download) or base64 inside the export's JSON. A 10 MB
// notebook then never sits in memory as a buffer, a base64 string and a JSON text at once.
import { Readable } from 'node:stream';

/** A notebook's header, written in front of content that does not already start with `marker`. */
export interface ExportPrefix {
  text: Buffer;
  marker: Buffer;
}

/** The stream's bytes, with the prefix in front unless they start with its marker. */
async function* withPrefix(content: Readable, prefix: ExportPrefix | undefined): AsyncGenerator<Buffer> {
  const marker = prefix?.marker ?? Buffer.alloc(0);
  let head: Buffer = Buffer.alloc(0);
  let decided = prefix === undefined;
  for await (const chunk of content as AsyncIterable<Buffer>) {
    if (decided) {
      yield chunk;
      continue;
    }
    head = Buffer.concat([head, chunk]);
    if (head.length < marker.length && marker.subarray(0, head.length).equals(head)) continue;
    decided = true;
    if (!head.subarray(0, marker.length).equals(marker)) yield prefix!.text;
    yield head;
  }
  if (!decided) {
    // Shorter than the marker: the content lacks it.
    yield prefix!.text;
    if (head.length > 0) yield head;
  }
}

/** Base64 of a byte stream, chunk by chunk (carrying the bytes that do not fill a group of three). */
async function* base64Of(bytes: AsyncIterable<Buffer>): AsyncGenerator<string> {
  let carry: Buffer = Buffer.alloc(0);
  for await (const chunk of bytes) {
    const all = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    const whole = all.length - (all.length % 3);
    if (whole > 0) yield all.subarray(0, whole).toString('base64');
    carry = all.subarray(whole);
  }
  if (carry.length > 0) yield carry.toString('base64');
}

export interface ExportSource {
  content: Readable;
  prefix?: ExportPrefix;
  file_type: string;
}

export function rawExport(source: ExportSource): Readable {
  return Readable.from(withPrefix(source.content, source.prefix));
}

/** `{"content":"<base64>","file_type":"…"}`, as the export's JSON answer. */
export function jsonExport(source: ExportSource): Readable {
  async function* body(): AsyncGenerator<string> {
    yield '{"content":"';
    yield* base64Of(withPrefix(source.content, source.prefix));
    yield `","file_type":${JSON.stringify(source.file_type)}}`;
  }
  return Readable.from(body());
}
