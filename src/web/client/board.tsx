/**
 * The board view: a column per option of a select or status property (the view's `group_by`, else
 * the schema's first), then "No <property>". A card moves to another column by a pointer drag
 * (mouse anywhere on the card; touch and pen by its handle) or from the keyboard (the handle:
 * Enter or Space picks it up, the arrow keys choose a column, Enter or Space drops, Escape
 * cancels, each step announced). A move is `PATCH /v1/pages/{id}` with the new value, so it is
 * the person's edit with its change events; the card moves at once and goes back if the API
 * refuses. "+ New" in a column creates a page with that column's value.
 *
 * Within a column, cards keep the order people arrange them in: a card dropped above or below
 * another (or moved with the up and down arrows while picked up) takes that place. Notion's API
 * has no field for this order, so it is kept beside the view (`/app/api/views/{id}/card_order`,
 * ops/card-order.ts), shared by everyone who opens the view. A view with sorts shows its sorted
 * order instead, and a card cannot be placed by hand there (as in Notion).
 */
import { type PointerEvent as ReactPointerEvent, useEffect, useId, useRef, useState } from 'react';
import { adminApi, api } from './api.ts';
import {
  createRow,
  NewPageField,
  type Row,
  RowLink,
  RowsFooter,
  RowValues,
  rowTitle,
  useRows,
  type ViewBodyProps,
} from './cards.tsx';
import {
  boardGroups,
  type Group,
  groupKeyOf,
  groupProperty,
  moveBody,
  shownProperties,
  type ViewProperty,
  viewQuery,
  withPagesOptions,
} from './view-model.ts';

/** Rows in the manual order (`order`: page ids); rows it does not list come after, as they were. */
function inOrder(rows: Row[], order: string[] | null): Row[] {
  if (!order || order.length === 0) return rows;
  const rank = new Map(order.map((id, i) => [id, i]));
  return rows
    .map((row, i) => ({ row, at: rank.get(row.id) ?? order.length + i }))
    .sort((a, b) => a.at - b.at)
    .map((x) => x.row);
}

/** Where a pointer drag is: the card, the pointer, and the column under it. */
interface Drag {
  id: string;
  x: number;
  y: number;
  over: string | null;
}

/** Pixels a pointer travels before a press on a card becomes a drag (a shorter one is a click). */
const DRAG_THRESHOLD = 5;

export function BoardView(body: ViewBodyProps) {
  const prop = groupProperty(body.props, body.view);
  if (!prop) {
    return (
      <p role="alert">
        A board groups pages by a select or status property, and this database has none. Add one, or choose
        another view.
      </p>
    );
  }
  return <Board {...body} prop={prop} />;
}

