import test from 'ava';

import { COMMANDS, GROUPS, selectCommands } from '../../../src/cli/registry.js';

const names = (argv: string[]): string[] => selectCommands(argv).map((c) => c.name);

test('a command names one module to load: status, a group verb, with global flags around', (t) => {
  t.deepEqual(names(['status']), ['status']);
  t.deepEqual(names(['--socket', '/x.sock', 'status', '--json']), ['status']);
  t.deepEqual(names(['point', 'list', '--domain', 'web']), ['point list']);
  t.deepEqual(names(['--utc', 'job', 'show', 'abcdef012345']), ['job show']);
});

test('a group without a known verb loads the group; nothing or an unknown command loads all', (t) => {
  const point = COMMANDS.filter((c) => c.name.startsWith('point ')).map((c) => c.name);
  t.deepEqual(names(['point']), point);
  t.deepEqual(names(['point', 'lst']), point);
  t.deepEqual(names(['point', '--help']), point);
  t.is(names(['--help']).length, COMMANDS.length);
  t.is(names(['nosuch']).length, COMMANDS.length);
});

test('every entry loads a register function; names are unique; every group has its help line', async (t) => {
  t.is(new Set(COMMANDS.map((c) => c.name)).size, COMMANDS.length);
  for (const c of COMMANDS) {
    t.is(typeof (await c.load()), 'function', c.name);
    const noun = c.name.split(' ')[0] ?? '';
    if (c.name.includes(' ')) t.true(noun in GROUPS, c.name);
  }
});
