import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * ARCHITECTURE.md's folder order, read from the imports themselves (as `madge --circular` reads them, with
 * TypeScript's own pre-processor): no file imports one that imports it back, however long the way round, and
 * no folder imports one above it. src/ (eslint checks its layers) is below test/fakes/ (Grafana's stand-ins,
 * which the tests and the browser host share), which is below harness/, which is below the tests and
 * scripts/ (a test beside the code it tests counts as a test).
 */
const ROOT = path.join(__dirname, '..');
const FOLDERS = ['src', 'harness', 'scripts', 'test'];
const EXTENSIONS = ['.ts', '.tsx', '/index.ts', '/index.tsx'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (name === 'node_modules' || name.startsWith('.')) {
      return [];
    }
    return statSync(full).isDirectory() ? sourceFiles(full) : /\.tsx?$/.test(name) ? [full] : [];
  });
}

/** Where a relative import lands, as the bundler resolves it; undefined for packages and other files. */
function resolve(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) {
    return undefined;
  }
  const base = path.resolve(path.dirname(from), spec);
  return ['', ...EXTENSIONS].map((ext) => base + ext).find((f) => /\.tsx?$/.test(f) && safeIsFile(f));
}

const safeIsFile = (f: string) => {
  try {
    return statSync(f).isFile();
  } catch {
    return false;
  }
};

const rel = (f: string) => path.relative(ROOT, f);

/** A file's place in the folder order: it may import files of its own rank and below. */
function rank(file: string): number {
  const r = rel(file);
  if (/\.test\.tsx?$/.test(r) || (r.startsWith('test/') && !r.startsWith('test/fakes/')) || r.startsWith('scripts/')) {
    return 3;
  }
  return r.startsWith('harness/') ? 2 : r.startsWith('test/fakes/') ? 1 : 0;
}

const files = FOLDERS.flatMap((d) => sourceFiles(path.join(ROOT, d)));
const graph = new Map(
  files.map((f) => [
    f,
    ts
      .preProcessFile(readFileSync(f, 'utf8'), true, true)
      .importedFiles.map((i) => resolve(f, i.fileName))
      .filter((t): t is string => t !== undefined),
  ])
);

/** Every import circle (Tarjan's strongly connected components of more than one file, or a self-import). */
function circles(): string[][] {
  let index = 0;
  const stack: string[] = [];
  const meta = new Map<string, { index: number; low: number; onStack: boolean }>();
  const found: string[][] = [];
  const visit = (v: string) => {
    const m = { index, low: index, onStack: true };
    meta.set(v, m);
    index += 1;
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      const n = meta.get(w);
      if (!n) {
        visit(w);
        m.low = Math.min(m.low, meta.get(w)!.low);
      } else if (n.onStack) {
        m.low = Math.min(m.low, n.index);
      }
    }
    if (m.low === m.index) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        meta.get(w)!.onStack = false;
        component.push(rel(w));
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) {
        found.push(component.sort());
      }
    }
  };
  for (const f of graph.keys()) {
    if (!meta.has(f)) {
      visit(f);
    }
  }
  return found;
}

describe('imports', () => {
  it('reads the files it checks (the graph is not empty)', () => {
    expect(graph.size).toBeGreaterThan(200);
    expect(graph.get(path.join(ROOT, 'src/module.tsx'))?.map(rel)).toContain('src/pages/App.tsx');
  });

  it('have no circle', () => {
    expect(circles()).toEqual([]);
  });

  it('never reach a folder above their own', () => {
    const upward = [...graph].flatMap(([from, targets]) =>
      targets.filter((t) => rank(t) > rank(from)).map((t) => `${rel(from)} -> ${rel(t)}`)
    );
    expect(upward).toEqual([]);
  });
});
