/** One-time starts of an upgrade's execution at a future time. */
export interface SchedulerPort {
  /** Schedules execution input `input` at `at` (ISO time) under `name`; scheduling the same name again is harmless. */
  scheduleStart(args: { name: string; at: string; input: Record<string, unknown> }): Promise<void>;
  /** Removes the schedule; a missing one is fine. */
  cancelStart(name: string): Promise<void>;
}
