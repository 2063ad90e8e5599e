/** `view.*` events: derived from a view's state before and after a transaction, rendered per version. */
import { describe, expect, it } from 'vitest';
import { renderEvent } from '../../src/events/render.ts';
import type { RecordedEvent } from '../../src/events/types.ts';
import { type ViewState, viewEvents } from '../../src/events/views.ts';

const state = (over: Partial<ViewState> = {}): ViewState => ({
  id: 'v',
  database_id: 'db',
  type: 'board',
  name: 'Board',
  filter: null,
  sorts: null,
  configuration: '{"type":"board"}',
  last_edited_by: 'bot',
  last_edited_time: '2026-01-01T00:00:00.000Z',
  ...over,
});
const ctx = { author: (id: string) => ({ id, type: 'bot' as const }), integrationOf: () => 'i' };

describe('viewEvents', () => {
  it('names a creation with the view type, an update with the fields changed, a deletion', () => {
    const events = viewEvents(
      [
        { before: null, after: state() },
        { before: state({ id: 'u' }), after: state({ id: 'u', name: 'New', sorts: '[]' }) },
        { before: state({ id: 'd' }), after: null },
      ],
      ctx,
      'admin',
      '2026-01-02T00:00:00.000Z',
    );
    expect(events.map((e) => [e.type, e.entity, e.data])).toEqual([
      [
        'view.created',
        { id: 'v', type: 'view' },
        { parent: { id: 'db', type: 'database' }, view_type: 'board' },
      ],
      [
        'view.updated',
        { id: 'u', type: 'view' },
        { parent: { id: 'db', type: 'database' }, updated_fields: ['name', 'sorts'] },
      ],
      ['view.deleted', { id: 'd', type: 'view' }, { parent: { id: 'db', type: 'database' } }],
    ]);
    expect(events[2]!.authors).toEqual([{ id: 'admin', type: 'bot' }]);
  });

  it('records nothing for an edit stamp alone, or a view created and deleted in one transaction', () => {
    const stampOnly = { before: state(), after: state({ last_edited_time: '2026-02-01T00:00:00.000Z' }) };
    expect(viewEvents([stampOnly, { before: null, after: null }], ctx, null, 'now')).toEqual([]);
  });
});

describe('renderEvent of view events', () => {
  it('renders the SDK payloads under every version', () => {
    const [created] = viewEvents([{ before: null, after: state() }], ctx, null, 'now');
    const recorded: RecordedEvent = { ...created!, id: 'e', seq: 1, cursor: '0-1' };
    for (const apiVersion of ['2022-06-28', '2025-09-03', '2026-03-11'] as const) {
      const p = renderEvent(recorded, {
        apiVersion,
        workspaceId: 'w',
        workspaceName: 'W',
        subscriptionId: 's',
        integrationId: 'i',
        attemptNumber: 1,
      });
      expect(p).toMatchObject({
        type: 'view.created',
        entity: { id: 'v', type: 'view' },
        data: { parent: { id: 'db', type: 'database' }, view_type: 'board' },
      });
    }
  });
});
