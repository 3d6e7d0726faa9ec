import type { SchedulerPort } from './schedulerPort.js';
import type { WorkflowPort } from './workflowPort.js';

/** The local stand-in for EventBridge Scheduler: a timer per schedule that starts the execution. */
export class LocalScheduler implements SchedulerPort {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly workflow: WorkflowPort,
    private readonly now: () => number = Date.now,
  ) {}

  async scheduleStart(args: { name: string; at: string; input: Record<string, unknown> }): Promise<void> {
    if (this.timers.has(args.name)) return;
    const delay = Math.max(0, Date.parse(args.at) - this.now());
    const timer = setTimeout(() => {
      this.timers.delete(args.name);
      void this.workflow
        .startExecution({ name: args.name, input: args.input })
        .catch((err: Error) => console.error(`scheduled start ${args.name}: ${err.message}`));
    }, delay);
    timer.unref();
    this.timers.set(args.name, timer);
  }

  async cancelStart(name: string): Promise<void> {
    clearTimeout(this.timers.get(name));
    this.timers.delete(name);
  }

  pending(): string[] {
    return [...this.timers.keys()];
  }

  stopAll(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
