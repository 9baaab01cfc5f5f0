import type { Logger } from 'pino';
import { loadPolicyFile } from '../config/policy-file';
import type { Policy } from '../domain/policy';

/**
 * The policy new cases start with. `reload()` re-reads POLICY_FILE (SIGHUP or
 * `POST /v1/admin/policy/reload`); running cases are untouched because each carries
 * the policy it started with in its workflow input.
 */
export class PolicyProvider {
  private policy: Policy;
  private loadedAt: Date;

  constructor(
    private readonly file: string | undefined,
    private readonly load: (file: string | undefined) => Policy = loadPolicyFile,
  ) {
    this.policy = load(file);
    this.loadedAt = new Date();
  }

  /** The policy in force for cases opened now. */
  current(): Policy {
    return this.policy;
  }

  /** Which policy is in force and since when. */
  status(): { version: string; file: string | null; loadedAt: string } {
    return { version: this.policy.version, file: this.file ?? null, loadedAt: this.loadedAt.toISOString() };
  }

  /** Re-reads the file; on a bad file it throws (PolicyError) and the current policy stays in force. */
  reload(logger?: Logger): { previousVersion: string; version: string; file: string | null; loadedAt: string } {
    const previousVersion = this.policy.version;
    const next = this.load(this.file);
    this.policy = next;
    this.loadedAt = new Date();
    logger?.info({ previousVersion, version: next.version }, 'policy reloaded');
    return { previousVersion, ...this.status() };
  }
}
