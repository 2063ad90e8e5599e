/**
 * The plan that turns a stored Notion block tree into the edited editor document, in API calls:
 * `planSync(stored, edited)` returns ordered steps, `applySteps(steps, api)` runs them.
 *
 * How the plan is made, per parent: the children that keep their id, their Notion type (and a
 * table its width) and their parent, and whose order agrees with the stored order (the longest
 * common subsequence), stay; a kept block whose write payload changed gets one `update`. Every
 * other stored child is deleted (one `delete` per topmost block: Notion trashes its subtree) and
 * every other edited child is appended at its place (`after` the previous sibling, `at_start`
 * before the first), runs of neighbours in one call. So a type change, a move, a nest or an
 * unnest is a delete plus an append of the block with its subtree.
 *
 * Blocks the API cannot create (child pages and databases, link previews, meeting notes,
 * unsupported blocks, Notion-hosted files) and synced blocks (references would lose their
 * original) are never recreated: when the edit moved one, it and
 * its ancestors stay where they are (their other edits still apply), so a move can never trash a
 * page. One deleted in the editor is deleted.
 *
 * Order and ids: all deletes come first, then updates and appends in document order, so a step
 * only names blocks that exist when it runs. A new block's id in the steps is its editor id (a
 * temporary id); every append lists the temporary ids of what it creates in `ids` (a tree in the
 * shape of `children`). After running an append, map each temporary id to the id the server gave
 * (the response lists the first-level blocks in order; deeper ones by listing children) and
 * replace it in later steps. `applySteps` does exactly that and returns the map; an editor
 * that keeps its own ids passes the maps to the next `planSync` (`ids`) instead of reloading.
 */
import { NOT_WRITABLE } from './block-types.ts';
import {
  type EditorBlock,
  lacksSource,
  type NotionBlock,
  normalizeEditor,
  payloadOf,
  rawRequest,
  toEditor,
  type WriteBody,
} from './convert.ts';

type Json = Record<string, unknown>;

/** The parent id of top-level appends when neither the stored blocks nor the caller name the page. */
export const ROOT_ID = 'root';

/** Temporary ids of appended blocks, in the shape of the append's `children`. */
export interface IdTree {
  id: string;
  children?: IdTree[];
}

export type SyncStep =
  | { op: 'update'; block_id: string; body: WriteBody }
  | {
      op: 'append';
      parent_id: string;
      after?: string;
      at_start?: true;
      children: WriteBody[];
      ids: IdTree[];
    }
  | { op: 'delete'; block_id: string };

/** One block of either tree, in Notion terms. */
interface Node {
  id: string;
  type: string;
  /** The write payload without children. */
  payload: Json;
  children: Node[];
  /** The API can create this block again (given its payload). */
  self: boolean;
  /** A `notionReadOnly` block of the edited document: the stored version is the truth. */
  readOnly?: true;
}

/** Blocks Notion's append must receive with children, and how many levels they need. */
const NEEDS_LEVELS: Record<string, number> = { table: 2, column: 2, column_list: 3, tab: 2 };
const MAX_LEVELS = 3;
const MAX_CHILDREN = 100;
const MAX_ELEMENTS = 1000;
/** Types PATCH /v1/blocks/{id} cannot change. */
const notUpdatable = (type: string) => type === 'column_list' || NOT_WRITABLE.has(type);

function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Json;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

function rawNode(b: NotionBlock): Node {
  const { type, payload } = rawRequest(b);
  delete payload.children;
  const isReference = b.type === 'synced_block' && Boolean((b.synced_block as Json | undefined)?.synced_from);
  const children = isReference ? [] : (b.children ?? []).map(rawNode);
  // A synced block is never recreated: references to the original would lose it.
  const self = !NOT_WRITABLE.has(type) && !lacksSource(type, payload) && type !== 'synced_block';
  return {
    id: b.id,
    type,
    payload,
    children,
    self,
  };
}

/**
 * The editor blocks as nodes. Table rows have no ids in the editor: row i is the stored row i
 * (`rowIdsOf` holds the stored row ids by table id), further rows are new.
 */
