/** What presenters need to know besides the row: the version asked for and who is asking. */
import type { Actor } from '../domain/capabilities.ts';
import type { ApiVersion } from '../wire/versions.ts';

export interface PresentContext {
  version: ApiVersion;
  actor: Actor;
  /** Base of the `url` fields, e.g. http://127.0.0.1:7400 */
  publicUrl: string;
  workspace: { id: string; name: string };
}
