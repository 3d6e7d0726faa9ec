import * as z from 'zod';

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
type Weekday = (typeof WEEKDAYS)[number];

const hhmm = /* @__PURE__ */ z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day as HH:MM (24 h)');

/** When node batches may start: days of the week, a start and end time of day, in a time zone. */
export const MaintenanceWindowSchema = /* @__PURE__ */ z
  .object({
    days: z.array(z.enum(WEEKDAYS)).min(1),
    start: hhmm,
    end: hhmm,
    timeZone: z.string().refine(isTimeZone, 'an IANA time zone such as Europe/Paris or UTC'),
  })
  .strict()
  .refine((w) => w.start !== w.end, { message: 'start and end must differ', path: ['end'] });
export type MaintenanceWindow = z.infer<typeof MaintenanceWindowSchema>;

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const minutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));

/** The weekday and minute of the day at `at`, on the window's wall clock. */
const formatters = new Map<string, Intl.DateTimeFormat>();
function wallClock(at: Date, timeZone: string): { day: number; minute: number } {
  let f = formatters.get(timeZone);
  if (!f)
    formatters.set(timeZone, (f = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })));
  const parts = f.formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const day = WEEKDAYS.indexOf(get('weekday').toLowerCase().slice(0, 3) as Weekday);
  return { day, minute: Number(get('hour')) * 60 + Number(get('minute')) };
}

/** A window whose end is before its start runs past midnight into the next day. */
export function isWithinWindow(w: MaintenanceWindow, now: string): boolean {
  const { day, minute } = wallClock(new Date(now), w.timeZone);
  const open = (d: number) => w.days.includes(WEEKDAYS[(d + 7) % 7]!);
  const start = minutes(w.start);
  const end = minutes(w.end);
  if (start < end) return open(day) && minute >= start && minute < end;
  return (open(day) && minute >= start) || (open(day - 1) && minute < end);
}

/** The next moment the window opens after `now` (to the minute), within the coming 8 days. */
export function nextWindowStart(w: MaintenanceWindow, now: string): string | undefined {
  const t = new Date(Math.ceil(Date.parse(now) / 60_000) * 60_000);
  for (let i = 0; i < 8 * 24 * 60; i++, t.setTime(t.getTime() + 60_000)) {
    if (isWithinWindow(w, t.toISOString())) return t.toISOString();
  }
  return undefined;
}
