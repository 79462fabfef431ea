/** The `tsgi` command line, on commander: `tsgi serve <app> [options]`. */
import { availableParallelism } from 'node:os';
import { defaultServerSoftware } from '@tsgi/container';
import { TrustedDownstream } from '@tsgi/http-server';
import { Command, InvalidArgumentError, Option } from 'commander';
import { type BindAddress, parseBindAddress } from './bind-address.js';
import { parseByteSize } from './byte-size.js';
import { applyConfig, loadConfigFile } from './config-file.js';
import { parseDuration } from './duration.js';
import type { ServeOptions } from './serve-options.js';
import { ServeUsageError } from './usage-error.js';

declare const __TSGI_VERSION__: string;

/** Turns a parser's error into commander's "argument is invalid" error (a usage error). */
function argument<T>(parse: (text: string, previous?: T) => T): (text: string, previous?: T) => T {
  return (text, previous) => {
    try {
      return parse(text, previous);
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
  };
}

function wholeNumber(min: number, max: number): (text: string) => number {
  return argument((text) => {
    if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
      throw new RangeError(`must be a whole number from ${min} to ${max}`);
    }
    return Number(text);
  });
}

/** A comma-separated list of addresses and CIDR blocks, checked the way the server will read it. */
const addressList = argument((text) => {
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  new TrustedDownstream(entries); // throws for an entry that is neither an address nor a CIDR block
  return entries;
});

const bindList = argument((text: string, previous?: BindAddress[]) => [
  ...(previous ?? []),
  parseBindAddress(text),
]);

const octalMode = argument((text) => {
  if (!/^0?[0-7]{3}$/.test(text)) throw new RangeError(`"${text}" is not a mode: use octal digits, e.g. 660`);
  return Number.parseInt(text, 8);
});

const examples = `
Examples:
  $ tsgi serve ./dist/app.js#app
  $ tsgi serve ./dist/app.js#app --port 8000 --executor thread --workers 4 --processes 2
  $ tsgi serve ./dist/app.js#app --bind unix:/run/tsgi/tsgi.sock --socket-mode 660 --xheaders --pid /run/tsgi/tsgi.pid
  $ tsgi serve ./dist/app.js#app --xheaders --trusted-downstream 10.0.0.0/8 --max-body-size 10mb --access-log
  $ tsgi serve -c tsgi.config.json --max-requests 10000 --max-requests-jitter 1000
  $ tsgi serve ./src/app.js#app --executor inline --reload
Signals: SIGTERM/SIGINT drain and exit (a second one exits at once); SIGHUP reloads the application (new worker
threads or processes load it; the old ones drain) and keeps the old version serving if the new one fails to load.

Sizes take kb, mb or gb (binary: 1kb = 1024 bytes); durations take ms, s, m or h (a bare number is seconds).
Exit status: 0 after a clean shutdown, 1 when the app does not load or the server cannot start, 2 for bad flags.`;

function collectDirectories(text: string, previous: readonly string[] = []): string[] {
  return [
    ...previous,
    ...text
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean),
  ];
}

