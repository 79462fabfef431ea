import { errorPageText } from '@tsgi/protocol';
import type { HTTPServerRequest } from './request.js';
import type { CloseOptions, RequestHandler } from './server.js';

/** What a matcher extracted: positional groups, or named groups (Tornado's `path_args` / `path_kwargs`). */
export interface RouteMatch {
  pathArgs: string[];
  pathKwargs: Record<string, string>;
}

/** Decides whether a rule applies to a request (Tornado's `Matcher`). */
export interface Matcher {
  match(request: HTTPServerRequest): RouteMatch | undefined;
}

/**
 * A native handler: answers through `request.connection` and may stream (long-poll, server-sent events). A
 * returned promise that rejects is treated like a throw (500, or an abort after the headers).
 */
export type NativeHandler = (request: HTTPServerRequest, match: RouteMatch) => unknown;

/** What a rule routes to: a native handler, a gateway container, or another router. */
export type RouteTarget = NativeHandler | RequestHandler;

const NO_MATCH_GROUPS: RouteMatch = Object.freeze({ pathArgs: [], pathKwargs: {} }) as RouteMatch;

/** Anchors a pattern at both ends, as Tornado does (it appends `$` and matches from the start). */
function anchored(pattern: string | RegExp, flags = ''): RegExp {
  const source = typeof pattern === 'string' ? pattern : pattern.source;
  const allFlags = typeof pattern === 'string' ? flags : pattern.flags.replace(/[gy]/g, '');
  return new RegExp(`^(?:${source})$`, allFlags);
}

