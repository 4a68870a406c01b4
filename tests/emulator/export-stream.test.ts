// The streamed workspace export must give the same bytes as encoding the whole content at once, however the
// stored content is cut into chunks, with the notebook header added exactly when the content lacks it.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { jsonExport, rawExport, type ExportPrefix } from '../../src/emulator/handlers/export-stream.ts';

const header = '# Databricks notebook source';
const prefix: ExportPrefix = { text: Buffer.from(`${header}\n`), marker: Buffer.from(header) };

function chunked(bytes: Buffer, sizes: number[]): Readable {
  const chunks: Buffer[] = [];
  for (let at = 0, i = 0; at < bytes.length; i += 1) {
    const size = sizes[i % sizes.length]!;
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  return Readable.from(chunks);
}

describe('a workspace export as it streams', () => {
  it('encodes base64 across any chunking exactly as the whole content at once', async () => {
    const bytes = randomBytes(10_007);
    for (const sizes of [[1], [2], [3], [4, 5], [1000], [10_007], [7, 1, 3]]) {
      const body = JSON.parse(await text(jsonExport({ content: chunked(bytes, sizes), file_type: '' }))) as { content: string; file_type: string };
      expect(body).toEqual({ content: bytes.toString('base64'), file_type: '' });
    }
  });

  it('puts the header in front of a notebook that lacks it, and only then', async () => {
    const cases: [string, string][] = [
      ['print(1)\n', `${header}\nprint(1)\n`],
      [`${header}\nprint(1)\n`, `${header}\nprint(1)\n`],
      [`${header}\r\nprint(1)\n`, `${header}\r\nprint(1)\n`],
      ['# Databricks', `${header}\n# Databricks`],
      ['', `${header}\n`],
    ];
    for (const [stored, exported] of cases) {
      for (const sizes of [[1], [5], [1000]]) {
        expect(await text(rawExport({ content: chunked(Buffer.from(stored), sizes), prefix, file_type: 'py' }))).toBe(exported);
        const body = JSON.parse(await text(jsonExport({ content: chunked(Buffer.from(stored), sizes), prefix, file_type: 'py' }))) as { content: string };
        expect(Buffer.from(body.content, 'base64').toString('utf8')).toBe(exported);
      }
    }
  });
});