/** Builds the command line; `serve` runs when `tsgi serve` is given valid flags. */
export function createProgram(serve: (options: ServeOptions) => Promise<void>): Command {
  const program = new Command('tsgi')
    .description('Serve PEP 3333-style gateway applications from Node.js (tsgi).')
    .version(__TSGI_VERSION__, '-V, --version', 'print the version and exit')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError()
    .configureOutput({ outputError: (message, write) => write(`tsgi: ${message}`) })
    // Throw instead of exiting, so the executable decides the exit status (2 for usage errors).
    .exitOverride();

  program
    .command('serve')
    .description('serve a gateway application on HTTP until SIGTERM or SIGINT, then drain and exit')
    .argument(
      '[app]',
      'module reference of the application: ./dist/app.js#app (#default when no export is named); or "app" in --config',
    )
    .addOption(
      new Option(
        '--python <module:callable>',
        'serve a Python WSGI application instead, as gunicorn names it (myproject.wsgi:application), on Pyodide',
      ),
    )
    .addOption(
      new Option(
        '--chdir <directory>',
        "the Python application's working directory, first on sys.path (with --python; mounted read-only)",
      ).default(undefined, 'the current directory'),
    )
    .addOption(
      new Option(
        '--python-path <directories>',
        'more directories for sys.path, comma-separated or repeated (with --python; mounted read-only)',
      )
        .default([], 'none')
        .argParser(collectDirectories),
    )
    .addOption(
      new Option('-c, --config <file>', 'read flags from a JSON or JavaScript file (flags given here win)'),
    )
    .addOption(
      new Option(
        '-b, --bind <address>',
        'listen on HOST:PORT, [IPv6]:PORT or unix:PATH; repeat it to listen on several',
      ).argParser(bindList),
    )
    .addOption(
      new Option('-p, --port <number>', 'port to listen on (0 picks a free one): short for --bind HOST:PORT')
        .default(8000)
        .argParser(wholeNumber(0, 65535)),
    )
    .addOption(new Option('-H, --host <address>', 'address to listen on, with --port').default('127.0.0.1'))
    .addOption(
      new Option('--socket-mode <mode>', 'permission bits of unix: sockets, in octal (e.g. 660)').argParser(
        octalMode,
      ),
    )
    .addOption(new Option('--pid <file>', 'write the server process id to this file (removed on exit)'))
    .addOption(
      new Option(
        '-e, --executor <kind>',
        'where the application runs: on worker threads, or on the event loop',
      )
        .choices(['thread', 'inline'])
        .default('thread'),
    )
    .addOption(
      new Option('-w, --workers <number>', 'worker threads per process (with --executor thread)')
        .default(availableParallelism(), 'the number of CPUs')
        .argParser(wholeNumber(1, 1024)),
    )
    .addOption(
      new Option(
        '--worker-heap-limit <size>',
        "JavaScript heap limit of each worker thread (past it the worker is replaced, its request fails); 0: Node's",
      )
        .default(512 * 1024 * 1024, '512mb')
        .argParser(argument(parseByteSize)),
    )
    .addOption(
      new Option('--processes <number>', 'server processes sharing the port; 0 starts one per CPU')
        .default(1)
        .argParser(wholeNumber(0, 1024)),
    )
    .addOption(
      new Option(
        '--max-requests <number>',
        'replace a worker thread (or, with --executor inline, a process) after this many requests; 0: never',
      )
        .default(0)
        .argParser(wholeNumber(0, 1_000_000_000)),
    )
    .addOption(
      new Option('--max-requests-jitter <number>', "add up to this many to each worker's --max-requests")
        .default(0)
        .argParser(wholeNumber(0, 1_000_000_000)),
    )
    .addOption(
      new Option('--reload', "restart the workers when the application's files change (development)").default(
        false,
      ),
    )
    .addOption(
      new Option(
        '--xheaders',
        'take the client address and scheme from X-Forwarded-*/X-Real-Ip headers of trusted proxies',
      ).default(false),
    )
    .addOption(
      new Option(
        '--trusted-downstream <addresses>',
        'comma-separated proxy addresses or CIDR blocks whose X-headers are believed',
      )
        .default(['127.0.0.1', '::1'], '127.0.0.1,::1')
        .argParser(addressList),
    )
    .addOption(
      new Option('--protocol <scheme>', 'force the URL scheme the application sees')
        .choices(['http', 'https'])
        .default(undefined, 'https with --certfile, else http'),
    )
    .addOption(new Option('--certfile <path>', 'TLS certificate (PEM); serves HTTPS together with --keyfile'))
    .addOption(new Option('--keyfile <path>', 'TLS private key (PEM)'))
    .addOption(
      new Option('--decompress-request', 'gunzip request bodies sent with Content-Encoding: gzip').default(
        false,
      ),
    )
    .addOption(
      new Option(
        '--max-body-size <size>',
        'largest request body, after de-chunking and decompression (larger: 413)',
      )
        .default(100 * 1024 * 1024, '100mb')
        .argParser(argument(parseByteSize)),
    )
    .addOption(
      new Option(
        '--body-buffer-size <size>',
        'request bodies are read before the app runs: up to this in memory, larger ones in a temporary file',
      )
        .default(64 * 1024, '64kb')
        .argParser(argument(parseByteSize)),
    )
    .addOption(
      new Option(
        '--body-temp-dir <path>',
        'where request bodies larger than --body-buffer-size are kept',
      ).default(undefined, 'the system temporary directory'),
    )
    .addOption(
      new Option(
        '--stream-input',
        'with --executor thread: give the app its body as it arrives (a slow uploader then holds a worker)',
      ).default(false),
    )
    .addOption(
      new Option('--max-header-size <size>', 'largest request header block (larger: 431)')
        .default(64 * 1024, '64kb')
        .argParser(argument(parseByteSize)),
    )
    .addOption(
      new Option(
        '--limit-request-line <size>',
        'longest request line: method, target and version (longer: 414); 0 for no limit of its own',
      )
        .default(8190, '8190')
        .argParser(argument(parseByteSize)),
    )
    .addOption(
      new Option(
        '--limit-request-fields <number>',
        'most header fields in a request, and trailer fields after its body (more: 431); 0 for no limit',
      )
        .default(100)
        .argParser(wholeNumber(0, 1_000_000)),
    )
    .addOption(
      new Option(
        '--limit-request-field-size <size>',
        'largest single header or trailer field, name and value (larger: 431); 0 for no limit',
      )
        .default(8190, '8190')
        .argParser(argument(parseByteSize)),
    )
    .addOption(
      new Option('--idle-connection-timeout <duration>', 'how long a keep-alive connection may sit idle')
        .default(72_000, '72s')
        .argParser(argument(parseDuration)),
    )
    .addOption(
      new Option(
        '--headers-timeout <duration>',
        'how long a client may take to send request headers (then 408)',
      )
        .default(60_000, '60s')
        .argParser(argument(parseDuration)),
    )
    .addOption(
      new Option(
        '--body-timeout <duration>',
        'how long a client may take to send a whole request; 0 disables it',
      )
        .default(300_000, '300s')
        .argParser(argument(parseDuration)),
    )
    .addOption(
      new Option(
        '--send-timeout <duration>',
        'close a connection whose client reads nothing of its response for this long; 0 disables it',
      )
        .default(60_000, '60s')
        .argParser(argument(parseDuration)),
    )
    .addOption(
      new Option(
        '-t, --timeout <duration>',
        'fail a request still running after this long (500; a thread worker is replaced); 0 disables it',
      )
        .default(30_000, '30s')
        .argParser(argument(parseDuration)),
    )
    .addOption(new Option('--no-keep-alive', 'close the connection after every response'))
    .addOption(
      new Option('--access-log', 'log every request; without it only 4xx/5xx and errors are logged').default(
        false,
      ),
    )
    .addOption(
      new Option(
        '--access-log-format <format>',
        "access lines: Tornado's (with time, size, user agent), Apache's combined, or JSON lines",
      )
        .choices(['tornado', 'combined', 'json'])
        .default('tornado'),
    )
    .addOption(
      new Option(
        '--validate',
        'check the application against PEP 3333 on every request (development)',
      ).default(false),
    )
    .addOption(new Option('--debug', 'show error details in 500 pages (development only)').default(false))
    .addOption(
      new Option('--server-software <name>', 'the SERVER_SOFTWARE the application sees').default(
        undefined,
        defaultServerSoftware,
      ),
    )
    .addOption(
      new Option(
        '--graceful-timeout <duration>',
        'on SIGTERM/SIGINT, how long requests in flight may take to finish',
      )
        .default(30_000, '30s')
        .argParser(argument(parseDuration)),
    )
    .addHelpText('after', examples)
    .action(async (app: string | undefined, _flags: unknown, command: Command) => {
      const configFile = command.getOptionValue('config') as string | undefined;
      const configApp =
        configFile === undefined
          ? undefined
          : applyConfig(command, await loadConfigFile(configFile), configFile);
      const {
        keepAlive,
        config: _config,
        bind,
        python,
        chdir,
        pythonPath,
        ...flags
      } = command.opts() as Omit<ServeOptions, 'app' | 'noKeepAlive' | 'bind' | 'python'> & {
        keepAlive: boolean;
        config?: string;
        bind?: BindAddress[];
        python?: string;
        chdir?: string;
        pythonPath: string[];
      };
      const explicit = (name: string) => command.getOptionValueSource(name) !== 'default';
      if (bind !== undefined && (explicit('port') || explicit('host'))) {
        throw new ServeUsageError(
          '--bind and --port/--host do not go together: give every address with --bind',
        );
      }
      if ((flags.certfile === undefined) !== (flags.keyfile === undefined)) {
        throw new ServeUsageError('--certfile and --keyfile go together');
      }
      const application = app ?? configApp;
      if ((application === undefined) === (python === undefined)) {
        throw new ServeUsageError(
          application === undefined
            ? 'name the application: tsgi serve ./dist/app.js#app (or "app" in --config), or tsgi serve --python module:callable'
            : 'give either a module reference or --python, not both',
        );
      }
      if (python === undefined && (chdir !== undefined || pythonPath.length > 0)) {
        throw new ServeUsageError('--chdir and --python-path go with --python');
      }
      await serve({
        ...flags,
        app: application ?? '',
        ...(python === undefined ? {} : { python: { app: python, chdir, path: pythonPath } }),
        noKeepAlive: !keepAlive,
        ...(bind ? { bind } : {}),
      });
    });
  return program;
}