function decode(value: string | undefined): string {
  if (value === undefined) return '';
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

const EXACT = 0;
const PREFIX = 1;
const ANY = 2;
const TEST = 3;
const GROUPS = 4;
/** A character with a meaning in a regular expression: a pattern without one is a literal. */
const REGEX_SYNTAX = /[\\^$.|?*+()[\]{}]/;

/** Whether `path` has, from `start`, a character that `.` does not match (it does not match line terminators). */
function hasLineTerminator(path: string, start: number): boolean {
  for (let index = start; index < path.length; index++) {
    const code = path.charCodeAt(index);
    if (code === 0x0a || code === 0x0d || code === 0x2028 || code === 0x2029) return true;
  }
  return false;
}

/** Matches every request. */
export class AnyMatches implements Matcher {
  match(): RouteMatch {
    return NO_MATCH_GROUPS;
  }
}

/**
 * Matches `request.path` against a regular expression, anchored at both ends. Named groups become `pathKwargs`;
 * without named groups, positional groups become `pathArgs`. Captured values are percent-decoded.
 */
export class PathMatches implements Matcher {
  readonly regex: RegExp;
  /** How `match` decides, found once from the pattern: `EXACT`, `PREFIX`, `ANY`, `TEST` or `GROUPS`. */
  private readonly kind: number;
  /** The literal path (`EXACT`) or prefix (`PREFIX`). */
  private readonly literal: string;

  constructor(pattern: string | RegExp) {
    const regex = anchored(pattern);
    this.regex = regex;
    // Most rules are a literal path, a literal prefix and `.*`, or `.*` alone: those need no regular expression.
    const source = typeof pattern === 'string' ? pattern : pattern.source;
    const flags = typeof pattern === 'string' ? '' : pattern.flags.replace(/[gy]/g, '');
    const literal = source.endsWith('.*') ? source.slice(0, -2) : source;
    this.literal = literal;
    if ((flags === '' || flags === 'u' || flags === 'v') && !REGEX_SYNTAX.test(literal)) {
      this.kind = literal === source ? EXACT : literal === '' ? ANY : PREFIX;
    } else {
      // A pattern without capturing groups only needs a yes or no: `test` builds no match array.
      const groups = new RegExp(`(?:${source})|`, regex.flags).exec('')!.length - 1;
      this.kind = groups === 0 ? TEST : GROUPS;
    }
  }

  match(request: HTTPServerRequest): RouteMatch | undefined {
    const path = request.path;
    switch (this.kind) {
      case EXACT:
        return path === this.literal ? NO_MATCH_GROUPS : undefined;
      case PREFIX:
        return path.startsWith(this.literal) && !hasLineTerminator(path, this.literal.length)
          ? NO_MATCH_GROUPS
          : undefined;
      case ANY:
        return hasLineTerminator(path, 0) ? undefined : NO_MATCH_GROUPS;
      case TEST:
        return this.regex.test(path) ? NO_MATCH_GROUPS : undefined;
    }
    const found = this.regex.exec(path);
    if (found === null) return undefined;
    if (found.length === 1) return NO_MATCH_GROUPS;
    if (found.groups !== undefined) {
      const pathKwargs: Record<string, string> = {};
      for (const [name, value] of Object.entries(found.groups)) pathKwargs[name] = decode(value);
      return { pathArgs: [], pathKwargs };
    }
    return { pathArgs: found.slice(1).map(decode), pathKwargs: {} };
  }
}

/** Matches the request's host name (lower-cased, without port) against a regular expression, anchored. */
export class HostMatches implements Matcher {
  readonly regex: RegExp;

  constructor(pattern: string | RegExp) {
    this.regex = anchored(pattern, 'i');
  }

  match(request: HTTPServerRequest): RouteMatch | undefined {
    return this.regex.test(request.hostName) ? NO_MATCH_GROUPS : undefined;
  }
}

/** `Rule` options. */
export interface RuleOptions {
  /** A name for the rule (Tornado's `name`), for finding it again. */
  name?: string;
  /**
   * Mount the target under this raw path prefix: the target receives a derived request whose `scriptName` is
   * the prefix, which a gateway container turns into `SCRIPT_NAME` (and strips from `PATH_INFO`). Like path
   * patterns, the prefix is the full path from the root, also inside a nested router. The original request is
   * never modified. Applies only when the path is the prefix or continues it with `/`.
   */
  mount?: string;
}

/** One routing rule (Tornado's `Rule`): a matcher, a target, options. A string or RegExp means `PathMatches`. */
export class Rule {
  readonly matcher: Matcher;
  readonly target: RouteTarget;
  readonly name: string | undefined;
  readonly mount: string | undefined;

  constructor(matcher: Matcher | string | RegExp, target: RouteTarget, options: RuleOptions = {}) {
    if (typeof target !== 'function' && typeof target?.handleRequest !== 'function') {
      throw new TypeError('a rule target must be a function or an object with handleRequest(request)');
    }
    if (options.mount !== undefined && (!options.mount.startsWith('/') || options.mount.endsWith('/'))) {
      throw new TypeError(`mount must start with "/" and not end with "/": ${JSON.stringify(options.mount)}`);
    }
    this.matcher =
      typeof matcher === 'string' || matcher instanceof RegExp ? new PathMatches(matcher) : matcher;
    this.target = target;
    this.name = options.name;
    this.mount = options.mount;
  }
}

/** A rule, or Tornado's shorthand `[pattern, target]` / `[matcher, target, options]`. */
export type RuleSpec =
  | Rule
  | readonly [Matcher | string | RegExp, RouteTarget]
  | readonly [Matcher | string | RegExp, RouteTarget, RuleOptions];

/** A request with a router's mount prefix: the original stays untouched, reads fall through to it. */
function withScriptName(request: HTTPServerRequest, mount: string): HTTPServerRequest {
  const path = request.path;
  if (path !== mount && !path.startsWith(`${mount}/`)) return request;
  const derived = Object.create(request) as HTTPServerRequest;
  Object.defineProperty(derived, 'scriptName', {
    value: mount,
    enumerable: true,
  });
  return derived;
}

/**
 * Tornado's `RuleRouter`: the first rule whose matcher accepts the request gets it; no rule → `404`. Rules
 * target native handlers, gateway containers (anything with `handleRequest`) or other routers, so it can be the
 * `HTTPServer` callback:
 *
 * ```ts
 * new RuleRouter([['/api/.*', apiHandler], new Rule('/legacy/.*', container, { mount: '/legacy' }), ['.*', site]]);
 * ```
 */
export class RuleRouter implements RequestHandler {
  readonly rules: Rule[] = [];

  constructor(rules: readonly RuleSpec[] = []) {
    this.addRules(rules);
  }

  addRules(rules: readonly RuleSpec[]): void {
    for (const spec of rules) {
      this.rules.push(spec instanceof Rule ? spec : new Rule(spec[0], spec[1], spec[2]));
    }
  }

  /** The rule with this `name`, if any (searched in nested routers too). */
  findRule(name: string): Rule | undefined {
    for (const rule of this.rules) {
      if (rule.name === name) return rule;
      if (rule.target instanceof RuleRouter) {
        const nested = rule.target.findRule(name);
        if (nested !== undefined) return nested;
      }
    }
    return undefined;
  }

  handleRequest(request: HTTPServerRequest): unknown {
    for (const rule of this.rules) {
      const match = rule.matcher.match(request);
      if (match === undefined) continue;
      const routed = rule.mount === undefined ? request : withScriptName(request, rule.mount);
      const target = rule.target;
      return typeof target === 'function' ? target(routed, match) : target.handleRequest(routed);
    }
    return request.connection.respond(404, errorPageText(404));
  }

  /** Awaits `ready()` of every target that has one, so `HTTPServer.listen()` fails if any target fails to load. */
  async ready(): Promise<void> {
    const targets = new Set<RequestHandler>();
    for (const rule of this.rules) {
      if (typeof rule.target !== 'function' && typeof rule.target.ready === 'function')
        targets.add(rule.target);
    }
    await Promise.all([...targets].map((target) => target.ready!()));
  }

  /** Calls `close()` of every target that has one (each once), as `HTTPServer.close()` does for its own target. */
  async close(options: CloseOptions): Promise<void> {
    const targets = new Set<RequestHandler>();
    for (const rule of this.rules) {
      if (typeof rule.target !== 'function' && typeof rule.target.close === 'function')
        targets.add(rule.target);
    }
    await Promise.all([...targets].map((target) => target.close!(options)));
  }
}
