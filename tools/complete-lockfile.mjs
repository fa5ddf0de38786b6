#!/usr/bin/env node
// The npm registry this project is built from mirrors only the platform builds of optional
// native packages that its machines use (for rollup: linux x64 and arm64). `npm install` then
// leaves the other platforms out of package-lock.json, and `npm ci` refuses the lockfile
// ("Missing: @rollup/rollup-darwin-x64 from lock file"). This adds a lock entry, with its
// os/cpu/libc, for every optional dependency that lacks one, so that `npm ci` accepts the
// file and skips those platforms as it would anywhere else.
// Usage: node tools/complete-lockfile.mjs   (after npm install; rewrites package-lock.json)
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const packages = lock.packages;

const OS = [
  'android',
  'darwin',
  'freebsd',
  'linux',
  'openbsd',
  'openharmony',
  'win32',
  'netbsd',
  'sunos',
  'aix',
];
const CPU = [
  ['arm64', 'arm64'],
  ['arm-', 'arm'],
  ['x64', 'x64'],
  ['ia32', 'ia32'],
  ['loong64', 'loong64'],
  ['ppc64', 'ppc64'],
  ['riscv64', 'riscv64'],
  ['s390x', 's390x'],
];

/** os/cpu/libc read off a platform package name such as rollup-linux-arm64-musl. */
function platformOf(name) {
  const base = name.split('/').pop();
  const os = OS.find((o) => base.includes(`-${o}-`));
  const cpu = CPU.find(([k]) => base.includes(`-${k}`))?.[1];
  if (!os || !cpu) return undefined;
  const libc = os === 'linux' ? (base.includes('musl') ? 'musl' : 'glibc') : undefined;
  return { os: [os], cpu: [cpu], ...(libc ? { libc: [libc] } : {}) };
}

let added = 0;
for (const [where, pkg] of Object.entries(packages)) {
  for (const [dep, version] of Object.entries(pkg.optionalDependencies ?? {})) {
    const key = `${where ? `${where}/` : ''}node_modules/${dep}`;
    const hoisted = `node_modules/${dep}`;
    if (packages[key] || packages[hoisted]) continue;
    const platform = platformOf(dep);
    if (!platform) continue;
    packages[hoisted] = {
      version,
      ...platform,
      dev: pkg.dev,
      optional: true,
      license: pkg.license,
    };
    added++;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
);
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`added ${added} lock entries for optional platform packages`);
