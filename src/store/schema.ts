/**
 * Table types as Kysely sees them. Booleans are stored as 0/1 integers and JSON as text on both
 * engines, so rows look the same whichever engine produced them.
 */
import type { Generated } from 'kysely';

export interface MetaTable {
  key: string;
  value: string;
}

export interface UserTable {
  id: string;
  type: 'person' | 'bot';
  name: string;
  avatar_url: string | null;
  email: string | null;
  created_time: string;
}

export interface IntegrationTable {
  id: string;
  name: string;
  bot_user_id: string;
  token_hash: string;
  /** JSON array of capability names. */
  capabilities: string;
  created_time: string;
  /** When the token was revoked (it then authenticates nothing); null while it works. */
  revoked_time: string | null;
}

/**
 * Pages and blocks share one table: in Notion a page is a block whose type is `page`
 * (it shows as a `child_page` block inside its parent's content).
 */
export interface BlockTable {
  id: string;
  type: string;
  parent_type: 'page_id' | 'block_id' | 'workspace' | 'database_id' | 'data_source_id';
  parent_id: string | null;
  /** Fractional order key among siblings (see lib/order-key). */
  sort_key: string;
  /** JSON: the type-specific payload in its response form. */
  data: string;
  /** JSON: page property values keyed by name, pages only. */
  properties: string | null;
  icon: string | null;
  cover: string | null;
  in_trash: number;
  is_locked: number;
  created_time: string;
  created_by: string;
  last_edited_time: string;
  last_edited_by: string;
}

export interface ShareTable {
  integration_id: string;
  block_id: string;
  created_time: string;
}

/** A file upload; `status` is the stored one (expiry is decided when read, see ops/file-uploads). */
export interface FileUploadTable {
  id: string;
  /** Null once its integration was deleted: the upload stays, owned by nobody. */
  integration_id: string | null;
  /** The integration's bot user. */
  created_by: string;
  mode: 'single_part' | 'multi_part' | 'external_url';
  status: 'pending' | 'uploaded' | 'failed';
  filename: string | null;
  content_type: string | null;
  content_length: number | null;
  /** Multi-part uploads only. */
  number_of_parts: number | null;
  external_url: string | null;
  /** JSON: `file_import_result` in its response form, external_url mode only. */
  import_result: string | null;
  created_time: string;
  last_edited_time: string;
  /** Null once attached: an attached upload never expires. */
  expiry_time: string | null;
}

export interface FileUploadPartTable {
  upload_id: string;
  part_number: number;
  size: number;
  bytes: Uint8Array;
}

export interface Database {
  octavo_meta: MetaTable;
  users: UserTable;
  integrations: IntegrationTable;
  blocks: BlockTable;
  shares: ShareTable;
  file_uploads: FileUploadTable;
  file_upload_parts: FileUploadPartTable;
  rate_buckets: RateBucketTable;
  search_index: SearchIndexTable;
  comment_discussions: CommentDiscussionTable;
  comments: CommentTable;
  events: EventTable;
  webhook_subscriptions: WebhookSubscriptionTable;
  webhook_deliveries: WebhookDeliveryTable;
  automations: AutomationTable;
  automation_runs: AutomationRunTable;
  automation_page_state: AutomationPageStateTable;
  scripts: ScriptTable;
  script_runs: ScriptRunTable;
  workers: WorkerTable;
  worker_syncs: WorkerSyncTable;
  worker_records: WorkerRecordTable;
  worker_runs: WorkerRunTable;
  worker_pacers: WorkerPacerTable;
  user_passwords: UserPasswordTable;
  web_sessions: WebSessionTable;
  person_roles: PersonRoleTable;
  invitations: InvitationTable;
  oauth_clients: OauthClientTable;
  oauth_installations: OauthInstallationTable;
  oauth_codes: OauthCodeTable;
  views: ViewTable;
  view_queries: ViewQueryTable;
  view_card_orders: ViewCardOrderTable;
  page_templates: PageTemplateTable;
  custom_emojis: CustomEmojiTable;
  async_tasks: AsyncTaskTable;
}

