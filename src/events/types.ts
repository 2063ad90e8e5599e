/**
 * Change events as Octavo records them: version-neutral facts about one entity, kept in the
 * `events` outbox and rendered into Notion's webhook payloads per api_version (render.ts).
 */
import type { EventCursor } from './cursor.ts';

/** Every event type Octavo records. */
export const EVENT_TYPES = [
  'page.created',
  'page.properties_updated',
  'page.content_updated',
  'page.moved',
  'page.deleted',
  'page.undeleted',
  'page.locked',
  'page.unlocked',
  'database.created',
  'database.moved',
  'database.deleted',
  'database.undeleted',
  'data_source.created',
  'data_source.schema_updated',
  'data_source.content_updated',
  'data_source.moved',
  'data_source.deleted',
  'data_source.undeleted',
  'file_upload.created',
  'file_upload.completed',
  'file_upload.upload_failed',
  'view.created',
  'view.updated',
  'view.deleted',
  'comment.created',
  'comment.updated',
  'comment.deleted',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** What an event is about. */
export type EntityType = 'page' | 'database' | 'data_source' | 'file_upload' | 'view' | 'comment';

/**
 * Where the entity lives. `space` is the workspace itself (its id is filled in when rendered);
 * a database row names its database and, from 2025-09-03 on, its data source.
 */
export interface EventParent {
  id: string | null;
  type: 'space' | 'page' | 'block' | 'database';
  data_source_id?: string;
}

export interface EventAuthor {
  id: string;
  type: 'person' | 'bot';
}

/**
 * A user whose kind and integration the writer already knows (an API request's integration and
 * its bot, from authentication): recording the events of their writes then reads neither.
 */
export interface KnownAuthor extends EventAuthor {
  /** The integration whose bot this is; null for a person. */
  integrationId: string | null;
}

/** A block named by `updated_blocks`. */
export interface UpdatedBlock {
  id: string;
  type: 'page' | 'database' | 'block';
}

/** A property named by a schema update. */
export interface UpdatedProperty {
  id: string;
  name: string | null;
  action: 'created' | 'updated' | 'deleted';
}

/**
 * The union of what event types carry. `database` is kept for data-source events so that a
 * 2022-06-28 subscriber, who has no data sources, can be told about the database instead.
 */
export interface EventData {
  parent?: EventParent;
  updated_properties?: string[] | UpdatedProperty[];
  updated_blocks?: UpdatedBlock[];
  database?: { id: string; parent: EventParent };
  file_import_result?: unknown;
  /** `view.created`: the new view's type. */
  view_type?: string;
  /** `view.updated`: which of name, filter, sorts and configuration changed. */
  updated_fields?: string[];
  /** `comment.*`: the page the comment is on (its parent is the page or a block on it). */
  page_id?: string;
}

/** An event about to be written, in the transaction of its change. */
export interface NewEvent {
  type: EventType;
  entity: { id: string; type: EntityType };
  data: EventData;
  authors: EventAuthor[];
  /** The integration that made the change; null for the workspace's own administration. */
  integrationId: string | null;
  /** When the change happened (ISO, milliseconds). */
  timestamp: string;
}

/** An event as read back from the outbox. */
export interface RecordedEvent extends NewEvent {
  /** Time-ordered event id (lib/ids.ts); receivers de-duplicate by it. */
  id: string;
  /**
   * The outbox row number: unique, shown to developers (`octavo events tail`). Not a cursor: on
   * Postgres events are read in (transaction id, seq) order, which is not seq order.
   */
  seq: number;
  /** Where a consumer that has handled this event resumes (opaque; see cursor.ts). */
  cursor: EventCursor;
}

/** One read of the outbox: events in order and the cursor to resume from. */
export interface EventPage {
  events: RecordedEvent[];
  /** The cursor after the last event returned, or the one read from when none was. */
  next: EventCursor;
}
