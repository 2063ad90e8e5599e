/**
 * The conversations recorded against api.notion.com (/work/shared/notion-recordings, see its
 * README.md), loaded as typed values. Override the folder with OCTAVO_RECORDINGS_DIR.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const RECORDINGS_DIR = process.env.OCTAVO_RECORDINGS_DIR ?? '/work/shared/notion-recordings';

export interface RecordedRequest {
  method: string;
  uri: string;
  headers: Record<string, string>;
  body: unknown;
}

export interface RecordedResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export interface Interaction {
  request: RecordedRequest;
  response: RecordedResponse;
}

export interface Recording {
  /** File name without `.json`, e.g. `test_pages_create`. */
  name: string;
  interactions: Interaction[];
}

export function recordingsAvailable(): boolean {
  return existsSync(RECORDINGS_DIR);
}

export function loadRecordings(): Recording[] {
  if (!recordingsAvailable()) return [];
  return readdirSync(RECORDINGS_DIR)
    .filter((n) => n.endsWith('.json'))
    .sort()
    .map((n) => {
      const parsed = JSON.parse(readFileSync(join(RECORDINGS_DIR, n), 'utf8')) as {
        interactions: Interaction[];
      };
      return { name: n.replace(/\.json$/, ''), interactions: parsed.interactions };
    });
}
