/**
 * `npm run bench` (`npm run bench:quick`: small disks, 3 rounds): runs every benchmark module
 * below in order (each exports `run()`). Benchmarks report numbers; they never fail on them. A
 * benchmark that throws is reported and the next runs. Add new modules by appending to BENCHES.
 * How to read the figures: bench/README.md.
 */

interface BenchModule {
  run(): Promise<unknown>;
}

const BENCHES: readonly string[] = [
  './scale.js',
  './engine.js',
  './freeze.js',
  './libvirt-calls.js',
  './api.js',
  './verify.js',
  './mount.js',
  './copy.js',
  './volume.js',
  './cli.js',
];

let failed = 0;
for (const path of BENCHES) {
  const start = Date.now();
  try {
    const mod = (await import(path)) as BenchModule;
    await mod.run();
    console.log(`[bench] ${path}: done in ${((Date.now() - start) / 1000).toFixed(1)} s`);
  } catch (e) {
    failed++;
    console.error(`[bench] ${path}: failed after ${((Date.now() - start) / 1000).toFixed(1)} s`);
    console.error(e);
  }
}
if (failed > 0) process.exitCode = 1;