function Board({ source, view, props, titleName, prop }: ViewBodyProps & { prop: ViewProperty }) {
  const data = useRows(source.id, viewQuery(view));
  const keyOf = (row: Row) => groupKeyOf(row.properties, prop, view);
  const groups = withPagesOptions(boardGroups(prop, view), data.rows.map(keyOf));
  const shown = shownProperties(props, view, [prop.id], 3);
  const helpId = useId();
  const [drag, setDrag] = useState<Drag | null>(null);
  // The keyboard move in progress: the card and the column it would drop into.
  // `slot`: the place in the target column it would take (among the column's other cards).
  const [lifted, setLifted] = useState<{ id: string; target: number; slot: number } | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const scroller = useRef<HTMLDivElement>(null);
  // The manual order of the cards (null until read); only for a saved view without sorts.
  const manual = Boolean(view.id) && !(view.sorts && view.sorts.length > 0);
  const [order, setOrder] = useState<string[] | null>(null);
  useEffect(() => {
    if (!manual) return;
    let live = true;
    adminApi<{ page_ids: string[] }>('GET', `/views/${view.id}/card_order`)
      .then((r) => live && setOrder(r.page_ids))
      .catch(() => live && setOrder([]));
    return () => {
      live = false;
    };
  }, [manual, view.id]);
  /** A column's cards as shown: in the manual order, or the view's. */
  const columnOf = (key: string, except?: string) =>
    inOrder(
      data.rows.filter((r) => keyOf(r) === key && r.id !== except),
      manual ? order : null,
    );

  /**
   * Puts a card at `slot` among the other cards of `group` (the column it is in or moves to) and
   * saves the whole order: every column's cards as shown, then the ids not on the board now.
   */
  const place = async (row: Row, group: Group, slot: number) => {
    if (!manual) return;
    const column = columnOf(group.key, row.id);
    column.splice(Math.min(slot, column.length), 0, row);
    const shown = groups.flatMap((g) =>
      (g.key === group.key ? column : columnOf(g.key, row.id)).map((r) => r.id),
    );
    const onBoard = new Set(shown);
    const next = [...shown, ...(order ?? []).filter((id) => !onBoard.has(id))];
    const before = order;
    setOrder(next);
    try {
      await adminApi('PUT', `/views/${view.id}/card_order`, { page_ids: next });
    } catch (e) {
      setOrder(before);
      data.setError(`The order of the cards could not be saved: ${(e as Error).message}`);
    }
  };
  /** Where `row` is in its column (0 = first). */
  const slotOf = (row: Row) => columnOf(keyOf(row)).findIndex((r) => r.id === row.id);

  const indexOf = (row: Row) =>
    Math.max(
      0,
      groups.findIndex((g) => g.key === keyOf(row)),
    );
  const hideEmpty = (view.configuration?.group_by as { hide_empty_groups?: boolean } | undefined)
    ?.hide_empty_groups;

  const focusHandle = (id: string) =>
    requestAnimationFrame(() =>
      document.querySelector<HTMLElement>(`[data-card="${id}"] .card-handle`)?.focus(),
    );

  /** Moves a card into a column: shown at once, written through PATCH /v1/pages/{id}. */
  const move = async (row: Row, group: Group) => {
    if (keyOf(row) === group.key) return;
    const before = row;
    const optimistic: Row = {
      ...row,
      properties: {
        ...row.properties,
        [prop.name]: {
          ...row.properties[prop.name],
          type: prop.type,
          [prop.type]: group.option === null ? null : { name: group.option },
        },
      },
    };
    data.hold();
    data.setRows((rows) => [...rows.filter((r) => r.id !== row.id), optimistic]);
    setAnnouncement(`${rowTitle(row)} moved to ${group.label}.`);
    try {
      const saved = await api<Row>('PATCH', `/pages/${row.id}`, { properties: moveBody(prop, group) });
      data.hold();
      data.setRows((rows) => rows.map((r) => (r.id === saved.id ? saved : r)));
    } catch (e) {
      data.setRows((rows) => rows.map((r) => (r.id === before.id ? before : r)));
      data.setError(`${rowTitle(row)} could not be moved: ${(e as Error).message}`);
      setAnnouncement(`${rowTitle(row)} could not be moved.`);
    }
  };

  const startPointer = (e: ReactPointerEvent, row: Row) => {
    const onHandle = (e.target as HTMLElement).closest('.card-handle');
    if (e.button !== 0 || (e.pointerType !== 'mouse' && !onHandle)) return;
    if (!onHandle && (e.target as HTMLElement).closest('button, input, select, textarea')) return;
    const x0 = e.clientX;
    const y0 = e.clientY;
    let dragging = false;
    let over: string | null = null;
    // The card under the pointer in that column, and whether the pointer is below its middle.
    let overCard: { id: string; after: boolean } | null = null;
    const onMove = (ev: PointerEvent) => {
      if (!dragging && Math.hypot(ev.clientX - x0, ev.clientY - y0) < DRAG_THRESHOLD) return;
      if (!dragging) data.hold();
      dragging = true;
      ev.preventDefault();
      const under = document.elementFromPoint(ev.clientX, ev.clientY)?.closest<HTMLElement>('[data-group]');
      over = under?.dataset.group ?? null;
      const cardEl = document.elementFromPoint(ev.clientX, ev.clientY)?.closest<HTMLElement>('[data-card]');
      const box = cardEl?.getBoundingClientRect();
      overCard =
        cardEl && box && cardEl.dataset.card !== row.id
          ? { id: cardEl.dataset.card!, after: ev.clientY > box.top + box.height / 2 }
          : null;
      autoScroll(scroller.current, ev.clientX);
      setDrag({ id: row.id, x: ev.clientX, y: ev.clientY, over });
    };
    const onUp = () => {
      window.removeEventListener('pointermove', onMove);
      window.removeEventListener('pointerup', onUp);
      window.removeEventListener('pointercancel', onCancel);
      setDrag(null);
      if (!dragging) return;
      // The click that ends a drag must not open the card's page.
      const swallow = (ev: MouseEvent) => {
        ev.preventDefault();
        ev.stopPropagation();
      };
      window.addEventListener('click', swallow, { capture: true, once: true });
      setTimeout(() => window.removeEventListener('click', swallow, { capture: true }), 0);
      const group = groups.find((g) => g.key === over);
      if (!group) return;
      const others = columnOf(group.key, row.id);
      const at = overCard ? others.findIndex((r) => r.id === overCard!.id) : -1;
      const slot = at < 0 ? others.length : at + (overCard!.after ? 1 : 0);
      const sameColumn = group.key === keyOf(row);
      if (!sameColumn) move(row, group);
      if (!sameColumn || (overCard && slot !== slotOf(row))) {
        place(row, group, slot);
        if (sameColumn) setAnnouncement(`${rowTitle(row)} placed ${slot + 1} of ${others.length + 1}.`);
      }
    };
    const onCancel = () => {
      dragging = false;
      onUp();
    };
    window.addEventListener('pointermove', onMove);
    window.addEventListener('pointerup', onUp);
    window.addEventListener('pointercancel', onCancel);
  };

  const onHandleKey = (e: React.KeyboardEvent, row: Row) => {
    const pick = e.key === 'Enter' || e.key === ' ';
    if (!lifted || lifted.id !== row.id) {
      if (!pick) return;
      e.preventDefault();
      const from = indexOf(row);
      setLifted({ id: row.id, target: from, slot: Math.max(0, slotOf(row)) });
      setAnnouncement(
        `Picked up ${rowTitle(row)} in ${groups[from]!.label}. Left and right arrows choose a column${manual ? ', up and down its place in the column' : ''}, Enter drops, Escape cancels.`,
      );
      return;
    }
    if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
      e.preventDefault();
      const step = e.key === 'ArrowLeft' ? -1 : 1;
      const target = Math.min(groups.length - 1, Math.max(0, lifted.target + step));
      const size = columnOf(groups[target]!.key, row.id).length;
      setLifted({ id: row.id, target, slot: Math.min(lifted.slot, size) });
      setAnnouncement(`${rowTitle(row)} over ${groups[target]!.label}.`);
    } else if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
      e.preventDefault();
      if (!manual) {
        setAnnouncement('This view is sorted: cards are placed by its sorts.');
        return;
      }
      const size = columnOf(groups[lifted.target]!.key, row.id).length;
      const slot = Math.min(size, Math.max(0, lifted.slot + (e.key === 'ArrowUp' ? -1 : 1)));
      setLifted({ ...lifted, slot });
      setAnnouncement(
        `${rowTitle(row)} at place ${slot + 1} of ${size + 1} in ${groups[lifted.target]!.label}.`,
      );
    } else if (pick) {
      e.preventDefault();
      setLifted(null);
      const group = groups[lifted.target]!;
      const sameColumn = group.key === keyOf(row);
      if (sameColumn && (!manual || lifted.slot === slotOf(row)))
        setAnnouncement(`${rowTitle(row)} stays in ${group.label}.`);
      else {
        if (!sameColumn) move(row, group);
        place(row, group, lifted.slot);
        if (sameColumn) setAnnouncement(`${rowTitle(row)} placed ${lifted.slot + 1} in ${group.label}.`);
        focusHandle(row.id);
      }
    } else if (e.key === 'Escape') {
      e.preventDefault();
      setLifted(null);
      setAnnouncement(`Move of ${rowTitle(row)} cancelled.`);
    }
  };

  const dragged = drag && data.rows.find((r) => r.id === drag.id);
  const target = lifted ? groups[lifted.target]?.key : drag?.over;

  return (
    <div className="board-view">
      {data.error && <p role="alert">{data.error}</p>}
      <p id={helpId} className="visually-hidden">
        Press Enter or Space on a card’s handle to move it, the left and right arrow keys to choose a column,
        the up and down arrow keys to choose its place in the column, Enter or Space to drop it, Escape to
        cancel.
      </p>
      <p className="visually-hidden" role="status" aria-live="assertive">
        {announcement}
      </p>
      <div className="board" ref={scroller}>
        {groups.map((group) => {
          const cards = columnOf(group.key);
          // Where the card picked up with the keyboard would go: before this column's card at
          // that place (among the others), or at the end.
          const slotBefore =
            lifted && groups[lifted.target]?.key === group.key
              ? (columnOf(group.key, lifted.id)[lifted.slot]?.id ?? 'end')
              : null;
          if (hideEmpty && cards.length === 0 && target !== group.key) return null;
          const headingId = `${helpId}-${group.key}`;
          return (
            <section
              key={group.key}
              className={`board-column${target === group.key ? ' drop-target' : ''}`}
              data-group={group.key}
              aria-labelledby={headingId}
            >
              <h2 id={headingId} className="board-column-title">
                {group.label} <span className="muted">{cards.length}</span>
              </h2>
              <ul
                className={`board-cards${slotBefore === 'end' ? ' drop-at-end' : ''}`}
                aria-label={`Cards in ${group.label}`}
              >
                {cards.map((row) => (
                  <li
                    key={row.id}
                    data-card={row.id}
                    className={`card board-card${drag?.id === row.id ? ' dragging' : ''}${lifted?.id === row.id ? ' lifted' : ''}${slotBefore === row.id ? ' drop-before' : ''}`}
                    onPointerDown={(e) => startPointer(e, row)}
                    // The browser's own dragging of the title link would cancel the pointer drag.
                    onDragStart={(e) => e.preventDefault()}
                  >
                    <RowLink row={row} className="card-link" />
                    <RowValues row={row} props={shown} />
                    <button
                      type="button"
                      className="card-handle"
                      aria-label={`Move ${rowTitle(row)}`}
                      aria-describedby={helpId}
                      aria-pressed={lifted?.id === row.id}
                      onKeyDown={(e) => onHandleKey(e, row)}
                      onBlur={() => lifted?.id === row.id && setLifted(null)}
                    >
                      ⠿
                    </button>
                  </li>
                ))}
              </ul>
              <NewPageField
                label={`New page in ${group.label}`}
                onCreate={async (title) => {
                  const body = group.option === null ? {} : moveBody(prop, group);
                  const row = await createRow(source.id, titleName, title, body);
                  data.hold();
                  data.setRows((rows) => [...rows, row]);
                  setAnnouncement(`${rowTitle(row)} added to ${group.label}.`);
                }}
              />
            </section>
          );
        })}
      </div>
      <RowsFooter count={data.rows.length} loading={data.loading} more={data.more} onMore={data.loadMore} />
      {drag && dragged && (
        <div className="card board-ghost" style={{ left: drag.x + 8, top: drag.y + 8 }} aria-hidden="true">
          {rowTitle(dragged)}
        </div>
      )}
    </div>
  );
}

/** Scrolls the board sideways while a card is dragged near its left or right edge. */
function autoScroll(board: HTMLElement | null, x: number) {
  if (!board) return;
  const { left, right } = board.getBoundingClientRect();
  if (x > right - 40) board.scrollLeft += 20;
  else if (x < left + 40) board.scrollLeft -= 20;
}
