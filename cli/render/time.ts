/** 45s, 3m 12s, 2h 5m, 3d 4h: the two largest units, as a person reads a duration. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const units: [string, number][] = [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ];
  const parts: string[] = [];
  let rest = s;
  for (const [name, size] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0 || (parts.length > 0 && parts.length < 2)) parts.push(`${n}${name}`);
    if (parts.length === 2) break;
  }
  return parts.filter((p, i) => i === 0 || !p.startsWith('0')).join(' ') || '0s';
}

/** "in 3h 2m" or "5m ago". */
export function relative(iso: string, now: number): string {
  const d = Date.parse(iso) - now;
  return d >= 0 ? `in ${duration(d)}` : `${duration(-d)} ago`;
}

/** An ISO time, to the second, in UTC: the same on every machine. */
export const stamp = (iso: string) => `${iso.slice(0, 19).replace('T', ' ')}Z`;

/** The time of day of a moment, for lines that follow an upgrade. */
export const clock = (ms: number) => new Date(ms).toISOString().slice(11, 19);
