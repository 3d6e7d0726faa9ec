import type { Cluster, ClusterDetail } from '../../src/client/apiClient.js';
import { fields, table } from './table.js';
import { stamp } from './time.js';

const upgradeState = (c: Cluster) => (c.upgrade ? `${c.upgrade.status} (${c.upgrade.phase}) ${c.upgrade.id}` : 'idle');

const windowText = (w: Cluster['maintenanceWindow']) => (w ? `${w.days.join(',')} ${w.start}–${w.end} ${w.timeZone}` : 'none (any time)');

export function clustersTable(clusters: Cluster[]): string {
  if (!clusters.length) return 'No clusters registered. Register one: kupgrade register NAME --kubeconfig FILE';
  return table(
    ['NAME', 'VERSION', 'UPGRADE AVAILABLE', 'STATUS'],
    clusters.map((c) => [c.name, c.version, c.availableUpgrades.join(', ') || 'none', upgradeState(c)]),
  );
}

export function clusterSummary(c: Cluster): string {
  return fields([
    ['Name', c.name],
    ['Version', c.version],
    ['Upgrade available', c.availableUpgrades.join(', ') || 'none'],
    ['Upgrade', upgradeState(c)],
    ['Maintenance window', windowText(c.maintenanceWindow)],
    ['Registered', stamp(c.createdAt)],
  ]);
}

// masters first, then worker-2 before worker-10
const byRoleAndName = (a: ClusterDetail['nodes'][number], b: ClusterDetail['nodes'][number]) =>
  a.role === b.role ? a.name.localeCompare(b.name, 'en', { numeric: true }) : a.role === 'master' ? -1 : 1;

export function clusterDetail(c: ClusterDetail): string {
  const cordon = (n: ClusterDetail['nodes'][number]) =>
    n.unschedulable ? (n.cordonedBy === 'kupgrade' ? `by kupgrade (${n.cordonUpgradeId ?? '?'})` : `by ${n.cordonedBy ?? 'operator'}`) : '-';
  const nodes = c.nodesError
    ? `Nodes: could not be read just now: ${c.nodesError}`
    : table(
        ['NODE', 'ROLE', 'VERSION', 'READY', 'CORDONED'],
        [...c.nodes].sort(byRoleAndName).map((n) => [n.name, n.role, n.version, n.ready ? 'yes' : 'NO', cordon(n)]),
      );
  return `${clusterSummary(c)}\n\n${nodes}`;
}