function toNodes(
  blocks: readonly EditorBlock[],
  seen: Map<string, number>,
  rowIdsOf = new Map<string, string[]>(),
  serverIds: ReadonlyMap<string, string> = new Map(),
): Node[] {
  return normalizeEditor(blocks).map((b) => {
    let id = serverIds.get(b.id) ?? b.id;
    const n = seen.get(id) ?? 0;
    seen.set(id, n + 1);
    if (n > 0) id = `${id}~${n}`;
    if (b.type === 'notionReadOnly') {
      return { ...rawNode(JSON.parse(String(b.props.raw)) as NotionBlock), id, readOnly: true as const };
    }
    const { type, payload } = payloadOf(b);
    let children: Node[];
    if (type === 'table') {
      const rows = (payload.children ?? []) as WriteBody[];
      const rowIds = rowIdsOf.get(id) ?? [];
      children = rows.map((r, i) => ({
        id: rowIds[i] ?? `${id}/row/${i}`,
        type: 'table_row',
        payload: r.table_row as Json,
        children: [],
        self: true,
      }));
      delete payload.children;
    } else children = toNodes(b.children, seen, rowIdsOf, serverIds);
    const self = !NOT_WRITABLE.has(type) && !lacksSource(type, payload);
    return { id, type, payload, children, self };
  });
}

function index(nodes: Node[], into = new Map<string, Node>()): Map<string, Node> {
  for (const n of nodes) {
    into.set(n.id, n);
    index(n.children, into);
  }
  return into;
}

const compatible = (s: Node, e: Node) =>
  (e.readOnly === true && s.type === e.type) ||
  (s.type === e.type &&
    (s.type !== 'table' || s.payload.table_width === e.payload.table_width) &&
    (s.type !== 'synced_block' || stable(s.payload) === stable(e.payload)) &&
    (!notUpdatable(s.type) || stable(s.payload) === stable(e.payload)));

/**
 * Ids common to both sequences (each id at most once in each) in an order both agree on, of the
 * heaviest total weight. A shared prefix and suffix always belong to it (ids are unique), so only
 * the middle goes through the quadratic table: a typical edit costs a linear pass.
 */
function commonOrder(a: string[], b: string[], weight: (id: string) => number): Set<string> {
  const out = new Set<string>();
  let lo = 0;
  while (lo < a.length && lo < b.length && a[lo] === b[lo]) out.add(a[lo++]!);
  let ha = a.length;
  let hb = b.length;
  while (ha > lo && hb > lo && a[ha - 1] === b[hb - 1]) {
    out.add(a[--ha]!);
    hb--;
  }
  const x = a.slice(lo, ha);
  const y = b.slice(lo, hb);
  const n = x.length;
  const m = y.length;
  if (n === 0 || m === 0) return out;
  const dp: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      dp[i]![j] =
        x[i] === y[j] ? weight(x[i]!) + dp[i + 1]![j + 1]! : Math.max(dp[i + 1]![j]!, dp[i]![j + 1]!);
    }
  }
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (x[i] === y[j]) {
      out.add(x[i]!);
      i++;
      j++;
    } else if (dp[i + 1]![j]! >= dp[i]![j + 1]!) i++;
    else j++;
  }
  return out;
}

/**
 * The steps that turn `stored` (blocks as the API returns them, `children` added) into `edited`
 * (the editor document). Top-level appends go to `options.rootId`, else the stored blocks'
 * parent, else ROOT_ID (which the caller replaces by the page id). An editor that keeps its own
 * ids for blocks it created passes `options.ids` (editor id → server id, the maps `applySteps`
 * returned), so that a later plan sees them as the stored blocks they became. See the module
 * comment.
 */
