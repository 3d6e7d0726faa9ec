import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The `region` of a profile in the shared AWS config file (AWS_CONFIG_FILE, else
 * ~/.aws/config), where the AWS CLI keeps it: `[default]` or `[profile NAME]`.
 * Credentials come from the SDK's own chain; only the region is read here.
 */
export function profileRegion(profile: string, env: Record<string, string | undefined>): string | undefined {
  let text: string;
  try {
    text = readFileSync(env.AWS_CONFIG_FILE ?? join(homedir(), '.aws', 'config'), 'utf8');
  } catch {
    return undefined;
  }
  const wanted = profile === 'default' ? ['default', 'profile default'] : [`profile ${profile}`];
  let inProfile = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/[;#].*$/, '').trim();
    const section = /^\[\s*(.+?)\s*\]$/.exec(line);
    if (section) inProfile = wanted.includes(section[1]!.replace(/\s+/g, ' '));
    else if (inProfile) {
      const kv = /^region\s*=\s*(\S+)$/.exec(line);
      if (kv) return kv[1];
    }
  }
  return undefined;
}
