/** File upload objects (notion-api.md §4.9), in the key order of Notion's responses. */
import { effectiveStatus } from '../domain/file-uploads.ts';
import { toMinute } from '../lib/clock.ts';
import type { FileUploadRow } from '../store/store.ts';
import type { FileUploadObjectResponse } from '../wire/responses.ts';
import { emitsArchived } from '../wire/versions.ts';
import type { PresentContext } from './context.ts';

export interface FileUploadPresentation {
  row: FileUploadRow;
  /** Parts received so far (multi-part uploads). */
  sent: number | null;
}

/** Notion writes the import time with an explicit offset: `2026-07-04T09:11:43.000+00:00`. */
type ImportResult = NonNullable<FileUploadObjectResponse['file_import_result']>;

function importResult(text: string | null): { file_import_result?: ImportResult } {
  if (text === null) return {};
  const r = JSON.parse(text) as ImportResult;
  return { file_import_result: { ...r, imported_time: r.imported_time.replace(/Z$/, '+00:00') } };
}

/**
 * `upload_url` (and `complete_url` for multi-part) appear while bytes may still be sent;
 * `expiry_time` is null once attached. `now` decides expiry.
 */
export function presentFileUpload(
  { row, sent }: FileUploadPresentation,
  ctx: PresentContext,
  now: string,
): FileUploadObjectResponse {
  const status = effectiveStatus(row, now);
  const base = `${ctx.publicUrl}/v1/file_uploads/${row.id}`;
  const sending = status === 'pending' && row.mode !== 'external_url';
  const wire = {
    object: 'file_upload' as const,
    id: row.id,
    created_time: toMinute(row.created_time),
    created_by: { id: row.created_by, type: 'bot' as const },
    last_edited_time: toMinute(row.last_edited_time),
    expiry_time: row.expiry_time === null ? null : toMinute(row.expiry_time),
    ...(status === 'pending' ? { upload_url: `${base}/send` } : {}),
    ...(sending && row.mode === 'multi_part' ? { complete_url: `${base}/complete` } : {}),
    in_trash: false,
    status,
    filename: row.filename,
    content_type: row.content_type,
    content_length: row.content_length,
    ...(row.mode === 'multi_part'
      ? { number_of_parts: { total: row.number_of_parts!, sent: sent ?? 0 } }
      : {}),
    ...importResult(row.import_result),
    archived: false,
  };
  if (!emitsArchived(ctx.version)) delete (wire as Partial<typeof wire>).archived;
  return wire;
}
