/** Notion-Version values Octavo serves, oldest first, and the switches that depend on them. */
export const API_VERSIONS = ['2022-06-28', '2025-09-03', '2026-03-11'] as const;
export type ApiVersion = (typeof API_VERSIONS)[number];

export function isApiVersion(v: string): v is ApiVersion {
  return (API_VERSIONS as readonly string[]).includes(v);
}

/** True when `v` is `than` or newer. */
export function atLeast(v: ApiVersion, than: ApiVersion): boolean {
  return API_VERSIONS.indexOf(v) >= API_VERSIONS.indexOf(than);
}

/** 2026-03-11 removed `archived` from requests and responses in favour of `in_trash`. */
export function emitsArchived(v: ApiVersion): boolean {
  return !atLeast(v, '2026-03-11');
}

/** 2025-09-03 split databases into containers and data sources. */
export function hasDataSources(v: ApiVersion): boolean {
  return atLeast(v, '2025-09-03');
}

/**
 * `build` called once per version and remembered. Request schemas that differ by version are
 * made this way: building a Zod schema (and Zod compiling it on first use) on every request was
 * half a millisecond of each data-source query.
 */
export function perVersion<T>(build: (v: ApiVersion) => T): (v: ApiVersion) => T {
  const made = new Map<ApiVersion, T>();
  return (v) => {
    let value = made.get(v);
    if (value === undefined) {
      value = build(v);
      made.set(v, value);
    }
    return value;
  };
}
