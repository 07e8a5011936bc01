import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Tools reach the world only through injected services. This walks the module graph of the
 * registered tools (every project file reachable through imports) and fails on modules that can
 * reach the file system, a shell, other processes or arbitrary network targets, and on eval/Function.
 */
const ROOT = path.resolve('src/modules/autonomy');
const ENTRY = path.join(ROOT, 'registered-tools.ts');
const FORBIDDEN = new Set(['fs', 'fs/promises', 'child_process', 'vm', 'worker_threads', 'net', 'http', 'https', 'http2', 'dgram', 'tls', 'cluster', 'inspector', 'module', 'repl']);
const IMPORT = /(?:import|export)\s+(?:type\s+)?(?:[^'"]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g;

function resolveLocal(from: string, spec: string): string | null {
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [base.replace(/\.js$/, '.ts'), base, `${base}.ts`, path.join(base, 'index.ts')]) {
    if (existsSync(candidate) && candidate.endsWith('.ts')) return candidate;
  }
  return null;
}

function walk(entry: string) {
  const seen = new Set<string>();
  const external = new Map<string, string[]>();
  const stack = [entry];
  while (stack.length) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2] ?? m[3]!;
      // address *parsing* helpers of node:net open no socket; anything else from it is forbidden
      if (/^(node:)?net$/.test(spec) && /^import\s*\{\s*(isIP|isIPv4|isIPv6)(\s*,\s*(isIP|isIPv4|isIPv6))*\s*\}\s*from/.test(m[0])) continue;
      if (spec.startsWith('.')) {
        const local = resolveLocal(file, spec);
        if (local) stack.push(local);
      } else {
        const list = external.get(spec) ?? [];
        list.push(path.relative(process.cwd(), file));
        external.set(spec, list);
      }
    }
  }
  return { files: [...seen], external };
}

function toolFiles(): string[] {
  const text = readFileSync(ENTRY, 'utf8');
  return [...text.matchAll(/from '(\.\/tools\/[^']+\.tool\.js)'/g)].map((m) => resolveLocal(ENTRY, m[1]!)!).filter(Boolean);
}

describe('registered tools cannot reach the file system, a shell or the network', () => {
  const graph = walk(ENTRY);

  it('walks a real graph (the entry, every tool, and the services they use)', () => {
    expect(graph.files.length).toBeGreaterThan(10);
    expect(toolFiles().length).toBe(6);
  });

  it('no module reachable from the tools imports fs, child_process, vm, worker_threads, net, http(s) …', () => {
    const offenders = [...graph.external.entries()]
      .filter(([spec]) => FORBIDDEN.has(spec.replace(/^node:/, '')))
      .map(([spec, files]) => `${spec} ← ${files.join(', ')}`);
    expect(offenders).toEqual([]);
  });

  it('every built-in module the graph uses is on an explicit allow-list', () => {
    const builtins = new Set(builtinModules);
    const used = [...graph.external.keys()].map((s) => s.replace(/^node:/, '')).filter((s) => builtins.has(s));
    expect(used.filter((s) => !['crypto', 'async_hooks', 'events', 'util', 'buffer', 'url'].includes(s))).toEqual([]);
  });

  it('the tools themselves never call eval or Function', () => {
    for (const file of [ENTRY, ...toolFiles()]) {
      const code = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      expect(code, file).not.toMatch(/\beval\s*\(|\bnew\s+Function\s*\(|\bFunction\s*\(/);
    }
  });
});
