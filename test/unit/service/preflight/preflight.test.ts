import test from 'ava';

import {
  runPreflight,
  logPreflight,
  type PreflightDeps,
} from '../../../../src/service/preflight/preflight.js';
import type { DomainInfo } from '../../../../src/ports/hypervisor.js';
import { recordingLogger } from '../../../fakes/recording-logger.js';

const G = 1024 ** 3;
const dom = (over: Partial<DomainInfo> = {}): DomainInfo => ({
  uuid: 'u1',
  name: 'web1',
  state: 'running',
  hasAgentChannel: true,
  disks: [
    {
      target: 'vda',
      bus: 'virtio',
      device: 'disk',
      sourceType: 'file',
      sourcePath: '/img/web1.qcow2',
      format: 'qcow2',
      readonly: false,
      bootOrder: null,
    },
    {
      target: 'sda',
      bus: 'sata',
      device: 'cdrom',
      sourceType: 'file',
      sourcePath: null,
      format: 'raw',
      readonly: true,
      bootOrder: null,
    },
  ],
  ...over,
});

function deps(over: Partial<PreflightDeps> = {}, modes: Record<string, number> = {}): PreflightDeps {
  return {
    host: {
      versions: () => Promise.resolve({ libvirt: 9_000_000, qemu: 7_002_000 }),
      qemuUser: () => Promise.resolve({ name: 'libvirt-qemu', uid: 64055, gids: [994] }),
    },
    hypervisor: {
      listDomains: () => Promise.resolve([dom()]),
      agentCommand: () => Promise.resolve('{"return":{}}'),
    },
    imageTool: {
      info: () =>
        Promise.resolve({
          format: 'qcow2',
          virtualSize: 1,
          actualSize: 1,
          backingFile: null,
          bitmaps: [],
          compat: '1.1',
        }),
    },
    fs: {
      stat: (p) => Promise.resolve({ size: 0, mode: modes[p] ?? 0o755, uid: 0, gid: 0 }),
      freeBytes: () => Promise.resolve(100 * G),
    },
    storeRoot: '/state/store',
    timeZone: 'Europe/Berlin',
    now: () => Date.parse('2026-12-01T12:00:00Z'),
    notBefore: Date.parse('2026-11-01T00:00:00Z'),
    ...over,
  };
}

test('a healthy host: every check ok; cdroms are not judged', async (t) => {
  const checks = await runPreflight(deps());
  t.deepEqual(
    checks.map((c) => `${c.status} ${c.name}`),
    [
      'ok libvirt',
      'ok qemu',
      'ok store-access',
      'ok free-space',
      'ok clock',
      'ok agent:web1',
      'ok disk:web1/vda',
    ],
  );
});

test('the --state-dir under a 0700 parent case: store-access fails naming the parent', async (t) => {
  const checks = await runPreflight(deps({}, { '/state': 0o700 }));
  const c = checks.find((x) => x.name === 'store-access');
  t.is(c?.status, 'fail');
  t.regex(c?.message ?? '', /^\/state \(mode 0700\) blocks the QEMU user libvirt-qemu from \/state\/store/);
});

test('libvirt down: one failing check, no domain checks, nothing thrown; agent silent and qcow2 v2 found', async (t) => {
  const down = await runPreflight(
    deps({
      host: {
        versions: () => Promise.reject(new Error('cannot connect to libvirtd')),
        qemuUser: () => Promise.resolve(null),
      },
    }),
  );
  t.deepEqual(
    down.map((c) => `${c.status} ${c.name}`),
    ['fail libvirt', 'warn store-access', 'ok free-space', 'ok clock'],
  );
  const checks = await runPreflight(
    deps({
      hypervisor: {
        listDomains: () => Promise.resolve([dom()]),
        agentCommand: () => Promise.reject(new Error('agent timeout')),
      },
      imageTool: {
        info: () =>
          Promise.resolve({
            format: 'qcow2',
            virtualSize: 1,
            actualSize: 1,
            backingFile: null,
            bitmaps: [],
            compat: '0.10',
          }),
      },
    }),
  );
  t.like(
    checks.find((c) => c.name === 'agent:web1'),
    { status: 'warn' },
  );
  t.like(
    checks.find((c) => c.name === 'disk:web1/vda'),
    { status: 'fail' },
  );
});

test('at daemon start every problem is a warning line; ok checks are not logged one by one', async (t) => {
  const { log, records } = recordingLogger();
  await logPreflight(deps({}, { '/state': 0o700 }), log);
  const warns = records.filter((r) => r.level === 'warn');
  t.is(warns.length, 1);
  t.regex(warns[0]!.msg, /^preflight: \/state \(mode 0700\)/);
  t.true(records.some((r) => r.level === 'info' && r.msg.startsWith('preflight done')));
});

test('receivers: each webhook and exec receiver of each task is probed and judged; journal is not', async (t) => {
  const probed: string[] = [];
  const checks = await runPreflight(
    deps({
      receivers: {
        tasks: () => [
          {
            name: 'web',
            receivers: [
              { kind: 'journal' },
              { kind: 'webhook', url: 'https://user:pw@hooks.example.net/v?token=abc' },
              { kind: 'exec', path: '/usr/local/bin/hook' },
            ],
          },
        ],
        probe: {
          webhook: (url) => {
            probed.push(url);
            return Promise.resolve({ kind: 'webhook', connected: false, reason: 'timeout' });
          },
          exec: (path) => {
            probed.push(path);
            return Promise.resolve({ kind: 'exec', exists: true, executable: true });
          },
        },
      },
    }),
  );
  t.deepEqual(probed, ['https://user:pw@hooks.example.net/v?token=abc', '/usr/local/bin/hook']);
  const notify = checks.filter((c) => c.name.startsWith('notify:'));
  t.deepEqual(
    notify.map((c) => [c.name, c.status]),
    [
      ['notify:web/webhook:https://***@hooks.example.net/v?token=***', 'warn'],
      ['notify:web/exec:/usr/local/bin/hook', 'ok'],
    ],
  );
  t.false(notify.some((c) => c.message.includes('pw') || c.message.includes('abc')));
});