export function planSync(
  stored: readonly NotionBlock[],
  edited: readonly EditorBlock[],
  options: { rootId?: string; ids?: ReadonlyMap<string, string> } = {},
): SyncStep[] {
  const parent = stored[0]?.parent as Json | undefined;
  const rootId = options.rootId ?? (parent ? String(parent.page_id ?? parent.block_id ?? ROOT_ID) : ROOT_ID);
  const rows = new Map<string, string[]>();
  const walk = (bs: readonly NotionBlock[]): void => {
    for (const b of bs) {
      if (b.type === 'table')
        rows.set(
          b.id,
          (b.children ?? []).map((r) => r.id),
        );
      else walk(b.children ?? []);
    }
  };
  walk(stored);
  const S = toNodes(toEditor(stored), new Map(), rows);
  const E = toNodes(edited, new Map(), rows, options.ids);
  const editedIndex = index(E);
  // Stored blocks that must not be trashed: not re-creatable and still in the edited document,
  // and every ancestor of one.
  const mustStay = new Set<string>();
  const markStay = (n: Node): boolean => {
    let stay = !n.self && editedIndex.has(n.id);
    for (const c of n.children) if (markStay(c)) stay = true;
    if (stay) mustStay.add(n.id);
    return stay;
  };
  for (const n of S) markStay(n);
  const deletes: SyncStep[] = [];
  const rest: SyncStep[] = [];

  const diff = (parentId: string, sKids: Node[], eKids: Node[]): void => {
    const sById = new Map(sKids.map((s) => [s.id, s]));
    const candidates = eKids.filter((e) => {
      const s = sById.get(e.id);
      return s !== undefined && compatible(s, e);
    });
    const candidateIds = new Set(candidates.map((c) => c.id));
    const kept = commonOrder(
      sKids.filter((s) => candidateIds.has(s.id)).map((s) => s.id),
      candidates.map((c) => c.id),
      (id) => (mustStay.has(id) ? Number.MAX_SAFE_INTEGER / 4096 : count(sById.get(id)!)),
    );
    const forced = sKids.filter((s) => !kept.has(s.id) && mustStay.has(s.id));
    for (const s of sKids) {
      if (!kept.has(s.id) && !mustStay.has(s.id)) deletes.push({ op: 'delete', block_id: s.id });
    }
    let prev: string | undefined;
    const survivors = kept.size + forced.length > 0;
    let run: Node[] = [];
    const flush = () => {
      if (run.length === 0) return;
      prev = emit(parentId, prev, prev === undefined && survivors, run) ?? prev;
      run = [];
    };
    for (const e of eKids) {
      const s = sById.get(e.id);
      if (s && kept.has(e.id)) {
        flush();
        // A read-only block cannot change in the editor: what is stored now stays, even if the
        // API changed it since the editor loaded it.
        if (!e.readOnly) {
          update(s, e);
          diff(e.id, s.children, e.children);
        }
        prev = e.id;
      } else if (!mustStay.has(e.id)) run.push(e);
    }
    flush();
    // Blocks kept in place though the edit moved them, changed their type or removed them (they
    // hold a block that cannot be recreated): their children still follow the edited document.
    for (const s of forced) {
      const e = editedIndex.get(s.id);
      if (!e?.readOnly) diff(s.id, s.children, e ? e.children : []);
    }
  };

  const update = (s: Node, e: Node) => {
    if (notUpdatable(e.type) || stable(s.payload) === stable(e.payload)) return;
    const payload = { ...e.payload };
    if (e.type === 'table') delete payload.table_width;
    rest.push({ op: 'update', block_id: e.id, body: { type: e.type, [e.type]: payload } });
  };

  /**
   * Whether a block of the edited document is created here: not one kept elsewhere, and one the
   * API can create (its descendants that cannot be are left out, staying where they are).
   */
  const creatable = (n: Node) => n.self && !mustStay.has(n.id);

  /** Appends `nodes` (skipping what cannot be created) under `parentId`; returns the last new id. */
  const emit = (parentId: string, after: string | undefined, atStart: boolean, nodes: Node[]) => {
    const todo = nodes.filter(creatable);
    let last: string | undefined;
    let at = after;
    let start = atStart;
    while (todo.length > 0) {
      const budget = { left: MAX_ELEMENTS };
      const overflow: Array<{ parent: string; after?: string; nodes: Node[] }> = [];
      const children: WriteBody[] = [];
      const ids: IdTree[] = [];
      while (todo.length > 0 && children.length < MAX_CHILDREN && budget.left >= size(todo[0]!)) {
        const n = todo.shift()!;
        const [body, tree] = bodyOf(n, 1, budget, overflow);
        children.push(body);
        ids.push(tree);
      }
      if (children.length === 0) {
        // One block larger than a request: send it alone, its children in later calls.
        const n = todo.shift()!;
        const [body, tree] = bodyOf(n, 1, { left: MAX_ELEMENTS }, overflow);
        children.push(body);
        ids.push(tree);
      }
      const step: SyncStep = { op: 'append', parent_id: parentId, children, ids };
      if (at) step.after = at;
      else if (start) step.at_start = true;
      rest.push(step);
      last = ids.at(-1)!.id;
      at = last;
      start = false;
      for (const o of overflow) emit(o.parent, o.after, false, o.nodes);
    }
    return last;
  };

  /** A node as a write body, children included up to Notion's request limits; the rest overflows. */
  const bodyOf = (
    n: Node,
    level: number,
    budget: { left: number },
    overflow: Array<{ parent: string; after?: string; nodes: Node[] }>,
  ): [WriteBody, IdTree] => {
    budget.left -= 1;
    const payload: Json = { ...n.payload };
    const tree: IdTree = { id: n.id };
    const kids = n.children.filter(creatable);
    const included: WriteBody[] = [];
    const trees: IdTree[] = [];
    let i = 0;
    for (; i < kids.length; i++) {
      const c = kids[i]!;
      const need = NEEDS_LEVELS[c.type];
      const fits =
        level + (need ?? 1) <= MAX_LEVELS &&
        included.length < MAX_CHILDREN &&
        budget.left >= (need ? size(c, level + 1) : 1);
      if (!fits) break;
      const [body, t] = bodyOf(c, level + 1, budget, overflow);
      included.push(body);
      trees.push(t);
    }
    if (i < kids.length) {
      const afterId = trees.at(-1)?.id;
      overflow.push({ parent: n.id, ...(afterId ? { after: afterId } : {}), nodes: kids.slice(i) });
    }
    if (included.length > 0) {
      payload.children = included;
      tree.children = trees;
    }
    return [{ type: n.type, [n.type]: payload }, tree];
  };

  diff(rootId, S, E);
  return [...deletes, ...rest];
}

