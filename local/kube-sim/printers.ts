import type { LabelSelectorObject } from './selectors.js';
import type { KubeObject } from './store.js';

/**
 * The server-side printers of kube-apiserver (pkg/printers/internalversion)
 * for the resources served here: the columns `kubectl get` shows come from
 * the server, so they must be these, with these names and priorities.
 */
interface Column {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format?: string;
  priority?: number;
  description?: string;
}
type Cell = string | number | boolean;
export interface Printer {
  columns: Column[];
  cells: (o: KubeObject, now: number) => Cell[];
}

/** k8s.io/apimachinery/pkg/util/duration.HumanDuration */
function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 365 * 8) return days % 365 === 0 ? `${Math.floor(days / 365)}y` : `${Math.floor(days / 365)}y${days % 365}d`;
  return `${Math.floor(days / 365)}y`;
}

const since = (t: string | undefined, now: number) => (t ? humanDuration(now - Date.parse(t)) : '<unknown>');
const age = (o: KubeObject, now: number) => since(o.metadata.creationTimestamp, now);
const orNone = (v: string | undefined) => (v ? v : '<none>');
const col = (name: string, type: Column['type'] = 'string', priority = 0, format?: string): Column => ({
  name,
  type,
  priority,
  ...(format ? { format } : {}),
  description: name,
});
const NAME = col('Name', 'string', 0, 'name');
const AGE = col('Age');

