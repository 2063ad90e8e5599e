import { describe, expect, it } from 'vitest';
import { aggregateEvents } from '../../src/events/aggregate.ts';
import { cursorAt, parseCursor, START_CURSOR } from '../../src/events/cursor.ts';
import { type DeliveryContext, renderEvent } from '../../src/events/render.ts';
import type { RecordedEvent } from '../../src/events/types.ts';
import type { WebhookPayload } from '../../src/wire/webhooks.ts';

const T0 = Date.parse('2025-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();
let seq = 0;
function content(page: string, block: string, ms: number, author = 'u1'): RecordedEvent {
  seq++;
  return {
    seq,
    cursor: cursorAt(0, seq),
    id: `e${seq}`,
    type: 'page.content_updated',
    entity: { id: page, type: 'page' },
    data: { parent: { id: 'root', type: 'page' }, updated_blocks: [{ id: block, type: 'block' }] },
    authors: [{ id: author, type: 'bot' }],
    integrationId: 'i1',
    timestamp: at(ms),
  };
}
function other(type: RecordedEvent['type'], id: string, ms: number): RecordedEvent {
  seq++;
  return {
    seq,
    cursor: cursorAt(0, seq),
    id: `e${seq}`,
    type,
    entity: { id, type: 'page' },
    data: { parent: { id: 'root', type: 'page' } },
    authors: [{ id: 'u1', type: 'bot' }],
    integrationId: 'i1',
    timestamp: at(ms),
  };
}

describe('event cursors', () => {
  it('round-trip the (xid, seq) pair, 64-bit xids included, and read an old event number as xid 0', () => {
    const big = (2n ** 64n - 1n).toString();
    expect(parseCursor(cursorAt(big, 42))).toEqual({ xid: big, seq: 42 });
    expect(parseCursor(START_CURSOR)).toEqual({ xid: '0', seq: 0 });
    expect(parseCursor('17')).toEqual({ xid: '0', seq: 17 });
    for (const bad of ['', '-1', '1-', 'a-1', '1.5', (2n ** 64n).toString() + '-1'])
      expect(parseCursor(bad)).toBeNull();
  });
});

describe('aggregateEvents', () => {
  it('folds one page’s content updates within the window into one event with every block and author', () => {
    const events = [content('p', 'b1', 0), content('p', 'b2', 400, 'u2'), content('p', 'b1', 900)];
    const read = aggregateEvents(events, START_CURSOR, 1000, T0 + 5000);
    expect(read.events).toHaveLength(1);
    expect(read.events[0]).toMatchObject({
      id: events[0]!.id,
      seq: events[2]!.seq,
      timestamp: at(900),
      authors: [
        { id: 'u1', type: 'bot' },
        { id: 'u2', type: 'bot' },
      ],
      data: {
        updated_blocks: [
          { id: 'b1', type: 'block' },
          { id: 'b2', type: 'block' },
        ],
      },
    });
    expect(read.cursor).toBe(events[2]!.cursor);
  });

  it('keeps pages apart, starts a new group after the window, and leaves other types alone', () => {
    const events = [
      content('p', 'b1', 0),
      content('q', 'c1', 100),
      other('page.moved', 'p', 200),
      content('p', 'b2', 1500),
    ];
    const read = aggregateEvents(events, START_CURSOR, 1000, T0 + 10_000);
    expect(read.events.map((e) => [e.type, e.entity.id])).toEqual([
      ['page.content_updated', 'p'],
      ['page.content_updated', 'q'],
      ['page.moved', 'p'],
      ['page.content_updated', 'p'],
    ]);
  });

  it('stops before a window still open, so the group is read whole later', () => {
    const events = [other('page.created', 'p', 0), content('p', 'b1', 100), content('p', 'b2', 200)];
    const early = aggregateEvents(events, '0-7', 1000, T0 + 500);
    expect(early.events.map((e) => e.type)).toEqual(['page.created']);
    expect(early.cursor).toBe(events[0]!.cursor);
    const later = aggregateEvents(events.slice(1), early.cursor, 1000, T0 + 1200);
    expect(later.events).toHaveLength(1);
    expect(later.events[0]!.data.updated_blocks).toHaveLength(2);
    expect(aggregateEvents([], '0-7', 1000, T0).cursor).toBe('0-7');
  });
});

const ctx = (apiVersion: DeliveryContext['apiVersion']): DeliveryContext => ({
  apiVersion,
  workspaceId: 'w',
  workspaceName: 'W',
  subscriptionId: 's',
  integrationId: 'i',
  attemptNumber: 1,
});
const ENVELOPE = [
  'id',
  'timestamp',
  'workspace_id',
  'workspace_name',
  'subscription_id',
  'integration_id',
  'type',
  'entity',
  'data',
  'authors',
  'attempt_number',
  'api_version',
];

describe('renderEvent', () => {
  const schema: RecordedEvent = {
    seq: 1,
    cursor: '0-1',
    id: 'e1',
    type: 'data_source.schema_updated',
    entity: { id: 'ds', type: 'data_source' },
    data: {
      parent: { id: 'db', type: 'database' },
      updated_properties: [{ id: 'p1', name: 'Points', action: 'created' }],
      database: { id: 'db', parent: { id: 'page', type: 'page' } },
    },
    authors: [{ id: 'u', type: 'bot' }],
    integrationId: 'i',
    timestamp: at(0),
  };

  it('tells 2025-09-03 and later subscribers about data sources as recorded', () => {
    for (const v of ['2025-09-03', '2026-03-11'] as const) {
      const p = renderEvent(schema, ctx(v))!;
      expect(Object.keys(p).sort()).toEqual([...ENVELOPE].sort());
      expect(p).toMatchObject({
        type: 'data_source.schema_updated',
        entity: { id: 'ds', type: 'data_source' },
        api_version: v,
      });
      expect(p).toHaveProperty('data', {
        parent: { id: 'db', type: 'database' },
        updated_properties: schema.data.updated_properties,
      });
    }
  });

  it('tells 2022-06-28 subscribers about the database instead, and nothing of data-source lifecycles', () => {
    const p = renderEvent(schema, ctx('2022-06-28'))!;
    expect(p).toMatchObject({ type: 'database.schema_updated', entity: { id: 'db', type: 'database' } });
    expect(p).toHaveProperty('data.parent', { id: 'page', type: 'page' });
    expect(renderEvent({ ...schema, type: 'data_source.created' }, ctx('2022-06-28'))).toBeNull();
  });

  it('drops data_source_id from row parents before 2025-09-03 and names the workspace for top pages', () => {
    const row: RecordedEvent = {
      ...other('page.created', 'r', 0),
      data: { parent: { id: 'db', type: 'database', data_source_id: 'ds' } },
    };
    expect(renderEvent(row, ctx('2022-06-28'))).toHaveProperty('data.parent', { id: 'db', type: 'database' });
    expect(renderEvent(row, ctx('2025-09-03'))).toHaveProperty('data.parent', {
      id: 'db',
      type: 'database',
      data_source_id: 'ds',
    });
    const top: RecordedEvent = { ...row, data: { parent: { id: null, type: 'space' } } };
    expect(renderEvent(top, ctx('2025-09-03'))).toHaveProperty('data.parent', { id: 'w', type: 'space' });
  });

  it('renders file uploads without data unless an import failed', () => {
    const up: RecordedEvent = {
      ...other('file_upload.created', 'f', 0),
      entity: { id: 'f', type: 'file_upload' },
      data: {},
    };
    const p = renderEvent(up, ctx('2025-09-03'))!;
    expect(p).not.toHaveProperty('data');
    expect(p.entity).toEqual({ id: 'f', type: 'file_upload' });
  });

  it('is typed by the SDK payload union', () => {
    const p: WebhookPayload | null = renderEvent(schema, ctx('2025-09-03'));
    expect(p).not.toBeNull();
  });
});
