import test from 'ava';
import {
  manifestFileName,
  parseManifest,
  parseManifestFileName,
  serializeManifest,
  volumeLabel,
  type PointManifest,
} from '../../../src/core/manifest.js';

const UUID = '6f1c2a34-9b7e-4d21-8c55-0a1b2c3d4e5f';
const CHAIN = 'a1b2c3d4e5f6';

export function sampleManifest(over: Partial<PointManifest['point']> = {}): PointManifest {
  const seq = over.seq ?? 1;
  return {
    format: 'virtpoint-point-manifest',
    version: 1,
    writtenAt: 1_700_000_000_500,
    domain: { uuid: UUID, name: 'web1', xml: '<domain><name>web1</name></domain>' },
    chain: { id: CHAIN, diskSet: ['vda', 'vdb'], maxLength: 30, createdAt: 1_700_000_000_000 },
    point: {
      id: '0123456789ab',
      name: 'before-upgrade',
      seq,
      kind: 'incremental',
      parentId: 'ba9876543210',
      owner: 'manual',
      trigger: 'manual',
      consistency: 'filesystem',
      consistencyReason: null,
      freezeMs: 42,
      newChainReason: null,
      createdAt: 1_700_000_000_100,
      ...over,
    },
    files: ['vda', 'vdb'].map((disk) => ({
      disk,
      name: `${disk}.${seq}.qcow2`,
      format: 'qcow2' as const,
      virtualSize: 1 << 30,
      size: 196_608,
      backingFile: `${disk}.0.qcow2`,
      checkpoint: `vp-${CHAIN}-${seq}`,
      sha256: null,
      fileSize: null,
    })),
  };
}

test('a manifest round-trips through its text form unchanged', (t) => {
  const m = sampleManifest();
  const text = serializeManifest(m);
  t.deepEqual(parseManifest(text), m);
  t.true(text.endsWith('\n'));
  const full = sampleManifest({ seq: 0, kind: 'full', parentId: null, newChainReason: 'no-chain' });
  const fullM = {
    ...full,
    files: full.files.map((f) => ({ ...f, backingFile: null, sha256: 'a'.repeat(64), fileSize: 262_144 })),
  };
  t.deepEqual(parseManifest(serializeManifest(fullM)), fullM);
});

const VOLUME = {
  kind: 'volume',
  path: '/vols/data.qcow2',
  pool: 'default',
  volume: 'data.qcow2',
  format: 'raw',
} as const;

