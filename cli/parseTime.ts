import { usageError } from './exitCodes.js';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--at`: an ISO time (2025-06-07T01:00:00Z) or an offset from now (+90s, +30m, +2h, +1d), as an ISO time in the future. */
export function parseStartAt(text: string, now: number): string {
  const offset = /^\+(\d+(?:\.\d+)?)([smhd])$/.exec(text.trim());
  const at = offset ? now + Number(offset[1]) * UNIT_MS[offset[2]!]! : Date.parse(text);
  if (Number.isNaN(at)) throw usageError(`--at ${text} is not a time`, 'give an ISO time such as 2025-06-07T01:00:00Z, or an offset such as +30m, +2h, +1d');
  if (at <= now) throw usageError(`--at ${text} is not in the future`, 'give a later time, or leave --at out to start now');
  return new Date(at).toISOString();
}
