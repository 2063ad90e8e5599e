/**
 * Comment rules that are not storage or wire: how an attachment is categorised, and what a
 * comment stores of its attachments and display name.
 */
import { baseMimeType } from './file-types.ts';

/** Notion's attachment categories (notion-api.md §5.7). */
export type AttachmentCategory = 'audio' | 'image' | 'pdf' | 'productivity' | 'video';

/** An attachment as a comment stores it: the upload, never a URL (signed when presented). */
export interface StoredAttachment {
  category: AttachmentCategory;
  file_upload_id: string;
  filename: string;
}

/** Who a comment shows as its author. */
export interface DisplayName {
  type: 'integration' | 'user' | 'custom';
  resolved_name: string | null;
}

/**
 * The category of an attachment from its MIME type: images, audio and video by their top-level
 * type, PDFs by theirs, and every other document (text, office files, archives) as productivity.
 */
export function attachmentCategory(contentType: string | null): AttachmentCategory {
  const mime = contentType ? baseMimeType(contentType) : '';
  if (mime === 'application/pdf') return 'pdf';
  const top = mime.split('/')[0];
  if (top === 'image' || top === 'audio' || top === 'video') return top;
  return 'productivity';
}
