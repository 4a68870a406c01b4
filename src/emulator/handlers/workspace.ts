// Workspace API 2.0: mkdirs, import, export, get-status, list, delete; plus the workspace-files
// import-file endpoint the Databricks CLI uses. Import does not create parent folders (404), refuses to
// replace an object unless overwrite is set (409), and AUTO turns a `# Databricks notebook source` file
// into a notebook without its extension.
import { HttpApiError, alreadyExists, invalidParameter } from '../http/api-error.ts';
import type { Route } from '../http/router.ts';
import { nextObjectId } from '../ids.ts';
import type { NotebookLanguage, WorkspaceObject, WorkspaceState } from '../state.ts';
import { type BlobRef, type BlobStore, BodyTooLargeError, HeadTap } from '../store/blobs.ts';
import { jupyterToSource, notebookHeader, sourceToJupyter } from '../notebook-formats.ts';
import {
  baseName,
  childPaths,
  descendantPaths,
  makeDirectories,
  normaliseWorkspacePath,
  requireObject,
  requireParentDirectory,
} from '../workspace-tree.ts';
import { type HandlerContext, ok, optBool, optString, queryBool, requireQuery, requireString } from './context.ts';
import { trashDashboard } from './lakeview.ts';
import { type ExportSource, jsonExport, rawExport } from './export-stream.ts';
import { Readable } from 'node:stream';

/** Databricks' limit on one workspace import (the decoded content). */
export const MAX_IMPORT_BYTES = 10 * 1024 * 1024;

export const importTooLarge = () => new HttpApiError(400, 'MAX_NOTEBOOK_SIZE_EXCEEDED', 'File size imported is larger than the 10MB limit.');

const EXTENSIONS: Record<string, NotebookLanguage> = { '.py': 'PYTHON', '.sql': 'SQL', '.scala': 'SCALA', '.r': 'R' };
const FILE_TYPE: Record<NotebookLanguage, string> = { PYTHON: 'py', SQL: 'sql', SCALA: 'scala', R: 'r' };

interface Imported {
  path: string;
  object_type: 'NOTEBOOK' | 'FILE';
  language?: NotebookLanguage;
}

/** How AUTO classifies an upload: a source file with the notebook header is a notebook. */
function classifyAuto(path: string, head: Buffer): Imported {
  const dot = path.lastIndexOf('.');
  const ext = dot > path.lastIndexOf('/') ? path.slice(dot).toLowerCase() : '';
  if (ext === '.ipynb') return { path: path.slice(0, dot), object_type: 'NOTEBOOK', language: 'PYTHON' };
  const language = EXTENSIONS[ext];
  const firstLine = head.subarray(0, 200).toString('utf8').split('\n')[0]?.trim();
  if (language && firstLine === notebookHeader(language)) return { path: path.slice(0, dot), object_type: 'NOTEBOOK', language };
  return { path, object_type: 'FILE' };
}

function classify(path: string, format: string, language: string | undefined, head: Buffer): Imported {
  switch (format) {
    case 'AUTO':
      return classifyAuto(path, head);
    case 'RAW':
      return { path, object_type: 'FILE' };
    case 'JUPYTER': {
      const lang = language === undefined ? 'PYTHON' : language;
      if (!Object.values(EXTENSIONS).includes(lang as NotebookLanguage)) throw invalidParameter(`Invalid language: ${lang}`);
      return { path: path.replace(/\.ipynb$/i, ''), object_type: 'NOTEBOOK', language: lang as NotebookLanguage };
    }
    case 'SOURCE':
      if (language === undefined) {
        throw invalidParameter('The language field is required to import a single file in SOURCE format.');
      }
      if (!Object.values(EXTENSIONS).includes(language as NotebookLanguage)) {
        throw invalidParameter(`Invalid language: ${language}`);
      }
      return { path, object_type: 'NOTEBOOK', language: language as NotebookLanguage };
    case 'DBC':
    case 'HTML':
    case 'R_MARKDOWN':
      throw new HttpApiError(501, 'NOT_IMPLEMENTED', `Import format ${format} is not supported by the emulator.`);
    default:
      throw invalidParameter(`Invalid format: ${format}`);
  }
}

function isJupyter(req: { path: string; format: string }): boolean {
  return req.format === 'JUPYTER' || (req.format === 'AUTO' && /\.ipynb$/i.test(req.path));
}

