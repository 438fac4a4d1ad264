/** Wire types of backups (POST /v1/backups, docs/api.md). */

/** `auto`: freeze when the agent answers, else crash-consistent; `required`: fail without a freeze; `off`: never freeze. */
export type Quiesce = 'auto' | 'required' | 'off';

export interface BackupInput {
  /** Name or UUID. */
  readonly domain: string;
  readonly disks?: readonly string[];
  readonly full?: boolean;
  readonly name?: string;
  readonly quiesce?: Quiesce;
  readonly chainLength?: number;
}
