import type { Upgrade } from '../../../src/client/apiClient.js';

export const ACTIVE = new Set(['scheduled', 'running', 'pausing', 'paused']);
export const MOVING = new Set(['running', 'pausing']);

/** Masters and workers upgraded, of all: the one count a reader follows. */
export function nodeCount(u: Upgrade): { upgraded: number; total: number } {
  return { upgraded: u.masters.upgraded + u.nodes.upgraded, total: u.masters.total + u.nodes.total };
}

export function StatusBadge(props: { status: string }) {
  return <span class={`status status-${props.status}`}>{props.status}</span>;
}

export function Progress(props: { value: number; max: number; label: string }) {
  return (
    <progress value={props.value} max={Math.max(1, props.max)} aria-label={props.label}>
      {props.value} of {props.max}
    </progress>
  );
}

export function Failure(props: { error?: Error }) {
  if (!props.error) return null;
  return (
    <p role="alert" class="error">
      {props.error.message}
    </p>
  );
}
