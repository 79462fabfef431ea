/**
 * The demo's Flask application under /flask/ (`flask/flask_demo.py`): real Python, run by @tsgi/python on a
 * worker thread of its own, beside the TypeScript apps. It needs Debian's python3-flask
 * (`scripts/ensure-python-flask.sh` installs it); without it /flask/ says so instead.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { WSGIContainer } from '@tsgi/container';
import { ThreadPoolExecutor } from '@tsgi/executors';
import type { HTTPServerRequest } from '@tsgi/http-server';
import { pythonApplication } from '@tsgi/python';

const distPackages = '/usr/lib/python3/dist-packages';
const flaskDirectory = fileURLToPath(new URL('../flask/', import.meta.url));

export interface FlaskMount {
  /** The route target for `/flask(/.*)?`. */
  readonly target: WSGIContainer | ((request: HTTPServerRequest) => Promise<void>);
  /** Why Flask is not served, when it is not. */
  readonly unavailable?: string;
  close(): Promise<void>;
}

export function flaskMount(serverSoftware: string): FlaskMount {
  if (!existsSync(`${distPackages}/flask/__init__.py`)) {
    const unavailable =
      'Flask is not installed: scripts/ensure-python-flask.sh installs Debian\u2019s python3-flask (as root)';
    return {
      unavailable,
      target: (request) => request.connection.respond(503, `${unavailable}\n`),
      close: async () => {},
    };
  }
  // One interpreter (~110 MB with Flask) is plenty for a demo page; a real site would give it a worker per core.
  const executor = new ThreadPoolExecutor({ maxWorkers: 1 });
  const target = new WSGIContainer(
    pythonApplication('flask_demo:app', { chdir: flaskDirectory, path: [distPackages] }),
    {
      executor,
      serverSoftware,
    },
  );
  return { target, close: () => executor.close() };
}
