import test from 'ava';

import { copyOutcomes } from '../../../../src/service/copies/outcomes.js';
import { copiesSetup } from './_copies.js';

test('copy outcomes: per target and state, every target with all three states', async (t) => {
  const r = await copiesSetup();
  const off = r.catalog.copies.requireTarget('off').id;
  const [a, b, c] = r.points;
  r.catalog.copies.setCopy(a!.id, off, { state: 'copied' });
  r.catalog.copies.setCopy(b!.id, off, { state: 'copied' });
  r.catalog.copies.setCopy(c!.id, off, { state: 'failed', error: { code: 'TARGET_ERROR', message: 'x' } });
  const got = copyOutcomes(r.catalog.copies)
    .outcomes()
    .map((o) => `${o.target}:${o.state}=${o.count}`)
    .sort();
  t.deepEqual(got, [
    'kept:copied=0',
    'kept:copying=0',
    'kept:failed=0',
    'off:copied=2',
    'off:copying=0',
    'off:failed=1',
  ]);
});
