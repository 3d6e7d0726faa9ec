import type { SnapshotPod } from '../clusterSnapshot.js';
import { isFinished, named, pass, podKey, warn, withRead, type CheckRule } from './result.js';

/** Pods a drain evicts or deletes: not a node's static mirror, not a DaemonSet's, not finished. */
const drained = (p: SnapshotPod) => !p.mirror && !p.controllerKinds.includes('DaemonSet') && !isFinished(p);

/** Bare pods: a drain deletes them and nothing recreates them. */
export const barePods: CheckRule = ({ snapshot: s }) =>
  withRead('bare-pods', 'the pods', s.pods, (pods) => {
    const bare = pods.filter((p) => drained(p) && p.controllerKinds.length === 0).map(podKey);
    return bare.length
      ? warn(
          'bare-pods',
          `pods with no controller, deleted for good when their node is drained: ${named(bare)}`,
          'run them under a Deployment, StatefulSet or Job, or recreate them after the upgrade',
        )
      : pass('bare-pods', 'every pod that a drain moves has a controller to recreate it');
  });

/** emptyDir data lives on the node and is lost when the pod is evicted. */
export const localStorageCheck: CheckRule = ({ snapshot: s }) =>
  withRead('local-storage', 'the pods', s.pods, (pods) => {
    const withEmptyDir = pods.filter((p) => drained(p) && p.emptyDirVolumes.length > 0).map((p) => `${podKey(p)} (${p.emptyDirVolumes.join(', ')})`);
    return withEmptyDir.length
      ? warn(
          'local-storage',
          `pods with emptyDir volumes, whose data is lost when their node is drained: ${named(withEmptyDir)}`,
          'move data that must survive to a persistent volume, or accept its loss',
        )
      : pass('local-storage', 'no pod that a drain moves keeps data in an emptyDir volume');
  });

/** The OSS FlexVolume driver (alicloud/oss style): such pods must be recreated to remount with the new kubelet. */
const isOssFlexDriver = (driver: string): boolean => /(^|\/)oss$/i.test(driver);

export const flexvolumeOss: CheckRule = ({ snapshot: s }) =>
  withRead('flexvolume-oss', 'the pods', s.pods, (pods) => {
    const oss = pods.filter((p) => !isFinished(p) && p.flexVolumes.some((v) => isOssFlexDriver(v.driver))).map(podKey);
    return oss.length
      ? warn(
          'flexvolume-oss',
          `pods with FlexVolume OSS volumes: ${named(oss)}`,
          'recreate these pods after the upgrade so their OSS volumes are mounted again by the new kubelet',
        )
      : pass('flexvolume-oss', 'no pod uses a FlexVolume OSS volume');
  });
