// A small route table: literal segments, `{name}` for one segment and `{name*}` for the rest of the path.
import type { HandlerContext, Reply } from '../handlers/context.ts';

import type { HttpApiError } from './api-error.ts';

/** How the body is read: parsed JSON, bytes in memory, a form, nothing, or left as a stream for the handler. */
export type BodyKind = 'json' | 'raw' | 'form' | 'none' | 'stream';

export interface Route {
  method: string;
  pattern: string;
  /** How the request body is read. */
  body: BodyKind;
  /** Routes that do not need a bearer token (OAuth endpoints). */
  public?: boolean;
  /** Largest body accepted (default: the server's limit for the body kind). */
  maxBytes?: number;
  /** The error Databricks answers for a body over the limit. */
  tooLarge?: () => HttpApiError;
  /**
   * A JSON body with one large base64 string member: that member is decoded into the blob store as the body
   * arrives (at most `maxBytes` decoded, else `tooLarge`), never held whole; the handler gets it as `streamed`.
   */
  streamedMember?: { name: string; maxBytes: number };
  handle(ctx: HandlerContext): Reply | Promise<Reply>;
}

type Segment = { literal: string } | { param: string } | { rest: string };

interface CompiledRoute {
  route: Route;
  segments: Segment[];
}

function compile(pattern: string): Segment[] {
  return pattern
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      const m = /^\{(\w+)(\*)?\}$/.exec(s);
      if (!m) return { literal: s };
      return m[2] ? { rest: m[1]! } : { param: m[1]! };
    });
}

export class Router {
  private readonly routes: CompiledRoute[] = [];

  add(routes: Route[]): this {
    for (const route of routes) this.routes.push({ route, segments: compile(route.pattern) });
    return this;
  }

  match(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
    const parts = path.split('/').filter((s) => s !== '');
    for (const { route, segments } of this.routes) {
      if (route.method !== method) continue;
      const params = matchSegments(segments, parts);
      if (params) return { route, params };
    }
    return undefined;
  }
}

function matchSegments(segments: Segment[], parts: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    if ('rest' in seg) {
      if (i >= parts.length) return undefined;
      params[seg.rest] = parts.slice(i).map(decodeURIComponent).join('/');
      return params;
    }
    const part = parts[i];
    if (part === undefined) return undefined;
    if ('literal' in seg) {
      if (seg.literal !== part) return undefined;
    } else {
      params[seg.param] = decodeURIComponent(part);
    }
  }
  return segments.length === parts.length ? params : undefined;
}
