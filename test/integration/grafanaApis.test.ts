import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';

/**
 * Every name the plugin imports from @grafana/data, @grafana/ui and @grafana/runtime must exist in the
 * lowest Grafana its plugin.json declares (grafanaDependency): Grafana provides those packages at run
 * time, so a newer API would be undefined in an older Grafana. The packages of that version are npm
 * tarballs that `scripts/setup.sh --tools` fetched into .tools/grafana-min/<version>/ (no registry at test
 * time); their exports are read with the TypeScript compiler.
 */
const ROOT = path.join(__dirname, '..', '..');
const PACKAGES = ['@grafana/data', '@grafana/ui', '@grafana/runtime'] as const;
const run = promisify(execFile);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) {
      return sources(file);
    }
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [file] : [];
  });
}

/** Named imports from each package, with the files that use them. */
function importedNames(): Map<string, Map<string, string[]>> {
  const out = new Map<string, Map<string, string[]>>(PACKAGES.map((p) => [p, new Map()]));
  for (const file of sources(path.join(ROOT, 'src'))) {
    const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    for (const stmt of sf.statements) {
      if (!ts.isImportDeclaration(stmt) || !ts.isStringLiteral(stmt.moduleSpecifier)) {
        continue;
      }
      const names = out.get(stmt.moduleSpecifier.text);
      const bindings = stmt.importClause?.namedBindings;
      if (!names || !bindings || !ts.isNamedImports(bindings)) {
        continue;
      }
      for (const el of bindings.elements) {
        const name = (el.propertyName ?? el.name).text;
        names.set(name, [...(names.get(name) ?? []), path.relative(ROOT, file)]);
      }
    }
  }
  return out;
}

function exportsOf(packageDir: string): Set<string> {
  const pkg = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
  const entry = path.join(packageDir, pkg.types ?? pkg.typings);
  const program = ts.createProgram([entry], { noEmit: true, skipLibCheck: true, types: [], noResolve: false });
  const checker = program.getTypeChecker();
  const module = checker.getSymbolAtLocation(program.getSourceFile(entry)!)!;
  return new Set(checker.getExportsOfModule(module).map((s) => s.name));
}

let dir: string;
afterAll(() => dir && rmSync(dir, { recursive: true, force: true }));

it('every @grafana API the plugin imports exists in the lowest grafanaDependency it declares', async () => {
  const plugin = JSON.parse(readFileSync(path.join(ROOT, 'src/plugin.json'), 'utf8'));
  // The form create-plugin writes and the catalog requires: a lower bound, `>=X.Y.Z`.
  const declared = /^>=\s*(\d+\.\d+\.\d+)$/.exec(plugin.dependencies.grafanaDependency);
  expect(declared).not.toBeNull();
  const min = declared![1];
  dir = mkdtempSync(path.join(os.tmpdir(), 'grafana-min-'));
  const missing: string[] = [];
  const used = importedNames();
  for (const pkg of PACKAGES) {
    const tarball = path.join(ROOT, '.tools/grafana-min', min, `${pkg.slice(1).replace('/', '-')}-${min}.tgz`);
    if (!existsSync(tarball)) {
      throw new Error(`${tarball} is missing: run bash scripts/setup.sh --tools (it fetches ${pkg}@${min} once).`);
    }
    const unpacked = path.join(dir, pkg.replace('/', '-'));
    await run('mkdir', ['-p', unpacked]);
    await run('tar', ['-xzf', tarball, '-C', unpacked]);
    const exported = exportsOf(path.join(unpacked, 'package'));
    expect(exported.size).toBeGreaterThan(50);
    for (const [name, files] of used.get(pkg)!) {
      if (!exported.has(name)) {
        missing.push(`${pkg}@${min} has no ${name} (used in ${files.join(', ')})`);
      }
    }
  }
  expect(missing).toEqual([]);
}, 300_000);
