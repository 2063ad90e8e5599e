/**
 * Unions chosen by a content key. Notion objects name their variant by a key that holds the
 * variant's payload (`{"paragraph": {…}}`, `{"mention": {…}}`), optionally echoed in `type`.
 * Picking the branch first makes errors point inside it instead of listing every branch.
 */
import { z } from 'zod';

/** The variant key of `value`: its `type` when that names a variant, else the first variant key present. */
export function variantKey(value: unknown, keys: readonly string[]): string | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const o = value as Record<string, unknown>;
  if (typeof o.type === 'string' && keys.includes(o.type)) return o.type;
  return keys.find((k) => k in o);
}

export function pickByKey<V extends Record<string, z.ZodType>>(
  variants: V,
  fallback: z.ZodType,
): z.ZodType<z.output<V[keyof V]>> {
  const keys = Object.keys(variants);
  return z.unknown().transform((value, ctx) => {
    const key = variantKey(value, keys);
    const schema = key ? variants[key]! : fallback;
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    for (const issue of result.error.issues) ctx.issues.push({ ...issue, input: undefined } as never);
    return z.NEVER;
  }) as unknown as z.ZodType<z.output<V[keyof V]>>;
}
