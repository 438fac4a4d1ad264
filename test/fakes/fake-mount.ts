import { VirtpointError } from '../../src/core/errors.js';
import type {
  DomainCreateInput,
  ExportInput,
  JobView,
  MountInput,
  MountView,
  PartitionsView,
  PointXmlView,
} from '../../src/contract/index.js';
import type { DomainCreateApi } from '../../src/service/domain-create/api.js';
import type { MountApi } from '../../src/service/mount/api.js';

/** MountApi in memory for the API and CLI tests: mounts kept in a map, each call recorded. */
export class FakeMount implements MountApi {
  readonly mounts = new Map<string, MountView>();
  private next = 1;

  constructor(private readonly enter: (method: string, ...args: unknown[]) => void) {}

  private add(kind: 'mount' | 'nbd', point: string, disk: string, dir: string | null, socket: string | null) {
    const id = `00000000000${this.next++}`.slice(-12);
    const at = '2026-01-01T00:00:00.000Z';
    const view: MountView = {
      id,
      kind,
      pointId: point,
      disk,
      dir,
      socket,
      partition: kind === 'mount' ? 1 : null,
      fsType: kind === 'mount' ? 'ext4' : null,
      loopDevice: kind === 'mount' ? '/dev/loop7' : null,
      qsdPid: 4242,
      createdAt: at,
      lastUsedAt: at,
      idleUntil: '2026-01-01T01:00:00.000Z',
    };
    this.mounts.set(id, view);
    return view;
  }

  mount(input: MountInput): Promise<MountView> {
    this.enter('mount', input);
    return Promise.resolve(this.add('mount', input.point, input.disk, input.dir, null));
  }

  export(input: ExportInput): Promise<MountView> {
    this.enter('export', input);
    return Promise.resolve(this.add('nbd', input.point, input.disk, null, input.socket));
  }

  unmount(which: string): Promise<MountView> {
    this.enter('unmount', which);
    const m = this.mounts.get(which);
    if (m === undefined) return Promise.reject(new VirtpointError('NOT_FOUND', `no mount ${which}`));
    this.mounts.delete(which);
    return Promise.resolve(m);
  }

  list(): Promise<MountView[]> {
    this.enter('listMounts');
    return Promise.resolve([...this.mounts.values()]);
  }

  partitions(pointId: string, disk: string): Promise<PartitionsView> {
    this.enter('partitions', pointId, disk);
    return Promise.resolve({
      pointId,
      disk,
      table: 'gpt',
      partitions: [
        {
          number: 1,
          offset: 1048576,
          size: 16777216,
          kind: 'linux',
          type: '0fc63daf-8483-4772-8e79-3d69d8477de4',
          name: 'one',
          filesystem: 'ext4',
        },
        {
          number: 2,
          offset: 17825792,
          size: 49266176,
          kind: 'linux',
          type: '0fc63daf-8483-4772-8e79-3d69d8477de4',
          name: 'two',
          filesystem: 'ext4',
        },
      ],
      default: 2,
    });
  }
}

/** DomainCreateApi in memory: queues a create-domain job through the fake catalog. */
export class FakeDomains implements DomainCreateApi {
  constructor(
    private readonly enter: (method: string, ...args: unknown[]) => void,
    private readonly queue: (patch: Partial<JobView>) => JobView,
  ) {}

  createDomain(input: DomainCreateInput): Promise<JobView> {
    this.enter('createDomain', input);
    return Promise.resolve(this.queue({ type: 'create-domain', pointId: input.point }));
  }

  pointXml(pointId: string): Promise<PointXmlView> {
    this.enter('pointXml', pointId);
    return Promise.resolve({
      pointId,
      domainUuid: 'u',
      xml: "<domain type='kvm'><name>web1</name></domain>\n",
    });
  }
}