export interface RateBucketTable {
  key: string;
  tokens: number;
  updated_ms: number;
}

/** One page, database or data source as POST /v1/search finds it (migration 005). */
export interface SearchIndexTable {
  id: string;
  object: string;
  /** The title's plain text, lowercased. */
  title: string;
  last_edited_time: string;
  in_trash: number;
  fts_rowid: number | null;
}

/** A comment thread on a page or a block (migration 006). */
export interface CommentDiscussionTable {
  id: string;
  parent_type: 'page_id' | 'block_id';
  parent_id: string;
  created_time: string;
  /** When the thread was resolved; null while it is open. */
  resolved_time: string | null;
}

/** One comment; its parent is its discussion's, repeated (it never changes). */
export interface CommentTable {
  id: string;
  discussion_id: string;
  parent_type: 'page_id' | 'block_id';
  parent_id: string;
  /** JSON: rich text in its stored (response) form. */
  rich_text: string;
  /** JSON: `[{category, file_upload_id, filename}]`, presented as hosted files. */
  attachments: string;
  /** JSON: `{type, resolved_name}`, the name decided when the comment was written. */
  display_name: string;
  created_by: string;
  created_time: string;
  last_edited_time: string;
}

/** One change event in the outbox (migrations 007 and 008, events/types.ts); JSON as text. */
export interface EventTable {
  seq: Generated<number>;
  /** The writing transaction's id: Postgres xid8 (read as text), 0 on SQLite; set by default. */
  xid: Generated<string | number>;
  id: string;
  type: string;
  entity_id: string;
  entity_type: string;
  data: string;
  authors: string;
  integration_id: string | null;
  timestamp: string;
}

/** A webhook subscription (migration 010, webhooks/). */
export interface WebhookSubscriptionTable {
  id: string;
  /** An internal integration's subscription. */
  integration_id: string | null;
  /** A public (OAuth) integration's subscription: its client id. */
  client_id: string | null;
  url: string;
  /** JSON array of event types; empty means every type. */
  event_types: string;
  api_version: string;
  verification_token: string;
  status: 'pending_verification' | 'active' | 'paused';
  status_reason: string | null;
  /** The subscription's place in the event outbox (events/cursor.ts). */
  cursor: string;
  consecutive_failures: number;
  dispatch_until: number | string | null;
  dispatch_token: string | null;
  created_time: string;
  verified_time: string | null;
}

/** One delivery attempt, or a delivery waiting to be enqueued or held (migration 010). */
export interface WebhookDeliveryTable {
  id: string;
  subscription_id: string;
  kind: 'verification' | 'event' | 'replay';
  status: 'queued' | 'enqueued' | 'held' | 'succeeded' | 'failed';
  event_id: string | null;
  event_type: string | null;
  event: string | null;
  attempt_number: number | null;
  request_body: string | null;
  response_status: number | null;
  response_excerpt: string | null;
  latency_ms: number | null;
  error: string | null;
  created_time: string;
}

/** A person's password hash (migration 011; format in lib/password.ts). */
export interface UserPasswordTable {
  user_id: string;
  hash: string;
  updated_time: string;
}

/** A person's workspace role (migration 018); no row is `member`. */
export interface PersonRoleTable {
  user_id: string;
  role: string;
}

/** An invitation link (migration 018); the link's secret is stored as its SHA-256 only. */
export interface InvitationTable {
  id: string;
  token_hash: string;
  email: string;
  role: string;
  created_by: string | null;
  created_time: string;
  expires_time: string;
  used_time: string | null;
  user_id: string | null;
  revoked_time: string | null;
}

/** A signed-in browser (migration 011); the cookie's value is stored only as its SHA-256. */
export interface WebSessionTable {
  id_hash: string;
  user_id: string;
  /** The CSRF token the session's forms carry. */
  csrf: string;
  created_time: string;
  expires_time: string;
}

