// The notebooks and files a workspace resource uses, brought into the project as the Databricks CLI's
// `bundle generate` brings them: each workspace path is mapped into the source folder below the paths' common
// folder (a notebook gets its language's extension), and the settings then name the local copy.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, posix, relative } from 'node:path';
import { UserError } from '../errors/index.ts';
import { NOTEBOOK_EXTENSION, type NotebookLanguage } from '../model/notebook-files.ts';
import type { WorkspaceClient } from '../workspace/index.ts';
import { isNotFound } from '../workspace/index.ts';


interface Planned {
  /** The workspace path it comes from. */
  remote: string;
  /** Where it goes, absolute. */
  local: string;
  /** Its content, once fetched. */
  content?: Buffer;
}

/** The longest common folder of workspace paths (the CLI's commonDirPrefix). */
export function commonFolder(paths: readonly string[]): string {
  if (paths.length === 0) return '';
  if (paths.length === 1) return posix.dirname(paths[0]!);
  let prefix = paths[0]!;
  for (const p of paths.slice(1)) while (!p.startsWith(prefix)) prefix = prefix.slice(0, -1);
  const slash = prefix.lastIndexOf('/');
  return slash >= 0 ? prefix.slice(0, slash) : '';
}

export class Downloader {
  private readonly planned: Planned[] = [];
  private base = '';

  /**
   * @param sourceDir absolute folder the copies go to
   * @param pathBase absolute folder the rewritten paths are relative to (the bundle's source root)
   */
  constructor(
    private readonly client: WorkspaceClient,
    private readonly sourceDir: string,
    private readonly pathBase: string,
  ) {}

  /** The paths that will be downloaded decide the common folder their copies are placed under. */
  setBase(paths: readonly string[]): void {
    this.base = commonFolder(paths);
  }

  /** The path below the common folder (the base name when it lies outside). */
  private belowBase(remote: string): string {
    const base = this.base || posix.dirname(remote);
    if (remote === base) return '';
    return remote.startsWith(`${base}/`) ? remote.slice(base.length + 1) : posix.basename(remote);
  }

  private localFor(remote: string, extension: string): string {
    let rel = this.belowBase(remote);
    // A notebook's workspace path has no extension, or one its language already implies.
    if (extension && !rel.toLowerCase().endsWith(extension)) rel += extension;
    return join(this.sourceDir, ...rel.split('/'));
  }

  /** The path the settings name a downloaded workspace folder by. */
  folderFor(remote: string): string {
    const rel = this.belowBase(remote);
    return relative(this.pathBase, join(this.sourceDir, ...rel.split('/').filter(Boolean))).split('\\').join('/') || '.';
  }

  /** Plans the download of a notebook and returns the path the settings name it by. */
  async notebook(remote: string): Promise<string> {
    const info = await this.status(remote);
    const extension = info.object_type === 'NOTEBOOK' ? (NOTEBOOK_EXTENSION[info.language as NotebookLanguage] ?? '') : '';
    return this.plan(remote, this.localFor(remote, extension));
  }

  /** Plans the download of a workspace file and returns the path the settings name it by. */
  async file(remote: string): Promise<string> {
    await this.status(remote);
    return this.plan(remote, this.localFor(remote, ''));
  }

  private async status(remote: string) {
    try {
      return await this.client.workspace.getStatus({ path: remote });
    } catch (error) {
      if (isNotFound(error)) throw new UserError(`${remote} does not exist in the workspace; the resource refers to it.`, 'Fix the path in the workspace, or remove the task that names it, then generate again.');
      throw error;
    }
  }

  private plan(remote: string, local: string): string {
    if (!this.planned.some((p) => p.local === local)) this.planned.push({ remote, local });
    return relative(this.pathBase, local).split('\\').join('/');
  }

  /** Reads every planned file from the workspace (nothing is written yet). */
  async fetch(): Promise<void> {
    for (const p of this.planned) {
      const exported = await this.client.workspace.export({ path: p.remote, format: 'SOURCE' });
      p.content = Buffer.from(exported.content ?? '', 'base64');
    }
  }

  /** Local files that exist with other content (the same file shared by two resources is no clash). */
  async clashes(): Promise<string[]> {
    const out: string[] = [];
    for (const p of this.planned) {
      if (existsSync(p.local) && (p.content === undefined || !(await readFile(p.local)).equals(p.content))) out.push(p.local);
    }
    return out;
  }

  /** Writes every fetched file; returns the local paths written. */
  async write(): Promise<string[]> {
    for (const p of this.planned) {
      await mkdir(dirname(p.local), { recursive: true });
      await writeFile(p.local, p.content ?? Buffer.alloc(0));
    }
    return this.planned.map((p) => p.local);
  }
}