test('a volume point’s manifest round-trips with its resource; without one it has no resource key', (t) => {
  const m: PointManifest = { ...sampleManifest(), resource: VOLUME };
  const text = serializeManifest(m);
  t.deepEqual(parseManifest(text), m);
  t.regex(text, /"resource": \{\n {4}"kind": "volume"/);
  const file = { ...m, resource: { ...VOLUME, pool: null, volume: null } };
  t.deepEqual(parseManifest(serializeManifest(file)).resource, file.resource);
  const domain = parseManifest(serializeManifest(sampleManifest()));
  t.false('resource' in domain, 'a domain’s manifest (and an older volume one) has none');
  t.false(serializeManifest(sampleManifest()).includes('"resource"'));
});

test('a volume’s label: POOL/VOL for a storage volume, else its path', (t) => {
  t.is(volumeLabel(VOLUME), 'default/data.qcow2');
  t.is(volumeLabel({ ...VOLUME, pool: null, volume: null }), '/vols/data.qcow2');
});

test('manifest file names carry the seq', (t) => {
  t.is(manifestFileName(3), '3.manifest.json');
  t.is(parseManifestFileName('3.manifest.json'), 3);
  t.is(parseManifestFileName('03.manifest.json'), null);
  t.is(parseManifestFileName('vda.3.qcow2'), null);
});

type R = Record<string, unknown>;
type Loose = R & { point: R; domain: R; chain: R; files: R[] };
const edit = (f: (m: Loose) => void): string => {
  const m = JSON.parse(serializeManifest(sampleManifest())) as Loose;
  f(m);
  return JSON.stringify(m);
};

const BAD: [string, string, RegExp][] = [
  ['not JSON', '{"format":', /not JSON/],
  ['another format', edit((m) => (m.format = 'other')), /format/],
  ['a newer version', edit((m) => (m.version = 2)), /newer.*upgrade/],
  ['an unknown field', edit((m) => (m.point.extra = 1)), /unknown field point\.extra/],
  ['a missing field', edit((m) => delete m.point.parentId), /missing field point\.parentId/],
  ['a bad UUID', edit((m) => (m.domain.uuid = 'X')), /domain\.uuid/],
  ['a path as chain id', edit((m) => (m.chain.id = '../etc')), /chain\.id/],
  ['an unsorted disk set', edit((m) => (m.chain.diskSet = ['vdb', 'vda'])), /sorted/],
  ['a chain too long', edit((m) => (m.chain.maxLength = 31)), /maxLength/],
  ['a negative size', edit((m) => (m.files[0]!.size = -1)), /size/],
  ['a full point with a parent', edit((m) => (m.point.kind = 'full')), /full point has no parent/],
  ['a file name that escapes', edit((m) => (m.files[0]!.name = '../vda.1.qcow2')), /files\[0\]\.name/],
  ['a foreign backing file', edit((m) => (m.files[0]!.backingFile = '/etc/passwd')), /backingFile/],
  ['a missing disk', edit((m) => m.files.pop()), /files lists 1 disks/],
  ['another chain checkpoint', edit((m) => (m.files[0]!.checkpoint = 'vp-ffffffffffff-1')), /checkpoint/],
  ['a bad sha256', edit((m) => (m.files[0]!.sha256 = 'abc')), /sha256/],
  ['a bad file size', edit((m) => ((m.files[0] as { fileSize: unknown }).fileSize = -1)), /fileSize/],
  ['an unknown trigger', edit((m) => (m.point.trigger = 'cron')), /trigger/],
  ['a bad owner', edit((m) => (m.point.owner = 'root')), /owner/],
  ['an owner name without a task owner', edit((m) => (m.point.ownerName = 'nightly')), /ownerName/],
  ['a bad owner name', edit((m) => ((m.point.owner = 'task:abc'), (m.point.ownerName = 7))), /ownerName/],
  ['a list at the top', '[]', /not an object/],
  ['a resource of another kind', edit((m) => (m.resource = { ...VOLUME, kind: 'domain' })), /resource\.kind/],
  [
    'a resource without its path',
    edit((m) => (m.resource = { ...VOLUME, path: undefined })),
    /resource\.path/,
  ],
  ['a relative volume path', edit((m) => (m.resource = { ...VOLUME, path: 'vols/a' })), /resource\.path/],
  ['a volume path with ..', edit((m) => (m.resource = { ...VOLUME, path: '/vols/../a' })), /canonical/],
  ['a pool without a volume', edit((m) => (m.resource = { ...VOLUME, volume: null })), /both set/],
  ['a volume format other', edit((m) => (m.resource = { ...VOLUME, format: 'vmdk' })), /resource\.format/],
  ['an unknown resource field', edit((m) => (m.resource = { ...VOLUME, size: 1 })), /resource\.size/],
];
for (const [what, text, why] of BAD) {
  test(`a manifest with ${what} is rejected (INVALID_ARGUMENT)`, (t) => {
    const e = t.throws(() => parseManifest(text, '/store/x/1.manifest.json'));
    t.is((e as { code?: string }).code, 'INVALID_ARGUMENT');
    t.regex(e!.message, why);
    t.regex(e!.message, /^\/store\/x\/1\.manifest\.json: invalid point manifest/);
  });
}

test('a manifest from before file sizes (no fileSize key) parses with fileSize null', (t) => {
  const text = JSON.parse(serializeManifest(sampleManifest())) as { files: Record<string, unknown>[] };
  for (const f of text.files) delete f.fileSize;
  const m = parseManifest(JSON.stringify(text));
  t.deepEqual(
    m.files.map((f) => f.fileSize),
    [null, null],
  );
});
