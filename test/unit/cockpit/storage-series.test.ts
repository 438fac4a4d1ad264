import test from 'ava';
import { stepPaths, storageSeries } from '../../../cockpit/src/storage-series.js';

test('storageSeries: per domain (sorted by name), cumulative bytes in the order the points were made', (t) => {
  const s = storageSeries([
    { domainName: 'web', createdAt: '2025-06-02T00:00:00Z', bytes: 30 },
    { domainName: 'db', createdAt: '2025-06-01T00:00:00Z', bytes: 5 },
    { domainName: 'web', createdAt: '2025-06-01T00:00:00Z', bytes: 100 },
  ]);
  t.deepEqual(
    s.map((x) => x.domain),
    ['db', 'web'],
  );
  t.deepEqual(s[1]?.steps, [
    [Date.parse('2025-06-01T00:00:00Z'), 100],
    [Date.parse('2025-06-02T00:00:00Z'), 130],
  ]);
  t.deepEqual(storageSeries([]), []);
});

test('stepPaths: steps up at each point and runs on to now, on shared axes', (t) => {
  const s = storageSeries([
    { domainName: 'a', createdAt: '1970-01-01T00:00:00.000Z', bytes: 50 },
    { domainName: 'a', createdAt: '1970-01-01T00:00:00.050Z', bytes: 50 },
  ]);
  const [p] = stepPaths(s, { width: 120, height: 120, pad: 10 }, 100);
  // x: 10 + t/100*100; y: 110 - b/100*100
  t.is(p?.d, 'M10.0,110.0 H10.0 V60.0 H60.0 V10.0 H110.0');
  t.is(p?.max, 100);
  t.deepEqual(stepPaths([], { width: 1, height: 1, pad: 0 }, 0), []);
});
