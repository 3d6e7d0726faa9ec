import type { UpgradeRecipe } from './clusterDriver.js';

/**
 * The default upgrade recipe for kubeadm clusters, run in a privileged pod on
 * the node with the host's root at /host. The first master upgrades the control
 * plane (`kubeadm upgrade apply`), every other node follows (`kubeadm upgrade
 * node`); then the node's kubelet and kubectl move to the target version with
 * the host's package manager and the kubelet restarts. Packages come from the
 * pkgs.k8s.io minor-version repository, which is switched to the target minor first.
 */
const SCRIPT = String.raw`set -eu
V="$TARGET_VERSION"
MINOR="$(echo "$V" | cut -d. -f1,2)"
echo "kupgrade: $NODE_NAME ($NODE_ROLE) -> v$V"
chroot /host /bin/sh -eu -c '
V="$1"; MINOR="$2"; ROLE="$3"
if command -v apt-get >/dev/null 2>&1; then
  sed -i "s#/v[0-9]*\.[0-9]*/deb/#/v$MINOR/deb/#" /etc/apt/sources.list.d/kubernetes.list 2>/dev/null || true
  apt-get update -q
  PKGV="$(apt-cache madison kubeadm | awk -v v="$V" "\$3 ~ \"^\"v\"-\" {print \$3; exit}")"
  apt-mark unhold kubeadm kubelet kubectl >/dev/null
  apt-get install -y -q "kubeadm=$PKGV"
  if [ "$ROLE" = first-master ]; then kubeadm upgrade apply -y "v$V"; else kubeadm upgrade node; fi
  apt-get install -y -q "kubelet=$PKGV" "kubectl=$PKGV"
  apt-mark hold kubeadm kubelet kubectl >/dev/null
else
  sed -i "s#/v[0-9]*\.[0-9]*/rpm/#/v$MINOR/rpm/#" /etc/yum.repos.d/kubernetes.repo 2>/dev/null || true
  dnf install -y "kubeadm-$V" --disableexcludes=kubernetes
  if [ "$ROLE" = first-master ]; then kubeadm upgrade apply -y "v$V"; else kubeadm upgrade node; fi
  dnf install -y "kubelet-$V" "kubectl-$V" --disableexcludes=kubernetes
fi
systemctl daemon-reload
systemctl restart kubelet
' kupgrade "$V" "$MINOR" "$NODE_ROLE"
echo "kupgrade: $NODE_NAME done"
`;

export const DEFAULT_RECIPE: UpgradeRecipe = {
  image: 'docker.io/library/alpine:3.20',
  command: ['/bin/sh', '-c', SCRIPT],
};
