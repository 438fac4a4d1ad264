import test from 'ava';
import { readFile } from 'node:fs/promises';

import { CONFIG_KEYS, DEFAULTS, parseConfig, type Config } from '../../../src/daemon/config.js';

const read = (p: string) => readFile(new URL(`../../../${p}`, import.meta.url), 'utf8');

/** `#key = value` lines of the example, uncommented. */
async function exampleLines(): Promise<Map<string, string>> {
  const text = await read('docs/virtpoint.conf.example');
  return new Map([...text.matchAll(/^#([a-z_]+) =(.*)$/gm)].map((m) => [m[1]!, `${m[1]} =${m[2]}`]));
}

test('every config key is in docs/virtpoint.conf.example and man/virtpoint.conf.5, and no other', async (t) => {
  const example = [...(await exampleLines()).keys()].sort();
  const man = [...(await read('man/virtpoint.conf.5')).matchAll(/^\.BI "([a-z_]+) = "/gm)]
    .map((m) => m[1]!)
    .sort();
  const keys = [...CONFIG_KEYS].sort();
  t.deepEqual(example, keys, 'docs/virtpoint.conf.example');
  t.deepEqual(man, keys, 'man/virtpoint.conf.5');
});

test('the example shows each default: uncommented, it parses to the defaults', async (t) => {
  const lines = await exampleLines();
  const parsed = parseConfig([...lines.values()].join('\n'), 'virtpoint.conf.example');
  // Unset by default; the example shows the value used then.
  const effective: Partial<Config> = {
    libvirtSocket: '/var/run/libvirt/libvirt-sock',
    imageDir: '/var/lib/virtpoint/images',
  };
  t.deepEqual(parsed, { ...DEFAULTS, ...effective });
});

test('the man page and the SIGHUP docs name the same reloadable keys as the example', async (t) => {
  const example = await read('docs/virtpoint.conf.example');
  const reloadable = [...example.matchAll(/\[reload\]\n#([a-z_]+) =/g)].map((m) => m[1]!).sort();
  t.true(reloadable.length > 0);
  const daemonMan = await read('man/virtpointd.8');
  const sighup = daemonMan.slice(daemonMan.indexOf('.B SIGHUP'), daemonMan.indexOf('.B SIGTERM'));
  const atOnce = sighup.slice(0, sighup.indexOf('need a restart'));
  for (const k of reloadable.filter((k) => !k.startsWith('verify_'))) t.true(atOnce.includes(k), k);
  t.true(atOnce.includes('verify_*'));
});
