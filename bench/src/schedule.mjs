/**
 * The order servers run in. Each round starts at a different server, so none always runs first (or last)
 * while the machine warms up or other work comes and goes.
 * @template T
 * @param {readonly T[]} list
 * @param {number} round  Counted from 1.
 * @returns {T[]}
 */
export function roundOrder(list, round) {
  const shift = list.length === 0 ? 0 : (round - 1) % list.length;
  return [...list.slice(shift), ...list.slice(0, shift)];
}
