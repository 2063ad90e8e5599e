/**
 * File-upload requests (notion-api.md §4.9): the create body, the list query, and the size
 * limits that belong to the contract rather than to a deployment.
 */
import { z } from 'zod';
import { bodyError } from './validation.ts';

/** A single-part upload, and each part of a multi-part one, carries at most this much. */
export const MAX_PART_BYTES = 20 * 1024 * 1024;
/** Every part of a multi-part upload but the last carries at least this much. */
export const MIN_PART_BYTES = 5 * 1024 * 1024;
export const MAX_PARTS = 10_000;
export const MAX_FILENAME_BYTES = 900;
/** An upload not attached within this time expires (Notion: one hour). */
export const UPLOAD_TTL_MS = 60 * 60 * 1000;

export const FILE_UPLOAD_STATUSES = ['pending', 'uploaded', 'expired', 'failed'] as const;
export type FileUploadStatus = (typeof FILE_UPLOAD_STATUSES)[number];

export const CreateFileUploadBody = z.strictObject({
  mode: z.enum(['single_part', 'multi_part', 'external_url']).optional(),
  filename: z.string().min(1).optional(),
  content_type: z.string().min(1).optional(),
  number_of_parts: z.number().int().min(1).max(MAX_PARTS).optional(),
  external_url: z.string().min(1).max(2000).optional(),
});
export type CreateFileUploadBody = z.output<typeof CreateFileUploadBody>;

/** What the create body needs per mode; each rule is Notion's body validation message. */
export function checkCreateFileUpload(body: CreateFileUploadBody): void {
  const mode = body.mode ?? 'single_part';
  if (body.filename !== undefined && Buffer.byteLength(body.filename) > MAX_FILENAME_BYTES) {
    throw bodyError(
      ['filename'],
      `should be ≤ \`${MAX_FILENAME_BYTES}\` bytes`,
      Buffer.byteLength(body.filename),
      '.length',
    );
  }
  if (mode === 'multi_part') {
    if (body.number_of_parts === undefined) {
      throw bodyError(['number_of_parts'], 'should be defined', undefined);
    }
    if (body.filename === undefined) throw bodyError(['filename'], 'should be defined', undefined);
  } else if (body.number_of_parts !== undefined) {
    throw bodyError(['number_of_parts'], 'should be not present', body.number_of_parts);
  }
  if (mode === 'external_url') {
    if (body.external_url === undefined) throw bodyError(['external_url'], 'should be defined', undefined);
  } else if (body.external_url !== undefined) {
    throw bodyError(['external_url'], 'should be not present', body.external_url);
  }
}

export const ListFileUploadsQuery = z.object({
  status: z.enum(FILE_UPLOAD_STATUSES).optional(),
});

/**
 * The form fields of POST /v1/file_uploads/{id}/send (multipart/form-data): the file, and in
 * multi-part mode the number of the part it is. Read by api/multipart.ts.
 */
export const SendFileUploadForm = z.object({
  file: z.file(),
  part_number: z
    .string()
    .regex(/^[0-9]+$/)
    .optional(),
});
