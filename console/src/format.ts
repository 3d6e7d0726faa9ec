/** Durations and times as the console shows them: short, and in UTC so every reader sees the same. */

export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** "closes in 14 d 23 h": days and hours, as long waits read. */
export function countdown(ms: number): string {
  const h = Math.max(0, Math.floor(ms / 3_600_000));
  if (h < 24) return duration(ms);
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

export function time(iso: string | null | undefined): string {
  if (!iso) return '—';
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}Z`;
}

export function between(from: string | null | undefined, to: string | null | undefined, now = Date.now()): string {
  if (!from) return '—';
  return duration((to ? Date.parse(to) : now) - Date.parse(from));
}
