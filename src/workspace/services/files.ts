// Files API for Unity Catalog volumes (/Volumes/<catalog>/<schema>/<volume>/...): raw bytes in and out.
// Not part of the generated API schema, so its small types live here.
import { UserError } from '../../errors/index.ts';
import { paginate } from '../pagination.ts';
import type { ServiceContext } from './endpoint.ts';

export interface FileMetadata {
  content_length?: number;
  content_type?: string;
  /** As the Last-Modified header gives it (an HTTP date). */
  last_modified?: string;
}

export interface DirectoryEntry {
  path: string;
  name?: string;
  is_directory?: boolean;
  file_size?: number;
  last_modified?: number;
}

interface DirectoryPage {
  contents?: DirectoryEntry[];
  next_page_token?: string;
}

/** `/Volumes/a b/c` → `/Volumes/a%20b/c`: each segment encoded, slashes kept. */
function encodePath(path: string): string {
  if (!path.startsWith('/')) throw new UserError(`Files API paths are absolute: "${path}"`, 'Use /Volumes/<catalog>/<schema>/<volume>/...');
  return path
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}

export class FilesService {
  constructor(private readonly ctx: ServiceContext) {}

  /**
   * Uploads a file (PUT). Parent directories are created implicitly. Without overwrite an existing file fails
   * with 409, so only an overwriting upload is retried after a lost response.
   */
  async upload(path: string, contents: Uint8Array | string, options: { overwrite?: boolean } = {}): Promise<void> {
    const overwrite = options.overwrite ?? false;
    await this.ctx.http.raw({
      method: 'PUT',
      path: `/api/2.0/fs/files${encodePath(path)}`,
      query: { overwrite },
      rawBody: { data: contents, contentType: 'application/octet-stream' },
      idempotent: overwrite,
      operation: 'files/upload',
    });
  }

  async download(path: string): Promise<Buffer> {
    const response = await this.ctx.http.raw({ method: 'GET', path: `/api/2.0/fs/files${encodePath(path)}`, operation: 'files/download' });
    return response.data;
  }

  /** HEAD: metadata from the response headers. A missing file fails with 404 (see isNotFound). */
  async getMetadata(path: string): Promise<FileMetadata> {
    const { headers } = await this.ctx.http.raw({ method: 'HEAD', path: `/api/2.0/fs/files${encodePath(path)}`, operation: 'files/get-metadata' });
    const metadata: FileMetadata = {};
    if (headers['content-length'] !== undefined) metadata.content_length = Number(headers['content-length']);
    if (headers['content-type'] !== undefined) metadata.content_type = headers['content-type'];
    if (headers['last-modified'] !== undefined) metadata.last_modified = headers['last-modified'];
    return metadata;
  }

  async delete(path: string): Promise<void> {
    await this.ctx.http.raw({ method: 'DELETE', path: `/api/2.0/fs/files${encodePath(path)}`, operation: 'files/delete' });
  }

  /** Creates the directory and its parents; succeeds when it exists. */
  async createDirectory(path: string): Promise<void> {
    await this.ctx.http.raw({ method: 'PUT', path: `/api/2.0/fs/directories${encodePath(path)}`, operation: 'files/create-directory' });
  }

  /** Deletes an empty directory. */
  async deleteDirectory(path: string): Promise<void> {
    await this.ctx.http.raw({ method: 'DELETE', path: `/api/2.0/fs/directories${encodePath(path)}`, operation: 'files/delete-directory' });
  }

  /** HEAD on a directory: resolves when it exists, fails with 404 otherwise. */
  async getDirectoryMetadata(path: string): Promise<void> {
    await this.ctx.http.raw({ method: 'HEAD', path: `/api/2.0/fs/directories${encodePath(path)}`, operation: 'files/get-directory-metadata' });
  }

  /** Entries of a directory, across pages. */
  listDirectory(path: string, options: { page_size?: number } = {}): AsyncGenerator<DirectoryEntry, void, undefined> {
    return paginate(
      (page_token) =>
        this.ctx.http.json<DirectoryPage>({
          method: 'GET',
          path: `/api/2.0/fs/directories${encodePath(path)}`,
          query: { page_size: options.page_size, page_token },
          operation: 'files/list-directory',
        }),
      (page) => page.contents,
    );
  }
}
