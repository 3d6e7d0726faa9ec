import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { SecretStore } from './secretStore.js';

/** The local stack's secrets: one file per cluster, readable by its owner only, written whole (temp file, then rename). */
export class FileSecretStore implements SecretStore {
  private readonly dir: string;
  /** a Secrets Manager secret named by ARN is read as deployed kupgrade would, under its default prefix */
  readonly namePrefix = 'kupgrade/';

  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  private pathOf(clusterId: string): string {
    return join(this.dir, `${clusterId}.kubeconfig`);
  }

  async putKubeconfig(clusterId: string, kubeconfig: string): Promise<string> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const path = this.pathOf(clusterId);
    // its own temporary file per write: two registrations at once must not rename each other's
    const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(tmp, kubeconfig, { mode: 0o600 });
    // mode is masked by the umask on create; make sure
    await chmod(tmp, 0o600);
    await rename(tmp, path);
    return `file:${path}`;
  }

  owns(clusterId: string, ref: string): boolean {
    return ref === `file:${this.pathOf(clusterId)}`;
  }

  async deleteKubeconfig(clusterId: string, ref: string): Promise<void> {
    if (this.owns(clusterId, ref)) await rm(this.pathOf(clusterId), { force: true });
  }
}
