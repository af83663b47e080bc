// Shared by the npm package tests: where the package is (env NPM_DIR, default dist/npm
// of the repository) and the repository's test inputs.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The repository root. */
export const ROOT = resolve(here, '../../..');

/** The built package (`cargo xtask dist`). */
export const NPM_DIR = resolve(process.env.NPM_DIR ?? join(here, '../../../dist/npm'));

/** Imports the package's web build and initialises it synchronously from the wasm bytes. */
export async function load() {
  const api = await import(pathToFileURL(join(NPM_DIR, 'vpcsim.js')).href);
  api.initSync({ module: readFileSync(join(NPM_DIR, 'vpcsim_bg.wasm')) });
  return api;
}

/** A repository file's text. */
export function text(path) {
  return readFileSync(join(ROOT, path), 'utf8');
}

/** Every file under a repository folder as `[{path, text}]`, paths relative to it, sorted. */
export function folder(path) {
  const base = join(ROOT, path);
  const out = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.push({ path: relative(base, full), text: readFileSync(full, 'utf8') });
    }
  };
  walk(base);
  return out;
}

/** The workspace version, from the root Cargo.toml's `[workspace.package]`. */
export function workspaceVersion() {
  const toml = text('Cargo.toml');
  const section = toml.slice(toml.indexOf('[workspace.package]'));
  return /^version\s*=\s*"([^"]+)"/m.exec(section)?.[1];
}
