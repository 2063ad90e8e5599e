/**
 * The app's "delete, then confirm" control, shared by the property form (table-columns.tsx) and
 * the view settings (views.tsx): a Delete button that, pressed, becomes a question with a
 * Confirm button and a Keep button. The focus follows the person: onto Confirm when the question
 * appears (so Enter confirms and Tab reaches Keep), back onto Delete after Keep or Escape.
 */
import { useEffect, useRef, useState } from 'react';

export function ConfirmDelete(props: {
  /** The Delete button's text ("Delete property"). */
  label: string;
  /** The question shown once it is pressed ("Delete Points and its value in every row?"). */
  question: string;
  /** The Confirm button's text ("Confirm delete"). */
  confirmLabel: string;
  busy?: boolean;
  onConfirm: () => void;
}) {
  const { label, question, confirmLabel, busy, onConfirm } = props;
  const [confirming, setConfirming] = useState(false);
  const confirmButton = useRef<HTMLButtonElement>(null);
  const deleteButton = useRef<HTMLButtonElement>(null);
  // Set when the question closes, so the focus goes back to Delete (not on first render).
  const returning = useRef(false);
  useEffect(() => {
    if (confirming) confirmButton.current?.focus();
    else if (returning.current) {
      returning.current = false;
      deleteButton.current?.focus();
    }
  }, [confirming]);
  const keep = () => {
    returning.current = true;
    setConfirming(false);
  };
  if (!confirming)
    return (
      <button type="button" className="danger" ref={deleteButton} onClick={() => setConfirming(true)}>
        {label}
      </button>
    );
  return (
    <span
      role="alert"
      className="confirm"
      onKeyDown={(e) => {
        if (e.key !== 'Escape') return;
        // The enclosing form would close on Escape too: only the question closes.
        e.preventDefault();
        e.stopPropagation();
        keep();
      }}
    >
      {question}{' '}
      <button type="button" className="danger" ref={confirmButton} disabled={busy} onClick={onConfirm}>
        {confirmLabel}
      </button>
      <button type="button" onClick={keep}>
        Keep it
      </button>
    </span>
  );
}
