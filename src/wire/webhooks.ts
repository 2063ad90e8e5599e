/**
 * Notion's webhook payloads, taken from the official SDK's published declarations so that the
 * event renderer (events/render.ts) is checked against what receivers compile against.
 */
import type {
  DatabaseContentUpdatedWebhookPayload,
  DatabaseCreatedWebhookPayload,
  DatabaseDeletedWebhookPayload,
  DatabaseMovedWebhookPayload,
  DatabaseSchemaUpdatedWebhookPayload,
  DatabaseUndeletedWebhookPayload,
  DataSourceContentUpdatedWebhookPayload,
  DataSourceCreatedWebhookPayload,
  DataSourceDeletedWebhookPayload,
  DataSourceMovedWebhookPayload,
  DataSourceSchemaUpdatedWebhookPayload,
  DataSourceUndeletedWebhookPayload,
  FileUploadCompletedWebhookPayload,
  FileUploadCreatedWebhookPayload,
  FileUploadUploadFailedWebhookPayload,
  PageContentUpdatedWebhookPayload,
  PageCreatedWebhookPayload,
  PageDeletedWebhookPayload,
  PageLockedWebhookPayload,
  PageMovedWebhookPayload,
  PagePropertiesUpdatedWebhookPayload,
  PageUndeletedWebhookPayload,
  PageUnlockedWebhookPayload,
  ViewCreatedWebhookPayload,
  ViewDeletedWebhookPayload,
  ViewUpdatedWebhookPayload,
} from '@notionhq/client';

/** Every payload Octavo can send today (comments and transcripts are not recorded yet). */
export type WebhookPayload =
  | PageCreatedWebhookPayload
  | PagePropertiesUpdatedWebhookPayload
  | PageContentUpdatedWebhookPayload
  | PageMovedWebhookPayload
  | PageDeletedWebhookPayload
  | PageUndeletedWebhookPayload
  | PageLockedWebhookPayload
  | PageUnlockedWebhookPayload
  | DatabaseCreatedWebhookPayload
  | DatabaseContentUpdatedWebhookPayload
  | DatabaseSchemaUpdatedWebhookPayload
  | DatabaseMovedWebhookPayload
  | DatabaseDeletedWebhookPayload
  | DatabaseUndeletedWebhookPayload
  | DataSourceCreatedWebhookPayload
  | DataSourceContentUpdatedWebhookPayload
  | DataSourceSchemaUpdatedWebhookPayload
  | DataSourceMovedWebhookPayload
  | DataSourceDeletedWebhookPayload
  | DataSourceUndeletedWebhookPayload
  | FileUploadCreatedWebhookPayload
  | FileUploadCompletedWebhookPayload
  | FileUploadUploadFailedWebhookPayload
  | ViewCreatedWebhookPayload
  | ViewUpdatedWebhookPayload
  | ViewDeletedWebhookPayload;

/** The payload fields every event carries, whatever its type. */
export type WebhookEnvelope = Omit<WebhookPayload, 'type' | 'entity' | 'data'>;
