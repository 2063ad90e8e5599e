/**
 * Data-source schemas as stored: the response form of each property (`id`, `name`,
 * `description`, `type`, and the type's payload), in definition order.
 */
import type { PropertyType } from '../../wire/property-schema.schema.ts';

export interface SelectOption {
  id: string;
  name: string;
  color: string;
  description: string | null;
}

export interface StatusGroup {
  id: string;
  name: string;
  color: string;
  option_ids: string[];
}

export interface PropertySchema {
  id: string;
  name: string;
  description: string | null;
  type: PropertyType;
  [payload: string]: unknown;
}

/** Properties in definition order; names are unique. */
export type Schema = PropertySchema[];

export function payloadOf<T = Record<string, unknown>>(p: PropertySchema): T {
  return (p[p.type] ?? {}) as T;
}

/** Looks a property up by name, or by id (ids compared URL-decoded, as clients send them). */
export function findProperty(schema: Schema, nameOrId: string): PropertySchema | undefined {
  const byName = schema.find((p) => p.name === nameOrId);
  if (byName) return byName;
  const decoded = safeDecode(nameOrId);
  return schema.find((p) => p.id === nameOrId || safeDecode(p.id) === decoded);
}

/** Looks a property up by id only (as property-item URLs name it), compared URL-decoded. */
export function findPropertyById(schema: Schema, id: string): PropertySchema | undefined {
  const decoded = safeDecode(id);
  return schema.find((p) => p.id === id || safeDecode(p.id) === decoded);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Properties whose values the server computes; writing them is refused. */
export const READ_ONLY_TYPES: ReadonlySet<string> = new Set([
  'formula',
  'rollup',
  'created_time',
  'created_by',
  'last_edited_time',
  'last_edited_by',
  'unique_id',
  'button',
  'location',
  'last_visited_time',
]);
