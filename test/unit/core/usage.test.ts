import test from 'ava';

import { aggregateUsage, pointBytes } from '../../../src/core/usage.js';

test('pointBytes sums known sizes', (t) => {
  t.is(pointBytes({ disks: [{ size: 10 }, { size: null }, { size: 5 }] }), 15);
  t.is(pointBytes({ disks: [] }), 0);
});

test('aggregateUsage per domain, sorted by UUID', (t) => {
  const chains = [{ domainUuid: 'b' }, { domainUuid: 'a' }, { domainUuid: 'b' }];
  const points = [
    { domainUuid: 'b', disks: [{ size: 100 }, { size: 1 }] },
    { domainUuid: 'b', disks: [{ size: null }] },
    { domainUuid: 'a', disks: [{ size: 7 }] },
  ];
  t.deepEqual(aggregateUsage(chains, points), [
    { domainUuid: 'a', chains: 1, points: 1, bytes: 7 },
    { domainUuid: 'b', chains: 2, points: 2, bytes: 101 },
  ]);
});