/** A public (OAuth) integration (migration 011). */
export interface OauthClientTable {
  /** The client id. */
  id: string;
  name: string;
  /** SHA-256 of the client secret. */
  secret_hash: string;
  /** JSON array of redirect URIs. */
  redirect_uris: string;
  /** JSON array of capability names, given to each installation. */
  capabilities: string;
  created_time: string;
}

/** One installation of a public integration by one user: an `integrations` row (migration 011). */
export interface OauthInstallationTable {
  integration_id: string;
  client_id: string;
  owner_user_id: string;
  bot_user_id: string;
  /** SHA-256 of the live refresh token; null when revoked. */
  refresh_hash: string | null;
  /** When the live access token was issued; null when revoked. */
  issued_time: string | null;
  created_time: string;
}

/** An authorization code, by SHA-256 (migration 011). */
export interface OauthCodeTable {
  code_hash: string;
  client_id: string;
  user_id: string;
  redirect_uri: string | null;
  code_challenge: string | null;
  /** JSON array of page ids. */
  pages: string;
  created_time: string;
  expires_time: string;
  used_time: string | null;
  /** The installation whose tokens the exchange issued. */
  installation_id: string | null;
}
/** A view of a database: a tab, or a widget of a dashboard view (migration 012). JSON as text. */
export interface ViewTable {
  id: string;
  database_id: string;
  /** Null for dashboards. */
  data_source_id: string | null;
  /** The dashboard a widget belongs to; null for a tab. */
  dashboard_view_id: string | null;
  name: string;
  type: string;
  filter: string | null;
  sorts: string | null;
  quick_filters: string | null;
  configuration: string | null;
  /** Order among the database's tabs (lib/order-key). */
  sort_key: string;
  created_time: string;
  created_by: string;
  last_edited_time: string;
  last_edited_by: string;
}

/** The manual order of a board view's cards (migration 028): page ids as a JSON array. */
export interface ViewCardOrderTable {
  view_id: string;
  page_ids: string;
  updated_time: string;
  updated_by: string;
}

/** A view's results, kept until `expires_at` (migration 012). */
export interface ViewQueryTable {
  id: string;
  view_id: string;
  integration_id: string | null;
  /** JSON array of page ids, in the view's order. */
  page_ids: string;
  total_count: number;
  /** 1 when the query stopped at the result cap. */
  incomplete: number;
  created_time: string;
  expires_at: string;
}

/** A template of a data source (migration 012). */
export interface PageTemplateTable {
  id: string;
  data_source_id: string;
  name: string;
  is_default: number;
  /** JSON: stored property values keyed by property id, as on pages. */
  properties: string;
  icon: string | null;
  /** The content, as Notion-flavoured markdown. */
  markdown: string;
  created_time: string;
  created_by: string;
}

/** A custom emoji: a unique name and the upload holding its image (migration 012). */
export interface CustomEmojiTable {
  id: string;
  name: string;
  file_upload_id: string;
  created_time: string;
  created_by: string;
}

/** What an `allow_async` write answered, kept for `GET /v1/async_tasks/{id}` (migration 012). */
export interface AsyncTaskTable {
  /** `task_` and 32 hex digits, as Notion's. */
  id: string;
  integration_id: string | null;
  /** The endpoint, as Notion names it (`PATCH /v1/pages/:page_id/markdown`). */
  operation: string;
  status: 'queued' | 'succeeded' | 'failed';
  /** JSON: the response body the write answered. */
  result: string | null;
  /** JSON: the error envelope, for a failed task. */
  error: string | null;
  created_time: string;
}

/** An automation (migration 016, automations/). */
export interface AutomationTable {
  id: string;
  name: string;
  /** The integration it acts as. */
  integration_id: string;
  /** The validated definition, JSON (automations/definition.ts). */
  definition: string;
  enabled: number;
  /** Its place in the event outbox (events/cursor.ts). */
  cursor: string;
  /** A schedule trigger's next due instant (ISO). */
  next_run_time: string | null;
  /** A webhook trigger's secret (its inbound URL's last segment). */
  hook_token: string | null;
  dispatch_until: number | string | null;
  dispatch_token: string | null;
  created_time: string;
  updated_time: string;
}

