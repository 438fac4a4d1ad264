import test from 'ava';
import { withTestVm } from '../../helpers/test-vm.js';
import { withEngine } from './backup-harness.js';

// Rollback's shut-down on real libvirt/QEMU (issue 12 §6): ACPI and the guest agent are asked at
// the same time. The test guest has no ACPI handler (it ignores the power button), so it stops
// only through its agent: well within half the timeout, where it used to wait half of it first.

test('rollback of a running VM that ignores ACPI: shut down by its agent at once, not after half the timeout', async (t) => {
  const vm = await withTestVm(t, { disks: [{ sizeMiB: 16 }] });
  const eng = await withEngine(t);
  const point = await eng.svc.backup({ domain: vm.uuid });
  const timeoutMs = 60_000;
  const t0 = Date.now();
  const res = await eng.restore.rollback({
    domain: vm.name,
    pointId: point.id,
    shutdownTimeoutMs: timeoutMs,
  });
  const ms = Date.now() - t0;
  t.log(`rollback (shut-down, write, start) took ${ms} ms`);
  t.true(res.started);
  t.true(ms < timeoutMs / 2, `took ${ms} ms`);
  t.false(
    eng.warnings.some((w) => w.includes('destroying')),
    'never destroyed without --force',
  );
});