/** Blocks in a node's subtree: what recreating it costs. */
function count(n: Node): number {
  return 1 + n.children.reduce((t, c) => t + count(c), 0);
}

/** Elements in a node's subtree within one request's depth. */
function size(n: Node, level = 1): number {
  if (level >= MAX_LEVELS) return 1;
  return 1 + n.children.reduce((t, c) => t + size(c, level + 1), 0);
}

/** What `applySteps` needs from an API client (e.g. the official SDK, see test/web). */
export interface SyncApi {
  update(blockId: string, body: WriteBody): Promise<unknown>;
  /** Appends at the end, `after` a block, or at the start; returns the new first-level ids in order. */
  append(
    parentId: string,
    children: WriteBody[],
    position: { after: string } | { start: true } | null,
  ): Promise<string[]>;
  delete(blockId: string): Promise<unknown>;
  /** Every child id of a block, in order. */
  listChildren(blockId: string): Promise<string[]>;
}

/**
 * Runs the steps in order, mapping temporary ids to the server's as appends return them, and
 * returns that map. New blocks below the first level of an append are learnt by listing
 * children: always by default (an editor that keeps its ids needs every one, see planSync's
 * `ids`), or with `mapNested: false` only when a later step names one (a caller that reloads the
 * document after syncing saves those calls).
 */
export async function applySteps(
  steps: readonly SyncStep[],
  api: SyncApi,
  options: { mapNested?: boolean } = {},
): Promise<Map<string, string>> {
  const mapNested = options.mapNested ?? true;
  const map = new Map<string, string>();
  const resolve = (id: string) => map.get(id) ?? id;
  const later = steps.map((_, i) => {
    const names = new Set<string>();
    for (const s of steps.slice(i + 1)) {
      if (s.op === 'append') {
        names.add(s.parent_id);
        if (s.after) names.add(s.after);
      } else names.add(s.block_id);
    }
    return names;
  });
  const mapDeep = async (trees: IdTree[], serverIds: string[], needed: Set<string>) => {
    for (const [i, t] of trees.entries()) {
      const sid = serverIds[i];
      if (!sid) continue;
      map.set(t.id, sid);
      if (t.children && (mapNested || mentions(t.children, needed))) {
        await mapDeep(t.children, await api.listChildren(sid), needed);
      }
    }
  };
  for (const [i, step] of steps.entries()) {
    if (step.op === 'delete') await api.delete(resolve(step.block_id));
    else if (step.op === 'update') await api.update(resolve(step.block_id), step.body);
    else {
      const position = step.after
        ? { after: resolve(step.after) }
        : step.at_start
          ? { start: true as const }
          : null;
      const created = await api.append(resolve(step.parent_id), step.children, position);
      await mapDeep(step.ids, created, later[i]!);
    }
  }
  return map;
}

function mentions(trees: IdTree[], needed: Set<string>): boolean {
  return trees.some((t) => needed.has(t.id) || (t.children !== undefined && mentions(t.children, needed)));
}
