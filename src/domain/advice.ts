import type { CheckReport } from './upgrade.js';
import { parseVersion } from './versions.js';

/**
 * What a user should do once the cluster runs `target`: kubectl is supported
 * within one minor of the API server, and pods on FlexVolume OSS volumes
 * (named by the precheck) need recreating to be mounted by the new kubelet.
 */
export function adviceAfterUpgrade(report: CheckReport | undefined, target: string): string[] {
  const v = parseVersion(target);
  const advice: string[] = [];
  if (v) {
    advice.push(
      `Upgrade your local kubectl to within one minor of ${v.version} (1.${v.minor - 1}, 1.${v.minor} or 1.${v.minor + 1}); check with \`kubectl version --client\`.`,
    );
  }
  const oss = report?.results.find((r) => r.name === 'flexvolume-oss' && r.status !== 'pass');
  if (oss) advice.push(`Recreate the pods that use FlexVolume OSS volumes so the new kubelet mounts them again (${oss.message}).`);
  return advice;
}