/** One run of an automation (migration 016). */
export interface AutomationRunTable {
  id: string;
  automation_id: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  trigger: string;
  depth: number;
  dry_run: number;
  steps: string;
  error: string | null;
  created_time: string;
  started_time: string | null;
  finished_time: string | null;
  duration_ms: number | null;
}

/** A script and its integration (migration 021, automations/scripts.ts). */
export interface ScriptTable {
  name: string;
  integration_id: string;
  /** The integration's bearer token, handed to each run. */
  token: string;
  created_time: string;
}

/** One run of a script (migration 021). */
export interface ScriptRunTable {
  id: string;
  script_name: string;
  file: string;
  /** `cli`, or `automation:<run id>`. */
  started_by: string;
  status: 'running' | 'succeeded' | 'failed';
  /** JSON. */
  input: string;
  /** JSON, when it succeeded. */
  output: string | null;
  /** JSON array of {time, level, text}. */
  logs: string;
  error: string | null;
  reason: 'error' | 'timeout' | 'memory' | 'exit' | null;
  started_time: string;
  finished_time: string | null;
  duration_ms: number | null;
}

/** A deployed Notion Worker (migration 020, workers/). */
export interface WorkerTable {
  name: string;
  integration_id: string;
  /** The integration's bearer token, handed to each execution as NOTION_API_TOKEN. */
  token: string;
  source_dir: string;
  /** The built ES module (esbuild), its bare imports made absolute paths. */
  bundle: string;
  /** JSON array of folders an execution may read (the packages the bundle imports). */
  read_paths: string;
  /** JSON: the manifest the package reports (`worker.manifest`). */
  manifest: string;
  /** JSON: database key → {database_id, data_source_id}. */
  databases: string;
  /** JSON: variables given to every execution. */
  env: string;
  hook_token: string;
  /** JSON: the pacers' state before migration 023 (now in `worker_pacers`; written `{}`). */
  pacers: string;
  created_time: string;
  updated_time: string;
}

/** A sync capability's state between executions (migration 020). */
export interface WorkerSyncTable {
  worker_name: string;
  capability: string;
  /** JSON: the last `nextState`, or null at the start of a cycle. */
  state: string | null;
  /** The cycle in progress (replace mode deletes what a finished cycle did not see). */
  cycle: number;
  next_run_time: string | null;
  last_run_id: string | null;
  /** While a cycle runs: until when it holds the sync (extended at each execution). */
  running_until: string | null;
}

/** A record key a sync wrote, and its page (migration 020). */
export interface WorkerRecordTable {
  worker_name: string;
  capability: string;
  database_key: string;
  record_key: string;
  page_id: string;
  cycle: number;
}

/** A pacer's shared schedule: the last request slot handed out (migration 023). */
export interface WorkerPacerTable {
  worker_name: string;
  pacer: string;
  /** Milliseconds since the epoch (a bigint: Postgres returns it as a string). */
  last_scheduled_ms: number | string;
}

/** One execution of a worker capability (migration 020). */
export interface WorkerRunTable {
  id: string;
  worker_name: string;
  capability: string;
  /** sync, automation, webhook, verify, tool. */
  kind: string;
  /** `cli`, `schedule`, `admin`, `webhook`, `automation:<run id>`. */
  started_by: string;
  /** `queued`: a webhook delivery accepted and waiting for the job process (migration 023). */
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  input: string;
  output: string | null;
  logs: string;
  error: string | null;
  started_time: string;
  finished_time: string | null;
  duration_ms: number | null;
}

/** What an automation last saw of a page (migration 016). */
export interface AutomationPageStateTable {
  automation_id: string;
  page_id: string;
  /** JSON. */
  state: string;
}