/** metav1.FormatLabelSelector */
function formatSelector(sel: LabelSelectorObject | undefined): string {
  if (!sel) return '<none>';
  const parts = Object.entries(sel.matchLabels ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`);
  for (const e of sel.matchExpressions ?? []) {
    const op = e.operator === 'In' ? 'in' : e.operator === 'NotIn' ? 'notin' : '';
    parts.push(e.operator === 'Exists' ? e.key : e.operator === 'DoesNotExist' ? `!${e.key}` : `${e.key} ${op} (${(e.values ?? []).join(',')})`);
  }
  return parts.length ? parts.join(',') : '<none>';
}

interface Ctr {
  name: string;
  image?: string;
}
interface PodSpecLike {
  containers?: Ctr[];
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  readinessGates?: { conditionType: string }[];
}
const template = (o: KubeObject) => ((o.spec as { template?: { spec?: PodSpecLike } } | undefined)?.template?.spec ?? {}) as PodSpecLike;
const selectorOf = (o: KubeObject) => (o.spec as { selector?: LabelSelectorObject } | undefined)?.selector;
const WORKLOAD_WIDE = [col('Containers', 'string', 1), col('Images', 'string', 1), col('Selector', 'string', 1)];
const workloadWide = (o: KubeObject): Cell[] => {
  const cs = template(o).containers ?? [];
  return [orNone(cs.map((c) => c.name).join(',')), orNone(cs.map((c) => c.image ?? '').join(',')), formatSelector(selectorOf(o))];
};
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- printers read the status of every kind; the columns say what each field is
type Stat = Record<string, any>;
const st = (o: KubeObject): Stat => (o.status ?? {}) as Stat;

function nodeStatus(o: KubeObject): string {
  const ready = ((st(o).conditions ?? []) as { type: string; status: string }[]).find((c) => c.type === 'Ready');
  const parts = [ready?.status === 'True' ? 'Ready' : ready?.status === 'False' ? 'NotReady' : 'Unknown'];
  if ((o.spec as { unschedulable?: boolean } | undefined)?.unschedulable) parts.push('SchedulingDisabled');
  return parts.join(',');
}

function nodeRoles(o: KubeObject): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(o.metadata.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/') && k.length > 'node-role.kubernetes.io/'.length) roles.add(k.slice('node-role.kubernetes.io/'.length));
    if (k === 'kubernetes.io/role' && v) roles.add(v);
  }
  return roles.size ? [...roles].sort().join(',') : '<none>';
}

const address = (o: KubeObject, type: string) => ((st(o).addresses ?? []) as { type: string; address: string }[]).find((a) => a.type === type)?.address;

/** printPod, for the states the simulated kubelet produces. */
function podStatus(o: KubeObject): string {
  const s = st(o);
  let reason: string = s.reason ?? s.phase ?? 'Pending';
  for (const c of (s.containerStatuses ?? []) as Stat[]) {
    if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
    else if (c.state?.terminated) reason = c.state.terminated.reason ?? `ExitCode:${c.state.terminated.exitCode}`;
  }
  if (o.metadata.deletionTimestamp) reason = s.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
  return reason;
}

function jobStatus(o: KubeObject): string {
  const conds = (st(o).conditions ?? []) as { type: string; status: string }[];
  const has = (t: string) => conds.some((c) => c.type === t && c.status === 'True');
  if (has('Complete')) return 'Complete';
  if (has('Failed')) return 'Failed';
  if (has('FailureTarget')) return 'FailureTarget';
  if (has('SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  if ((o.spec as { suspend?: boolean } | undefined)?.suspend) return 'Suspended';
  return 'Running';
}

function jobDuration(o: KubeObject, now: number): string {
  const s = st(o);
  if (!s.startTime) return '';
  return humanDuration((s.completionTime ? Date.parse(s.completionTime) : now) - Date.parse(s.startTime));
}

const intOrStr = (v: unknown) => (v === undefined || v === null ? 'N/A' : String(v));

/** formatEventSource: the legacy source, else the reporting controller and instance. */
function eventSource(e: Stat): string {
  const src = (e.source ?? {}) as { component?: string; host?: string };
  const component = src.component || e.reportingComponent || '';
  const host = src.host || e.reportingInstance || '';
  return host ? `${component}, ${host}` : component;
}

/** printEvent: first and last seen fall back to eventTime and the series, the count to 1 for a singleton. */
function eventCells(e: Stat, now: number): Cell[] {
  const first = since(e.firstTimestamp || e.eventTime, now);
  let last = e.lastTimestamp ? since(e.lastTimestamp, now) : first;
  let count: number = e.count ?? 0;
  if (e.series) {
    last = since(e.series.lastObservedTime, now);
    count = e.series.count ?? count;
  } else if (!count) count = 1;
  const io = (e.involvedObject ?? {}) as { kind?: string; name?: string; fieldPath?: string };
  const target = io.name ? `${(io.kind ?? '').toLowerCase()}/${io.name}` : (io.kind ?? '').toLowerCase();
  return [last, e.type ?? '', e.reason ?? '', target, io.fieldPath ?? '', eventSource(e), String(e.message ?? '').trim(), first, count, e.metadata.name];
}

export const PRINTERS: Record<string, Printer> = {
  events: {
    columns: [
      col('Last Seen'),
      col('Type'),
      col('Reason'),
      col('Object'),
      col('Subobject', 'string', 1),
      col('Source', 'string', 1),
      col('Message'),
      col('First Seen', 'string', 1),
      col('Count', 'string', 1),
      col('Name', 'string', 1, 'name'),
    ],
    cells: (o, now) => eventCells(o as Stat, now),
  },
  leases: {
    columns: [NAME, col('Holder'), AGE],
    cells: (o, now) => [o.metadata.name, ((o.spec ?? {}) as Stat).holderIdentity ?? '', age(o, now)],
  },
  nodes: {
    columns: [
      NAME,
      col('Status'),
      col('Roles'),
      AGE,
      col('Version'),
      ...['Internal-IP', 'External-IP', 'OS-Image', 'Kernel-Version', 'Container-Runtime'].map((n) => col(n, 'string', 1)),
    ],
    cells: (o, now) => {
      const info = (st(o).nodeInfo ?? {}) as Record<string, string>;
      return [
        o.metadata.name,
        nodeStatus(o),
        nodeRoles(o),
        age(o, now),
        info.kubeletVersion ?? '',
        orNone(address(o, 'InternalIP')),
        orNone(address(o, 'ExternalIP')),
        orNone(info.osImage),
        orNone(info.kernelVersion),
        orNone(info.containerRuntimeVersion),
      ];
    },
  },
  pods: {
    columns: [
      NAME,
      col('Ready'),
      col('Status'),
      col('Restarts'),
      AGE,
      col('IP', 'string', 1),
      col('Node', 'string', 1),
      col('Nominated Node', 'string', 1),
      col('Readiness Gates', 'string', 1),
    ],
    cells: (o, now) => {
      const spec = (o.spec ?? {}) as PodSpecLike;
      const statuses = (st(o).containerStatuses ?? []) as Stat[];
      const gates = spec.readinessGates ?? [];
      return [
        o.metadata.name,
        `${statuses.filter((c) => c.ready).length}/${(spec.containers ?? []).length}`,
        podStatus(o),
        String(statuses.reduce((n, c) => n + (c.restartCount ?? 0), 0)),
        age(o, now),
        orNone(st(o).podIP),
        orNone(spec.nodeName),
        orNone(st(o).nominatedNodeName),
        gates.length ? `0/${gates.length}` : '<none>',
      ];
    },
  },
  namespaces: { columns: [NAME, col('Status'), AGE], cells: (o, now) => [o.metadata.name, st(o).phase ?? '', age(o, now)] },
  replicasets: {
    columns: [NAME, col('Desired', 'integer'), col('Current', 'integer'), col('Ready', 'integer'), AGE, ...WORKLOAD_WIDE],
    cells: (o, now) => [
      o.metadata.name,
      (o.spec as Stat | undefined)?.replicas ?? 0,
      st(o).replicas ?? 0,
      st(o).readyReplicas ?? 0,
      age(o, now),
      ...workloadWide(o),
    ],
  },
  daemonsets: {
    columns: [NAME, ...['Desired', 'Current', 'Ready', 'Up-to-date', 'Available'].map((n) => col(n, 'integer')), col('Node Selector'), AGE, ...WORKLOAD_WIDE],
    cells: (o, now) => {
      const s = st(o);
      const sel = Object.entries(template(o).nodeSelector ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      return [
        o.metadata.name,
        s.desiredNumberScheduled ?? 0,
        s.currentNumberScheduled ?? 0,
        s.numberReady ?? 0,
        s.updatedNumberScheduled ?? 0,
        s.numberAvailable ?? 0,
        orNone(sel),
        age(o, now),
        ...workloadWide(o),
      ];
    },
  },
  jobs: {
    columns: [NAME, col('Status'), col('Completions'), col('Duration'), AGE, ...WORKLOAD_WIDE],
    cells: (o, now) => {
      const completions = (o.spec as Stat | undefined)?.completions ?? 1;
      return [o.metadata.name, jobStatus(o), `${st(o).succeeded ?? 0}/${completions}`, jobDuration(o, now), age(o, now), ...workloadWide(o)];
    },
  },
  poddisruptionbudgets: {
    columns: [NAME, col('Min Available'), col('Max Unavailable'), col('Allowed Disruptions', 'integer'), AGE],
    cells: (o, now) => {
      const spec = (o.spec ?? {}) as Stat;
      return [o.metadata.name, intOrStr(spec.minAvailable), intOrStr(spec.maxUnavailable), st(o).disruptionsAllowed ?? 0, age(o, now)];
    },
  },
};
