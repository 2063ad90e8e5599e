/**
 * A column header of the table: the name (a button that sorts), the "Edit property" menu
 * button, the resize handle (table-columns.tsx), and moving the column by dragging it (HTML
 * drag and drop: the name and menu are the drag source, another header's left or right half the
 * drop target, a bar showing the side). The keyboard path for moving is the column menu's
 * "Move left" / "Move right" (table-columns.tsx `PropertyPanel`).
 */
import { type DragEvent, useState } from 'react';
import { ResizeHandle } from './table-columns.tsx';
import type { PropertySchema } from './table-model.ts';

/** The drag data type of a column being moved (its property id). */
const COLUMN_DRAG = 'application/x-octavo-column';

export function ColumnHeader(props: {
  column: PropertySchema;
  /** The direction when this column is the first sort key. */
  sorted: 'ascending' | 'descending' | undefined;
  menuOpen: boolean;
  width: number;
  /** Whether columns can be moved (a view, or a default table that can become one, keeps the order). */
  movable: boolean;
  onSort: () => void;
  onMenu: () => void;
  onResize: (w: number) => void;
  onCommit: (w: number) => void;
  /** A column (by id) dropped on this one's left (`after` false) or right half. */
  onDropColumn: (draggedId: string, after: boolean) => void;
}) {
  const { column: c, sorted, menuOpen, width, movable } = props;
  const [over, setOver] = useState<'before' | 'after' | null>(null);
  // The title stays first: a column dropped on it goes after it.
  const sideOf = (e: DragEvent<HTMLElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    return c.type === 'title' || e.clientX > box.left + box.width / 2;
  };
  return (
    <th
      scope="col"
      aria-sort={sorted}
      className={over ? `drop-${over}` : undefined}
      onDragOver={(e) => {
        if (!movable || !e.dataTransfer.types.includes(COLUMN_DRAG)) return;
        e.preventDefault();
        const side = sideOf(e) ? 'after' : 'before';
        if (side !== over) setOver(side);
      }}
      onDragLeave={() => setOver(null)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(null);
        const dragged = e.dataTransfer.getData(COLUMN_DRAG);
        if (dragged && dragged !== c.id) props.onDropColumn(dragged, sideOf(e));
      }}
    >
      {/* biome-ignore lint/a11y/noStaticElementInteractions: a drag source; the keyboard path is the column menu's Move left / Move right */}
      <div
        className="column-head"
        draggable={movable && c.type !== 'title'}
        onDragStart={(e) => {
          e.dataTransfer.setData(COLUMN_DRAG, c.id);
          e.dataTransfer.effectAllowed = 'move';
        }}
      >
        <button type="button" className="sort-button" onClick={props.onSort}>
          {c.name}
          <span aria-hidden="true">{sorted ? (sorted === 'ascending' ? ' ↑' : ' ↓') : ''}</span>
        </button>
        <button
          type="button"
          className="small column-menu"
          aria-label={`Edit property ${c.name}`}
          aria-expanded={menuOpen}
          onClick={props.onMenu}
        >
          ⋯
        </button>
      </div>
      <ResizeHandle prop={c} width={width} onResize={props.onResize} onCommit={props.onCommit} />
    </th>
  );
}
