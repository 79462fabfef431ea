/**
 * `-c/--config FILE`: every `tsgi serve` flag as a key (camelCase, `maxRequests`, or as spelled on the command line,
 * `max-requests`), plus `app`. JSON (`.json`) or a JavaScript module whose default export is the object. Values go
 * through the same checks as on the command line; flags given on the command line win; an unknown key is an error.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command, Option } from 'commander';
import { ServeUsageError } from './usage-error.js';

/** Reads the config file: a plain object, or a usage error that names the file. */
export async function loadConfigFile(path: string): Promise<Record<string, unknown>> {
  const absolute = resolve(path);
  let config: unknown;
  try {
    if (/\.json$/i.test(absolute)) config = JSON.parse(readFileSync(absolute, 'utf8'));
    else {
      const module = (await import(pathToFileURL(absolute).href)) as { default?: unknown };
      config = module.default;
    }
  } catch (error) {
    throw new ServeUsageError(`cannot read the config file ${path}: ${(error as Error).message}`);
  }
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new ServeUsageError(
      `the config file ${path} must hold an object (JSON, or a module's default export)`,
    );
  }
  return config as Record<string, unknown>;
}

const kebab = (name: string) => name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);

function configValue(option: Option, value: unknown, key: string): unknown {
  const takesValue = option.required || option.optional;
  if (!takesValue) {
    if (typeof value !== 'boolean') throw new RangeError(`"${key}" is a switch: give true or false`);
    // `keepAlive: false` for `--no-keep-alive`, as commander stores it.
    return value;
  }
  const parse = option.parseArg as ((text: string, previous: unknown) => unknown) | undefined;
  const one = (item: unknown, previous: unknown) => {
    if (typeof item !== 'string' && typeof item !== 'number')
      throw new RangeError(`"${key}" takes a string or number`);
    const text = String(item);
    if (option.argChoices && !option.argChoices.includes(text)) {
      throw new RangeError(`"${key}" must be one of ${option.argChoices.join(', ')}`);
    }
    return parse ? parse(text, previous) : text;
  };
  if (Array.isArray(value)) return value.reduce((previous: unknown, item) => one(item, previous), undefined);
  return one(value, undefined);
}

/** Sets each option the command line did not give from `config`; returns the `app` the file names, if any. */
export function applyConfig(
  command: Command,
  config: Record<string, unknown>,
  file: string,
): string | undefined {
  const options = new Map<string, Option>();
  for (const option of command.options) {
    options.set(option.attributeName(), option);
    options.set(kebab(option.attributeName()), option);
    if (option.long) options.set(option.long.replace(/^--/, ''), option);
  }
  let app: string | undefined;
  for (const [key, value] of Object.entries(config)) {
    if (key === 'app') {
      if (typeof value !== 'string')
        throw new ServeUsageError(`${file}: "app" must be a module reference string`);
      app = value;
      continue;
    }
    const option = options.get(key);
    if (option === undefined || key === 'config' || key === 'help') {
      throw new ServeUsageError(
        `${file}: unknown key "${key}" (keys are tsgi serve's flags, e.g. "maxRequests")`,
      );
    }
    const name = option.attributeName();
    if (command.getOptionValueSource(name) === 'cli') continue;
    try {
      command.setOptionValueWithSource(name, configValue(option, value, key), 'config');
    } catch (error) {
      throw new ServeUsageError(`${file}: ${(error as Error).message}`);
    }
  }
  return app;
}
