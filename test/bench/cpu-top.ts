// Where a `node --cpu-prof` run spent its time: self time per function and per area (our source
// folders, each npm package, node internals, GC, idle), from the .cpuprofile JSON. Self time is the
// time between a sample and the next one, charged to the function on top of the stack.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  area: string;
  ms: number;
}

/** A short name for where the code lives: dist/src/<folder>, an npm package, node, or a VM bucket. */
export function areaOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node internals';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const ours = /\/dist\/(src\/[^/]+|bin|test\/[^/]+)/.exec(url) ?? /\/(bin)\//.exec(url);
  return ours ? ours[1]! : url.replace(/^file:\/\//, '');
}

function shortUrl(url: string): string {
  return url.replace(/^file:\/\/.*?\/(node_modules|dist)\//, '$1/').replace(/^file:\/\//, '');
}

export function selfTimes(profile: Profile): { total: number; functions: SelfTime[]; areas: SelfTime[] } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const perNode = new Map<number, number>();
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    const us = timeDeltas[i + 1] ?? 0;
    perNode.set(samples[i]!, (perNode.get(samples[i]!) ?? 0) + us);
  }
  const functions = new Map<string, SelfTime>();
  const areas = new Map<string, SelfTime>();
  let total = 0;
  for (const [id, us] of perNode) {
    const f = byId.get(id)!.callFrame;
    const area = areaOf(f.url, f.functionName);
    const name = `${f.functionName || '(anonymous)'}${f.url ? ` ${shortUrl(f.url)}:${f.lineNumber + 1}` : ''}`;
    const ms = us / 1000;
    total += ms;
    const fn = functions.get(name) ?? { name, area, ms: 0 };
    fn.ms += ms;
    functions.set(name, fn);
    const a = areas.get(area) ?? { name: area, area, ms: 0 };
    a.ms += ms;
    areas.set(area, a);
  }
  const desc = (a: SelfTime, b: SelfTime) => b.ms - a.ms;
  return { total, functions: [...functions.values()].sort(desc), areas: [...areas.values()].sort(desc) };
}

export function renderCpuTop(file: string, top: number): string {
  const { total, functions, areas } = selfTimes(JSON.parse(readFileSync(file, 'utf8')) as Profile);
  const pct = (ms: number) => `${((ms / total) * 100).toFixed(1).padStart(5)}%`;
  const row = (s: SelfTime) => `  ${s.ms.toFixed(0).padStart(7)} ms ${pct(s.ms)}  ${s.name}`;
  return [
    `${file}: ${(total / 1000).toFixed(2)} s sampled`,
    'by area (self time):',
    ...areas.slice(0, top).map(row),
    `top ${top} functions (self time):`,
    ...functions.slice(0, top).map(row),
  ].join('\n');
}
