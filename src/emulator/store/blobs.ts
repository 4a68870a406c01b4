// File and notebook contents, kept out of the state object: in memory for a throwaway workspace, or as
// content-addressed files under `<dir>/blobs` for a persistent one, so the state file stays small and a
// 10 MB import does not sit on the heap. Unreferenced contents are swept.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { writeFileAtomic } from './atomic-file.ts';

/** A body went past its limit while it was being read. */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`body larger than ${limit} bytes`);
  }
}

/**
 * Reads a stream into memory, refusing it as soon as it passes `limit` bytes (what came after is left unread).
 * Events rather than `for await`: the async iterator destroys the stream when it is done, and for a request
 * that can tear down a keep-alive connection the response still has to use.
 */
export function readLimited(stream: Readable, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        stream.pause();
        reject(new BodyTooLargeError(limit));
      } else chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const cleanup = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
  });
}

/** Passes a stream through, keeping its first `size` bytes (to classify content while it is being stored). */
export class HeadTap extends Transform {
  head: Buffer = Buffer.alloc(0);

  constructor(private readonly size: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (this.head.length < this.size) this.head = Buffer.concat([this.head, chunk.subarray(0, this.size - this.head.length)]);
    done(null, chunk);
  }
}

export interface BlobRef {
  sha256: string;
  size: number;
}

export interface BlobStore {
  put(data: Buffer): Promise<BlobRef>;
  /** Stores a stream without holding it in memory where the store allows (at most `limit` bytes). */
  putStream(stream: Readable, limit: number): Promise<BlobRef>;
  get(ref: BlobRef): Promise<Buffer>;
  /** The content as a stream, for answers that need not hold it (file downloads). */
  open(ref: BlobRef): Promise<Readable>;
  has(ref: BlobRef): Promise<boolean>;
  /** Removes every content not in `keep` (sha256 digests). */
  sweep(keep: ReadonlySet<string>): Promise<void>;
}

export function digest(data: Buffer): BlobRef {
  return { sha256: createHash('sha256').update(data).digest('hex'), size: data.length };
}

export class MemoryBlobs implements BlobStore {
  private readonly blobs = new Map<string, Buffer>();

  async put(data: Buffer): Promise<BlobRef> {
    const ref = digest(data);
    this.blobs.set(ref.sha256, data);
    return ref;
  }

  async putStream(stream: Readable, limit: number): Promise<BlobRef> {
    return this.put(await readLimited(stream, limit));
  }

  async get(ref: BlobRef): Promise<Buffer> {
    const data = this.blobs.get(ref.sha256);
    if (!data) throw new Error(`content ${ref.sha256} is missing`);
    return data;
  }

  async open(ref: BlobRef): Promise<Readable> {
    return Readable.from([await this.get(ref)]);
  }

  async has(ref: BlobRef): Promise<boolean> {
    return this.blobs.has(ref.sha256);
  }

  async sweep(keep: ReadonlySet<string>): Promise<void> {
    for (const key of this.blobs.keys()) if (!keep.has(key)) this.blobs.delete(key);
  }
}

export class DirBlobs implements BlobStore {
  constructor(private readonly dir: string) {}

  private pathOf(sha256: string): string {
    return join(this.dir, sha256.slice(0, 2), sha256);
  }

  async put(data: Buffer): Promise<BlobRef> {
    const ref = digest(data);
    if (await this.has(ref)) return ref;
    await mkdir(join(this.dir, ref.sha256.slice(0, 2)), { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.pathOf(ref.sha256), data);
    return ref;
  }

  /** Streams to a temporary file while hashing, then renames it to its digest. */
  async putStream(stream: Readable, limit: number): Promise<BlobRef> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const temp = join(this.dir, `.${randomBytes(6).toString('hex')}.tmp`);
    const hash = createHash('sha256');
    let size = 0;
    try {
      await pipeline(
        stream,
        async function* (source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            size += chunk.length;
            if (size > limit) throw new BodyTooLargeError(limit);
            hash.update(chunk);
            yield chunk;
          }
        },
        createWriteStream(temp, { mode: 0o600 }),
      );
      const handle = await open(temp, 'r');
      await handle.sync().finally(() => handle.close());
      const ref = { sha256: hash.digest('hex'), size };
      await mkdir(join(this.dir, ref.sha256.slice(0, 2)), { recursive: true, mode: 0o700 });
      await rename(temp, this.pathOf(ref.sha256));
      return ref;
    } finally {
      await rm(temp, { force: true });
    }
  }

  async get(ref: BlobRef): Promise<Buffer> {
    return readFile(this.pathOf(ref.sha256));
  }

  async open(ref: BlobRef): Promise<Readable> {
    // Opened before answering, so a missing content is an error reply rather than a cut-off download.
    const handle = await open(this.pathOf(ref.sha256), 'r');
    return handle.createReadStream();
  }

  async has(ref: BlobRef): Promise<boolean> {
    return stat(this.pathOf(ref.sha256)).then(
      (s) => s.size === ref.size,
      () => false,
    );
  }

  async sweep(keep: ReadonlySet<string>): Promise<void> {
    for (const prefix of await readdir(this.dir).catch(() => [] as string[])) {
      for (const name of await readdir(join(this.dir, prefix)).catch(() => [] as string[])) {
        if (!keep.has(name)) await rm(join(this.dir, prefix, name), { force: true });
      }
    }
  }
}
