/**
 * The functions with the most self time in a `.cpuprofile` (what `node --cpu-prof` writes):
 * `node bench/src/profile-summary.mjs <file.cpuprofile> [count]`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * @typedef {object} ProfileNode
 * @property {number} id
 * @property {{ functionName: string, url: string, lineNumber: number }} callFrame
 */

/**
 * Self time per function (name and location), largest first, with its share of all samples.
 * @param {{ nodes: ProfileNode[], samples: number[], timeDeltas: number[] }} profile
 * @returns {{ name: string, selfMs: number, share: number }[]}
 */
export function selfTimes(profile) {
  /** @type {Map<number, string>} */
  const names = new Map();
  for (const { id, callFrame } of profile.nodes) {
    const file = callFrame.url.replace(/^file:\/\/.*\/(node_modules|packages|bench)\//, '$1/');
    const where = file ? ` ${file}:${callFrame.lineNumber + 1}` : '';
    names.set(id, `${callFrame.functionName || '(anonymous)'}${where}`);
  }
  /** @type {Map<string, number>} */
  const microseconds = new Map();
  let total = 0;
  profile.samples.forEach((id, index) => {
    // timeDeltas[i] is the time before sample i; attribute it to that sample's function.
    const delta = Math.max(0, profile.timeDeltas[index] ?? 0);
    const name = names.get(id) ?? '(unknown)';
    microseconds.set(name, (microseconds.get(name) ?? 0) + delta);
    total += delta;
  });
  return [...microseconds]
    .map(([name, time]) => ({ name, selfMs: time / 1000, share: total === 0 ? 0 : time / total }))
    .sort((a, b) => b.selfMs - a.selfMs);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, count = '25'] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node bench/src/profile-summary.mjs <file.cpuprofile> [count]');
    process.exit(2);
  }
  for (const { name, selfMs, share } of selfTimes(JSON.parse(readFileSync(file, 'utf8'))).slice(
    0,
    Number(count),
  )) {
    console.log(`${(share * 100).toFixed(1).padStart(5)} %  ${selfMs.toFixed(0).padStart(7)} ms  ${name}`);
  }
}