/** Databricks keeps an imported .ipynb as a source notebook (cells), so it exports as SOURCE or JUPYTER alike. */
function fromJupyter(content: Buffer, language: NotebookLanguage | undefined): Buffer {
  try {
    return Buffer.from(jupyterToSource(content.toString('utf8'), language ?? 'PYTHON'));
  } catch (error) {
    throw invalidParameter(`The content is not a valid Jupyter notebook: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** An import's content, already in the blob store (streamed there as the request arrived), with its first bytes. */
export interface StoredContent {
  ref: BlobRef;
  head: Buffer;
}

const NO_CONTENT: StoredContent = { ref: { sha256: '', size: 0 }, head: Buffer.alloc(0) };

export async function importObject(
  state: WorkspaceState,
  blobs: BlobStore,
  now: number,
  req: { path: string; content: StoredContent; format: string; language?: string; overwrite: boolean },
): Promise<void> {
  if (req.content.ref.size > MAX_IMPORT_BYTES) throw importTooLarge();
  const target = classify(normaliseWorkspacePath(req.path), req.format, req.language, req.content.head);
  const check = () => {
    requireParentDirectory(state, target.path);
    const existing = state.objects[target.path];
    if (existing && (!req.overwrite || existing.object_type === 'DIRECTORY' || existing.object_type === 'DASHBOARD')) {
      throw alreadyExists(`${target.path} already exists.`);
    }
    return existing;
  };
  check();
  // A notebook uploaded as .ipynb is kept as source: read back, converted and stored again (at most 10 MB).
  const stored = req.content.ref.size === 0 ? await blobs.put(Buffer.alloc(0)) : req.content.ref;
  const blob = isJupyter(req) ? await blobs.put(fromJupyter(await blobs.get(stored), target.language)) : stored;
  // Checked again: another request may have changed the tree while the content was being stored.
  const existing = check();
  state.objects[target.path] = {
    object_type: target.object_type,
    object_id: existing?.object_id ?? nextObjectId(state),
    created_at: existing?.created_at ?? now,
    modified_at: now,
    ...(target.language ? { language: target.language } : {}),
    blob,
  };
}

export function objectInfo(path: string, obj: WorkspaceObject): Record<string, unknown> {
  const size = obj.blob?.size;
  return {
    object_type: obj.object_type,
    path,
    object_id: obj.object_id,
    ...(obj.language ? { language: obj.language } : {}),
    created_at: obj.created_at,
    modified_at: obj.modified_at,
    ...(size !== undefined && obj.object_type !== 'DASHBOARD' ? { size } : {}),
    resource_id: obj.resource_id ?? obj.object_id.toString(),
  };
}

/** What an export answers: a notebook's or file's stored bytes (streamed), or a text made from them. */
async function exportContent(state: WorkspaceState, blobs: BlobStore, path: string, obj: WorkspaceObject, format: string): Promise<ExportSource> {
  const whole = (text: string, file_type: string): ExportSource => ({ content: Readable.from([Buffer.from(text)]), file_type });
  if (obj.object_type === 'DASHBOARD') {
    const dashboard = state.dashboards[obj.resource_id ?? ''];
    return whole(dashboard?.serialized_dashboard ?? '{}', 'lvdash.json');
  }
  const stored = async () => (obj.blob ? blobs.open(obj.blob) : Readable.from([]));
  if (obj.object_type !== 'NOTEBOOK' || !obj.language) {
    if (format === 'JUPYTER') throw invalidParameter(`${path} is a file, not a notebook: it cannot be exported as JUPYTER.`);
    return { content: await stored(), file_type: '' };
  }
  if (format === 'JUPYTER') {
    const text = obj.blob ? (await blobs.get(obj.blob)).toString('utf8') : '';
    return whole(sourceToJupyter(text, obj.language, baseName(path)), 'ipynb');
  }
  // Databricks stores notebooks as cells and writes the header back on export (SOURCE, and AUTO for notebooks).
  const header = notebookHeader(obj.language);
  return { content: await stored(), prefix: { text: Buffer.from(`${header}\n`), marker: Buffer.from(header) }, file_type: FILE_TYPE[obj.language] };
}

function deleteObject(ctx: HandlerContext, path: string, recursive: boolean): void {
  const { state } = ctx;
  const obj = requireObject(state, path);
  if (path === '/') throw invalidParameter('Cannot delete the workspace root.');
  const descendants = descendantPaths(state, path);
  if (obj.object_type === 'DIRECTORY' && descendants.length > 0 && !recursive) {
    throw new HttpApiError(400, 'DIRECTORY_NOT_EMPTY', `Folder (${path}) is not empty.`);
  }
  for (const p of [...descendants, path]) {
    const o = state.objects[p];
    // Deleting a dashboard's file moves the dashboard to the trash, as in the workspace UI.
    if (o?.object_type === 'DASHBOARD' && o.resource_id) trashDashboard(state, o.resource_id, ctx.now);
    delete state.objects[p];
  }
}

export const workspaceRoutes: Route[] = [
  {
    method: 'POST',
    pattern: '/api/2.0/workspace/mkdirs',
    body: 'json',
    handle: (ctx) => {
      makeDirectories(ctx.state, normaliseWorkspacePath(requireString(ctx.body, 'path')), ctx.now);
      return ok();
    },
  },
  {
    method: 'POST',
    pattern: '/api/2.0/workspace/import',
    body: 'json',
    // The content arrives base64 in JSON: a body this large cannot hold 10 MB or less, so it is refused unread.
    maxBytes: Math.ceil((MAX_IMPORT_BYTES * 4) / 3) + 64 * 1024,
    tooLarge: importTooLarge,
    // Decoded into the blob store as it arrives; refused as soon as it passes 10 MB.
    streamedMember: { name: 'content', maxBytes: MAX_IMPORT_BYTES },
    handle: async (ctx) => {
      const language = optString(ctx.body, 'language');
      // A content that is not a string is refused as before; an absent one imports an empty object.
      if (!ctx.streamed) optString(ctx.body, 'content');
      await importObject(ctx.state, ctx.blobs, ctx.now, {
        path: requireString(ctx.body, 'path'),
        content: ctx.streamed ?? NO_CONTENT,
        format: optString(ctx.body, 'format') ?? 'SOURCE',
        ...(language !== undefined ? { language } : {}),
        overwrite: optBool(ctx.body, 'overwrite') ?? false,
      });
      return ok();
    },
  },
  {
    method: 'POST',
    pattern: '/api/2.0/workspace-files/import-file/{path*}',
    body: 'stream',
    maxBytes: MAX_IMPORT_BYTES,
    tooLarge: importTooLarge,
    handle: async (ctx) => {
      const path = `/${ctx.params['path'] ?? ''}`;
      const overwrite = queryBool(ctx.query, 'overwrite');
      const head = new HeadTap(256);
      let ref: BlobRef;
      try {
        ref = await ctx.blobs.putStream(ctx.stream.pipe(head), MAX_IMPORT_BYTES);
      } catch (error) {
        ctx.stream.unpipe(head);
        if (error instanceof BodyTooLargeError) throw importTooLarge();
        throw error;
      }
      await importObject(ctx.state, ctx.blobs, ctx.now, { path, content: { ref, head: head.head }, format: 'AUTO', overwrite });
      return ok();
    },
  },
  {
    method: 'GET',
    pattern: '/api/2.0/workspace/export',
    body: 'none',
    handle: async (ctx) => {
      const path = normaliseWorkspacePath(requireQuery(ctx.query, 'path'));
      const obj = requireObject(ctx.state, path);
      const format = ctx.query.get('format') ?? 'SOURCE';
      if (obj.object_type === 'DIRECTORY') {
        throw new HttpApiError(501, 'NOT_IMPLEMENTED', 'Exporting a directory is not supported by the emulator.');
      }
      if (['DBC', 'HTML', 'R_MARKDOWN'].includes(format)) {
        throw new HttpApiError(501, 'NOT_IMPLEMENTED', `Export format ${format} is not supported by the emulator.`);
      }
      if (!['SOURCE', 'AUTO', 'RAW', 'JUPYTER'].includes(format)) throw invalidParameter(`Invalid format: ${format}`);
      const source = await exportContent(ctx.state, ctx.blobs, path, obj, format);
      if (queryBool(ctx.query, 'direct_download')) return { stream: rawExport(source), headers: { 'content-type': 'application/octet-stream' } };
      return { stream: jsonExport(source), headers: { 'content-type': 'application/json' } };
    },
  },
  {
    method: 'GET',
    pattern: '/api/2.0/workspace/get-status',
    body: 'none',
    handle: (ctx) => {
      const path = normaliseWorkspacePath(requireQuery(ctx.query, 'path'));
      return ok(objectInfo(path, requireObject(ctx.state, path)));
    },
  },
  {
    method: 'GET',
    pattern: '/api/2.0/workspace/list',
    body: 'none',
    handle: (ctx) => {
      const path = normaliseWorkspacePath(requireQuery(ctx.query, 'path'));
      const obj = requireObject(ctx.state, path);
      if (obj.object_type !== 'DIRECTORY') return ok({ objects: [objectInfo(path, obj)] });
      const children = childPaths(ctx.state, path).map((p) => objectInfo(p, ctx.state.objects[p]!));
      // Like the real API, an empty folder lists as {} (no `objects` key).
      return ok(children.length > 0 ? { objects: children } : {});
    },
  },
  {
    method: 'POST',
    pattern: '/api/2.0/workspace/delete',
    body: 'json',
    handle: (ctx) => {
      deleteObject(ctx, normaliseWorkspacePath(requireString(ctx.body, 'path')), optBool(ctx.body, 'recursive') ?? false);
      return ok();
    },
  },
];
