/**
 * Tasks that cover the same resource (issue 12): allowed — each task keeps its own chains and
 * checkpoints of it, and its retention touches only those — but it costs one more active bitmap
 * per disk (every guest write is tracked once per owner) and the domain's job slot is shared, so
 * `task create` and `task update` (when it changes the resources) warn, naming the other tasks.
 */

import type { SchedulingCatalog, Task, TaskResource } from '../../ports/scheduling-catalog.js';

function disksText(disks: readonly string[] | null): string {
  return disks === null ? 'all disks' : `disks ${disks.join(', ')}`;
}

function overlaps(a: TaskResource, b: TaskResource): boolean {
  if (a.domainUuid !== b.domainUuid) return false;
  if (a.disks === null || b.disks === null) return true;
  return a.disks.some((d) => b.disks?.includes(d) === true);
}

/** One warning per other task that backs up a domain (and disk) `task` backs up. */
export function coverWarnings(db: Pick<SchedulingCatalog, 'listTasks'>, task: Task): string[] {
  const out: string[] = [];
  for (const other of db.listTasks()) {
    if (other.id === task.id) continue;
    for (const r of task.resources) {
      const x = other.resources.find((o) => overlaps(r, o));
      if (x === undefined) continue;
      out.push(
        `task ${other.name} already backs up domain ${r.domainName} (${disksText(x.disks)}); ` +
          `each task keeps its own chains and checkpoints of it (one more active bitmap per disk, ` +
          `and the backups of both take turns on the domain)`,
      );
    }
  }
  return out;
}
