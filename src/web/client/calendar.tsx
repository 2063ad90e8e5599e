/**
 * The calendar view: a month grid (Monday first; weekends left out when the view's
 * `show_weekends` is false) with each page on the days its date property covers (the view's
 * `date_property_id`, else the schema's first date property). The month's pages are one query:
 * the view's filter and sorts plus the date on or after the grid's first day and on or before
 * its last (a range that starts before the grid is not shown). Previous, Today and Next change
 * the month; "+ New" on a day creates a page with that date.
 */
import { useState } from 'react';
import {
  createRow,
  NewPageField,
  type Row,
  RowLink,
  RowsFooter,
  useRows,
  type ViewBodyProps,
} from './cards.tsx';
import { addMonths, dateProperty, daysOf, monthGrid, type ViewProperty, viewQuery } from './view-model.ts';

const localDay = (d = new Date()) =>
  `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

const dayName = (day: string, style: 'long' | 'short') =>
  new Date(`${day}T12:00:00Z`).toLocaleDateString(undefined, {
    timeZone: 'UTC',
    ...(style === 'long'
      ? { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }
      : { weekday: 'short' }),
  });

const monthName = (month: string) =>
  new Date(`${month}-15T12:00:00Z`).toLocaleDateString(undefined, {
    timeZone: 'UTC',
    month: 'long',
    year: 'numeric',
  });

export function CalendarView(props: ViewBodyProps) {
  const prop = dateProperty(props.props, props.view);
  if (!prop) {
    return (
      <p role="alert">
        A calendar places pages by a date property, and this database has none. Add one, or choose another
        view.
      </p>
    );
  }
  return <Calendar {...props} prop={prop} />;
}

function Calendar({ source, view, titleName, prop }: ViewBodyProps & { prop: ViewProperty }) {
  const today = localDay();
  const [month, setMonth] = useState(today.slice(0, 7));
  const weeks = monthGrid(month);
  const first = weeks[0]![0]!;
  const last = weeks.at(-1)!.at(-1)!;
  const range = [
    { property: prop.id, [prop.type]: { on_or_after: first } },
    { property: prop.id, [prop.type]: { on_or_before: last } },
  ];
  const query = viewQuery(view, range);
  const data = useRows(
    source.id,
    query.sorts ? query : { ...query, sorts: [{ property: prop.id, direction: 'ascending' }] },
    true,
  );
  const weekends = view.configuration?.show_weekends !== false;
  const shownDays = (week: string[]) => (weekends ? week : week.slice(0, 5));

  const byDay = new Map<string, Row[]>();
  for (const row of data.rows) {
    for (const day of daysOf(row.properties[prop.name])) byDay.set(day, [...(byDay.get(day) ?? []), row]);
  }

  return (
    <div className="calendar-view">
      <div className="calendar-nav">
        <h2 aria-live="polite">{monthName(month)}</h2>
        <button type="button" className="small" onClick={() => setMonth(addMonths(month, -1))}>
          <span aria-hidden="true">‹ </span>Previous month
        </button>
        <button type="button" className="small" onClick={() => setMonth(today.slice(0, 7))}>
          Today
        </button>
        <button type="button" className="small" onClick={() => setMonth(addMonths(month, 1))}>
          Next month<span aria-hidden="true"> ›</span>
        </button>
      </div>
      {data.error && <p role="alert">{data.error}</p>}
      <table className="calendar">
        <caption className="visually-hidden">
          {view.name}: pages by {prop.name}, {monthName(month)}
        </caption>
        <thead>
          <tr>
            {shownDays(weeks[0]!).map((d) => (
              <th key={d} scope="col">
                {dayName(d, 'short')}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {weeks.map((week) => (
            <tr key={week[0]}>
              {shownDays(week).map((day) => (
                <td
                  key={day}
                  className={day.slice(0, 7) === month ? 'calendar-day' : 'calendar-day other-month'}
                  aria-current={day === today ? 'date' : undefined}
                  data-day={day}
                >
                  <div className="calendar-day-head">
                    <span className="calendar-day-number">
                      <span aria-hidden="true">{Number(day.slice(8))}</span>
                      <span className="visually-hidden">{dayName(day, 'long')}</span>
                    </span>
                    {prop.type === 'date' && (
                      <NewPageField
                        label={`New page on ${dayName(day, 'long')}`}
                        text="+"
                        onCreate={async (title) => {
                          const row = await createRow(source.id, titleName, title, {
                            [prop.name]: { date: { start: day } },
                          });
                          data.hold();
                          data.setRows((rows) => [...rows, row]);
                        }}
                      />
                    )}
                  </div>
                  <ul className="calendar-pages">
                    {(byDay.get(day) ?? []).map((row) => (
                      <li key={row.id}>
                        <RowLink row={row} className="calendar-page" />
                      </li>
                    ))}
                  </ul>
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <RowsFooter count={data.rows.length} loading={data.loading} more={data.more} onMore={data.loadMore} />
    </div>
  );
}
