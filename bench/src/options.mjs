/**
 * The command line of `pnpm bench`.
 */
import { baselineServer, serverNames, workloadNames } from './catalogue.mjs';

/**
 * @typedef {object} BenchOptions
 * @property {'full' | 'quick'} mode
 * @property {number} rounds            Measured rounds; every figure is the median of these.
 * @property {number} durationSeconds   Of each measured wrk run.
 * @property {number} warmupSeconds     Of the unrecorded wrk run before each measured one (0: none).
 * @property {number} slowReaderRounds
 * @property {number} slowReaderClients
 * @property {number} largeBytes        Size of the slow-reader response.
 * @property {number} slowReaderSampleSeconds
 * @property {number} budgetSeconds     No new measurement starts after this; the run reports what it has.
 * @property {import('./catalogue.mjs').ServerName[]} servers
 * @property {import('./catalogue.mjs').WorkloadName[]} workloads
 * @property {string | undefined} outDirectory  Default: bench/results (bench/results/before with --before).
 * @property {string | undefined} before  A git ref whose tsgi servers are measured beside the working tree's.
 * @property {boolean} cpuProfile       Run the Node servers with --cpu-prof (profiles in bench/profiles).
 * @property {boolean} install          Run ensure-tools.sh first.
 * @property {boolean} help
 */

const mebibyte = 1024 * 1024;

/** @type {Record<'full' | 'quick', Omit<BenchOptions, 'servers' | 'workloads' | 'outDirectory' | 'before' | 'cpuProfile' | 'install' | 'help'>>} */
const presets = {
  full: {
    mode: 'full',
    rounds: 3,
    durationSeconds: 3,
    warmupSeconds: 1,
    slowReaderRounds: 2,
    slowReaderClients: 4,
    largeBytes: 256 * mebibyte,
    slowReaderSampleSeconds: 3,
    budgetSeconds: 11 * 60,
  },
  quick: {
    mode: 'quick',
    rounds: 2,
    durationSeconds: 1,
    warmupSeconds: 0,
    slowReaderRounds: 2,
    slowReaderClients: 4,
    largeBytes: 64 * mebibyte,
    slowReaderSampleSeconds: 1,
    budgetSeconds: 180,
  },
};

export const usage = `Usage: pnpm bench [options]

  --quick                 a ~2 minute smoke run (2 rounds of 1 s without warm-up, 64 MiB slow-reader responses)
  --rounds <n>            measured rounds (at least 2; default 3, quick 2)
  --duration <seconds>    each measured wrk run (default 3, quick 1)
  --only <a,b,…>          servers (raw-node is always measured: every ratio needs it):
                          ${serverNames.join(', ')}
  --workloads <a,b,…>     workloads: ${workloadNames.join(', ')}
  --out <directory>       where latest.json/.md/.svg go (default bench/results)
  --before <git-ref>      also measure the tsgi servers built from that commit, in the same run (before/after
                          figures; written to bench/results/before unless --out says otherwise)
  --cpu-prof              run the Node servers under --cpu-prof (profiles in bench/profiles)
  --no-install            do not run ensure-tools.sh
  --help                  this text`;

/**
 * @template {string} Name
 * @param {string} list
 * @param {readonly Name[]} known
 * @param {string} flag
 * @returns {Name[]}
 */
function pickNames(list, known, flag) {
  const names = list
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names.filter((name) => !known.includes(/** @type {Name} */ (name)));
  if (unknown.length > 0)
    throw new Error(`${flag}: unknown ${unknown.join(', ')} (known: ${known.join(', ')})`);
  if (names.length === 0) throw new Error(`${flag} needs at least one name`);
  // Keep the catalogue's order, so tables read the same whatever order the user typed.
  return known.filter((name) => names.includes(name));
}

/**
 * @param {readonly string[]} argv  The arguments after the script name.
 * @returns {BenchOptions}
 */
export function parseOptions(argv) {
  const quick = argv.includes('--quick');
  /** @type {BenchOptions} */
  const options = {
    ...presets[quick ? 'quick' : 'full'],
    servers: [...serverNames],
    workloads: [...workloadNames],
    outDirectory: undefined,
    before: undefined,
    cpuProfile: false,
    install: true,
    help: false,
  };
  for (let index = 0; index < argv.length; index++) {
    const flag = /** @type {string} */ (argv[index]);
    const value = () => {
      const next = argv[++index];
      if (next === undefined || next.startsWith('--')) throw new Error(`${flag} needs a value`);
      return next;
    };
    const positive = (/** @type {string} */ text) => {
      const number = Number(text);
      if (!Number.isFinite(number) || number <= 0)
        throw new Error(`${flag} needs a positive number, got ${text}`);
      return number;
    };
    switch (flag) {
      case '--quick':
      case '--':
        break;
      case '--rounds': {
        const rounds = Math.round(positive(value()));
        if (rounds < 2)
          throw new Error('--rounds must be at least 2: every figure is measured at least twice');
        options.rounds = rounds;
        options.slowReaderRounds = Math.min(options.slowReaderRounds, rounds);
        break;
      }
      case '--duration':
        options.durationSeconds = Math.max(1, Math.round(positive(value())));
        break;
      case '--only':
        options.servers = pickNames(value(), serverNames, flag);
        break;
      case '--workloads':
        options.workloads = pickNames(value(), workloadNames, flag);
        break;
      case '--out':
        options.outDirectory = value();
        break;
      case '--before':
        options.before = value();
        break;
      case '--cpu-prof':
        options.cpuProfile = true;
        break;
      case '--no-install':
        options.install = false;
        break;
      case '--help':
      case '-h':
        options.help = true;
        break;
      default:
        throw new Error(`unknown option ${flag}\n\n${usage}`);
    }
  }
  if (!options.servers.includes(baselineServer)) options.servers.unshift(baselineServer);
  return options;
}
