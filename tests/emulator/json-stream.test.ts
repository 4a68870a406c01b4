import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { HttpApiError } from '../../src/emulator/http/api-error.ts';
import { readStreamedBody } from '../../src/emulator/http/json-stream.ts';
import { BodyTooLargeError, MemoryBlobs } from '../../src/emulator/store/blobs.ts';

/** Sends `text` in pieces of `size` bytes (a multi-byte character may be split across two). */
function body(text: string, size: number): Readable {
  const bytes = Buffer.from(text);
  const pieces: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) pieces.push(bytes.subarray(i, i + size));
  return Readable.from(pieces);
}

async function read(text: string, size = 7, limit = 1024 * 1024, maxBytes = 1024 * 1024) {
  const blobs = new MemoryBlobs();
  const got = await readStreamedBody(body(text, size), blobs, { name: 'content', limit, maxBytes, keepText: true });
  return { ...got, bytes: got.streamed ? await blobs.get(got.streamed.ref) : undefined };
}

const errorOf = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error);

describe('a JSON body with a streamed base64 member', () => {
  const content = Buffer.from('# Databricks notebook source\nprint("héllo")\n'.repeat(50));
  const encoded = content.toString('base64');

  it('decodes the member into the store and parses the other members, in any order and however the body is cut', async () => {
    const text = JSON.stringify({ path: '/Shared/é "q"', options: { a: [1, '}', { b: ',' }] }, content: encoded, overwrite: true, n: 12345678901234567890n.toString() });
    for (const size of [1, 2, 3, 5, 64, 4096]) {
      const got = await read(text.replace('"n":"12345678901234567890"', '"n":12345678901234567890'), size);
      expect(got.bytes).toEqual(content);
      expect(got.streamed?.head).toEqual(content.subarray(0, 256));
      expect(got.text).toBe(encoded);
      expect(got.fields).toEqual({ path: '/Shared/é "q"', options: { a: [1, '}', { b: ',' }] }, overwrite: true, n: 12345678901234567890n });
    }
  });

  it('unescapes the member (\\/, \\u, line breaks) as JSON.parse would', async () => {
    const escaped = encoded.replaceAll('/', '\\/').replace('A', '\\u0041').replace(/(.{76})/g, '$1\\n');
    const got = await read(`{"content":"${escaped}","path":"/p"}`, 3);
    expect(got.bytes).toEqual(Buffer.from(JSON.parse(`"${escaped}"`) as string, 'base64'));
    expect(got.bytes).toEqual(content);
  });

  it('has no member for a body without it, or with it as a non-string (left among the fields)', async () => {
    expect(await read('{}')).toMatchObject({ fields: {} });
    expect((await read('{}')).streamed).toBeUndefined();
    const nulled = await read('{ "path" : "/p" , "content" : null }');
    expect(nulled.streamed).toBeUndefined();
    expect(nulled.fields).toEqual({ path: '/p', content: null });
  });

  it('refuses what is not one JSON object as MALFORMED_REQUEST', async () => {
    for (const text of ['[1]', '{"path": "/p"', '{"path": "/p"} x', '{"path" "/p"}', '{"path": }', '{"content": "QQ==", "content": "QQ=="}', '{"content": "\\x"}', '{,}', '{"a":1,}']) {
      const error = await errorOf(read(text));
      expect(error, text).toBeInstanceOf(HttpApiError);
      expect((error as HttpApiError).errorCode, text).toBe('MALFORMED_REQUEST');
    }
  });

  it('stops at the body limit or the decoded limit, before the body ends', async () => {
    const big = `{"content": "${'QUJD'.repeat(1000)}"}`;
    expect(await errorOf(read(big, 100, 1000))).toBeInstanceOf(BodyTooLargeError);
    expect(await errorOf(read(big, 100, 1024 * 1024, 2000))).toBeInstanceOf(BodyTooLargeError);
    expect((await read(big, 100, 1024 * 1024, 3000)).bytes).toEqual(Buffer.from('ABC'.repeat(1000)));
  });
});
