// Every definition is a node with a parent and an id: its path in the tree is unique, and a duplicate id
// fails where it is declared (the idea of aws/constructs, in a few lines).
import { fileURLToPath } from 'node:url';
import { UserError } from '../errors/index.ts';
import type { SourceLocation } from '../model/types.ts';

const CONSTRUCTS_URL = new URL('.', import.meta.url).href;
const CONSTRUCTS_DIR = fileURLToPath(CONSTRUCTS_URL);

/** The first stack frame outside dbx-ts' constructs: where the user wrote `new X(...)`. */
export function callerLocation(): SourceLocation | undefined {
  // The user's frame is a few frames above the constructor; formatting (and source-mapping) a deep stack for
  // each of thousands of constructs is most of what this costs, so only the top frames are taken.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 10;
  let text: string | undefined;
  try {
    text = new Error().stack;
  } finally {
    Error.stackTraceLimit = limit;
  }
  const stack = text?.split('\n').slice(1) ?? [];
  for (const frame of stack) {
    const match = /\(?((?:file:\/\/)?[^()\s]+):(\d+):(\d+)\)?\s*$/.exec(frame);
    if (!match) continue;
    const raw = match[1]!;
    // Filtered on the frame's own spelling: converting every frame's URL to a path costs more than the rest.
    if (raw.startsWith(CONSTRUCTS_URL) || raw.startsWith(CONSTRUCTS_DIR) || raw.startsWith('node:') || raw.includes('/node_modules/')) continue;
    return { file: raw.startsWith('file://') ? fileURLToPath(raw) : raw, line: Number(match[2]), column: Number(match[3]) };
  }
  return undefined;
}

export function formatLocation(loc: SourceLocation | undefined): string {
  return loc ? `${loc.file}:${loc.line}` : '<unknown location>';
}

const ID_PATTERN = /^[A-Za-z0-9_-]+$/;

export class Construct {
  readonly scope: Construct | undefined;
  readonly id: string;
  readonly location: SourceLocation | undefined;
  private readonly childMap = new Map<string, Construct>();

  constructor(scope: Construct | undefined, id: string) {
    this.scope = scope;
    this.id = id;
    this.location = callerLocation();
    if (!ID_PATTERN.test(id)) {
      throw new UserError(
        `Invalid id "${id}" at ${formatLocation(this.location)}: ids are resource keys and may contain only letters, digits, '-' and '_'.`,
      );
    }
    if (scope) scope.addChild(this);
  }

  /** The node's unique path in the tree, e.g. `unified-workflow` or `pipeline/table`. */
  get nodePath(): string {
    return this.scope && this.scope.scope ? `${this.scope.nodePath}/${this.id}` : this.scope ? this.id : '';
  }

  get children(): Construct[] {
    return [...this.childMap.values()];
  }

  /** All descendants, depth first, in declaration order. */
  descendants(): Construct[] {
    return this.children.flatMap((c) => [c, ...c.descendants()]);
  }

  private addChild(child: Construct): void {
    const existing = this.childMap.get(child.id);
    if (existing) {
      throw new UserError(
        `Duplicate id "${child.id}" in ${this.nodePath || 'the bundle'} at ${formatLocation(child.location)}; first declared at ${formatLocation(existing.location)}.`,
      );
    }
    this.childMap.set(child.id, child);
  }
}
