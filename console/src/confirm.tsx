import type { ComponentChildren } from 'preact';
import { useRef, useState } from 'preact/hooks';

/**
 * A button whose action asks first, in a modal <dialog> (focus moves into it,
 * Escape closes it, the page behind is inert). `disabled` is decided by the
 * caller from what the API says it would accept.
 */
export function ConfirmButton(props: {
  label: string;
  title: string;
  disabled?: boolean;
  /** why the button is disabled, read out with it */
  disabledReason?: string;
  children: ComponentChildren;
  onConfirm: () => Promise<void>;
  danger?: boolean;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const id = `dlg-${props.label.toLowerCase().replace(/\W+/g, '-')}`;
  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await props.onConfirm();
      dialog.current?.close();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button
        type="button"
        class={props.danger ? 'danger' : undefined}
        disabled={props.disabled || busy}
        title={props.disabled ? props.disabledReason : undefined}
        onClick={() => {
          setError(undefined);
          dialog.current?.showModal();
        }}
      >
        {props.label}
      </button>
      <dialog ref={dialog} aria-labelledby={`${id}-title`}>
        <form
          method="dialog"
          onSubmit={(e) => {
            e.preventDefault();
            void confirm();
          }}
        >
          <h2 id={`${id}-title`}>{props.title}</h2>
          {props.children}
          {error && (
            <p role="alert" class="error">
              {error}
            </p>
          )}
          <div class="buttons">
            <button type="submit" class={props.danger ? 'danger' : 'primary'} disabled={busy}>
              Confirm
            </button>
            <button type="button" onClick={() => dialog.current?.close()}>
              Back
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
