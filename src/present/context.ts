/** What presenters need to know besides the row: the version asked for and who is asking. */
import type { Actor } from '../domain/capabilities.ts';
import type { HostedFileRef } from '../domain/file-uploads.ts';
import type { ApiVersion } from '../wire/versions.ts';

export interface PresentContext {
  version: ApiVersion;
  actor: Actor;
  /** Base of the `url` fields, e.g. http://127.0.0.1:7400 */
  publicUrl: string;
  workspace: { id: string; name: string };
  /** `workspace_limits.max_file_upload_size_in_bytes`. */
  maxFileUploadBytes: number;
  /** A freshly signed URL for a hosted file (see present/files.present.ts). */
  hostedFile(ref: HostedFileRef): { url: string; expiry_time: string };
}
