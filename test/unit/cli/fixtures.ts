/** Canned API objects (the shapes of src/contract/) for the CLI tests. */

import type {
  ChainView,
  DomainView,
  JobView,
  PointView,
  StatusView,
  UsageView,
} from '../../../src/contract/index.js';

export const UUID = '6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f';
const GiB = 1024 ** 3;

export const status: StatusView = {
  version: '0.1.0',
  libvirtConnected: true,
  queue: { queued: 1, running: 2 },
  storeRoot: '/var/lib/virtpoint/store',
  startedAt: '2024-05-01T10:00:00.000Z',
  store: { unknownFiles: 0, badManifests: 0, missingManifests: 0, scannedAt: null },
};

export const domains: DomainView[] = [
  {
    uuid: UUID,
    name: 'web',
    state: 'running',
    hasAgentChannel: true,
    disks: [
      {
        target: 'vda',
        path: '/var/lib/libvirt/images/web.qcow2',
        format: 'qcow2',
        bus: 'virtio',
        device: 'disk',
      },
      {
        target: 'vdb',
        path: '/var/lib/libvirt/images/web-data.qcow2',
        format: 'qcow2',
        bus: 'virtio',
        device: 'disk',
      },
    ],
    chains: 1,
    points: 2,
    bytes: 3 * GiB,
    lastPoint: {
      id: 'a00000000002',
      name: 'nightly',
      createdAt: '2024-05-02T02:00:00.000Z',
      state: 'available',
    },
  },
  {
    uuid: '11111111-2222-3333-4444-555555555555',
    name: 'db-server',
    state: 'shut off',
    hasAgentChannel: false,
    disks: [],
    chains: 0,
    points: 0,
    bytes: 0,
    lastPoint: null,
  },
];

export function point(over: Partial<PointView> = {}): PointView {
  return {
    id: 'a00000000001',
    name: 'first',
    domain: UUID,
    domainName: 'web',
    chainId: 'c00000000001',
    seq: 0,
    kind: 'full',
    state: 'available',
    consistency: 'filesystem',
    consistencyReason: null,
    freezeMs: 120,
    newChainReason: 'no-chain',
    trigger: 'manual',
    owner: 'manual',
    ownerTaskId: null,
    createdAt: '2024-05-01T02:00:00.000Z',
    error: null,
    disks: [
      {
        target: 'vda',
        path: '/store/web/c00000000001/a00000000001-vda.qcow2',
        virtualSize: 10 * GiB,
        size: 2 * GiB,
        sha256: null,
      },
    ],
    verify: { state: 'never', at: null, deep: null, summary: null },
    copies: [],
    ...over,
  };
}

export const a00000000001 = point();
export const a00000000002 = point({
  id: 'a00000000002',
  name: 'nightly',
  seq: 1,
  kind: 'incremental',
  newChainReason: null,
  createdAt: '2024-05-02T02:00:00.000Z',
  disks: [
    {
      target: 'vda',
      path: '/store/web/c00000000001/a00000000002-vda.qcow2',
      virtualSize: 10 * GiB,
      size: 1536 * 1024,
      sha256: null,
    },
  ],
  verify: {
    state: 'ok',
    at: '2024-05-03T03:00:00.000Z',
    deep: false,
    summary: 'ok (2 files)',
  },
});
export const a00000000003 = point({
  id: 'a00000000003',
  name: 'later',
  seq: 2,
  kind: 'incremental',
  newChainReason: null,
});

export function job(over: Partial<JobView> = {}): JobView {
  return {
    id: 'b00000000001',
    type: 'backup',
    state: 'queued',
    trigger: 'manual',
    domain: UUID,
    domainName: 'web',
    pointId: null,
    progress: { done: 0, total: null },
    createdAt: '2024-05-02T02:00:00.000Z',
    startedAt: null,
    endedAt: null,
    error: null,
    result: null,
    ...over,
  };
}

/** A backup job going queued → running (progress) → succeeded with point a00000000002. */
export function backupRun(
  end: Partial<JobView> = { state: 'succeeded', pointId: 'a00000000002' },
): JobView[] {
  const total = 4 * GiB;
  const running = {
    state: 'running' as const,
    startedAt: '2024-05-02T02:00:01.000Z',
    pointId: 'a00000000002',
  };
  return [
    job(),
    job({ ...running, progress: { done: 0, total } }),
    job({ ...running, progress: { done: GiB, total } }),
    job({ ...running, progress: { done: 3 * GiB, total } }),
    job({ ...running, progress: { done: total, total }, endedAt: '2024-05-02T02:01:00.000Z', ...end }),
  ];
}

export const chains: ChainView[] = [
  {
    id: 'c00000000001',
    domain: UUID,
    domainName: 'web',
    disks: ['vda'],
    maxLength: 14,
    state: 'open',
    sealReason: null,
    owner: 'nightly-web',
    ownerTaskId: 'aaaaaaaaaaaa',
    points: 3,
    bytes: 2 * GiB,
    createdAt: '2024-05-01T02:00:00.000Z',
  },
  {
    id: 'c00000000000',
    domain: UUID,
    domainName: 'web',
    disks: ['vda', 'vdb'],
    maxLength: 7,
    state: 'sealed',
    sealReason: 'disk-set-changed',
    owner: 'manual',
    ownerTaskId: null,
    points: 1,
    bytes: 512,
    createdAt: '2024-04-01T02:00:00.000Z',
  },
];

export const usage: UsageView[] = [
  { domain: UUID, domainName: 'web', chains: 2, points: 4, bytes: 2 * GiB + 512 },
];
