/**
 * The web console's static files (the single-page app built from web/ into dist/console),
 * served under `/console/`, and the redirect of a browser that opens `/` to it.
 *
 * Files are read once at start into memory and looked up by their exact relative path, so
 * no part of a request path ever reaches the file system. Every answer carries a strict
 * Content-Security-Policy (scripts from this origin only, no framing); hashed assets are
 * cached for a year, index.html never. A path under /console/ that names no file (a page of
 * the app) answers index.html, except under /console/assets/ where a missing file is a 404.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerResponse } from 'node:http';

export const CONSOLE_PATH = '/console/';

/** An answer of the console: its body is text or the bytes of a file. */
export interface ConsoleAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | Buffer;
}

/**
 * The policy of every console answer, given the hashes of index.html's inline scripts. The
 * build starts the app from one inline module script (web/vite.config.ts); allowed by its hash
 * with 'strict-dynamic', it and the modules it imports run, and nothing else: not a script of
 * this origin that the app did not import, such as an object a bucket serves from the same
 * host. ('self' is for browsers without 'strict-dynamic', which ignore it otherwise.) Styles
 * allow 'unsafe-inline' because the component library sets style attributes and injects its own
 * style sheets.
 */
export function consoleCsp(scriptHashes: readonly string[]): string {
  const scripts =
    scriptHashes.length === 0
      ? "script-src 'self'"
      : `script-src ${scriptHashes.map((h) => `'sha256-${h}'`).join(' ')} 'strict-dynamic' 'self'`;
  return [
    "default-src 'none'",
    scripts,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The SHA-256 (base64) of each inline script of a page: what its policy allows. */
export function inlineScriptHashes(html: string): string[] {
  const hashes: string[] = [];
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    if (/\bsrc\s*=/i.test(m[1]!)) continue;
    hashes.push(createHash('sha256').update(m[2]!, 'utf8').digest('base64'));
  }
  return hashes;
}

function securityHeaders(csp: string): Readonly<Record<string, string>> {
  return {
    'content-security-policy': csp,
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
  };
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

interface StaticFile {
  readonly body: Buffer;
  readonly contentType: string;
  readonly immutable: boolean;
}

export interface ConsoleFiles {
  /** Whether the built console was found. */
  readonly built: boolean;
  /** The answer to a request whose path is `/console` or under `/console/`. */
  answer(method: string, path: string): ConsoleAnswer;
}

/** Where the build puts the console: dist/console beside the compiled server. */
export function defaultConsoleDir(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  // dist/api/console/ -> dist/console; src/api/console/ (tests from sources) -> dist/console.
  const compiled = join(here, '..', '..', 'console');
  if (existsSync(join(compiled, 'index.html'))) return compiled;
  return join(here, '..', '..', '..', 'dist', 'console');
}

function walk(dir: string, root: string, out: Map<string, StaticFile>): void {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) {
      walk(full, root, out);
      continue;
    }
    const rel = relative(root, full).split(sep).join('/');
    out.set(rel, {
      body: readFileSync(full),
      contentType: CONTENT_TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream',
      immutable: rel.startsWith('assets/'),
    });
  }
}

function plain(
  security: Readonly<Record<string, string>>,
  status: number,
  text: string,
  extra: Record<string, string> = {},
): ConsoleAnswer {
  return {
    status,
    headers: {
      ...security,
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'no-store',
      ...extra,
    },
    body: text,
  };
}

/** Loads the built console from `dir` (default: dist/console). */
export function loadConsoleFiles(dir: string = defaultConsoleDir()): ConsoleFiles {
  const files = new Map<string, StaticFile>();
  if (existsSync(join(dir, 'index.html'))) walk(dir, dir, files);
  const index = files.get('index.html');
  const security = securityHeaders(consoleCsp(index ? inlineScriptHashes(index.body.toString('utf8')) : []));

  function fileAnswer(f: StaticFile): ConsoleAnswer {
    return {
      status: 200,
      headers: {
        ...security,
        'content-type': f.contentType,
        'cache-control': f.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      },
      body: f.body,
    };
  }

  return {
    built: index !== undefined,
    answer(method, path) {
      if (method !== 'GET' && method !== 'HEAD') {
        return plain(security, 405, 'The console answers GET and HEAD only.\n', { allow: 'GET, HEAD' });
      }
      if (path === '/console') return plain(security, 301, '', { location: CONSOLE_PATH });
      if (!index) {
        return plain(
          security,
          503,
          'The console is not built: run `npm run build` in the Rampart checkout.\n',
        );
      }
      let rel: string;
      try {
        rel = decodeURIComponent(path.slice(CONSOLE_PATH.length));
      } catch {
        return plain(security, 400, 'Malformed path.\n');
      }
      const file = files.get(rel);
      if (file) return fileAnswer(file);
      // A missing asset (or anything that looks like a file) is a 404, never the app page.
      if (rel.startsWith('assets/') || /\.[a-z0-9]+$/i.test(rel)) return plain(security, 404, 'Not found.\n');
      return fileAnswer(index);
    },
  };
}

/** Whether a path belongs to the console. */
export function isConsolePath(path: string): boolean {
  return path === '/console' || path.startsWith(CONSOLE_PATH);
}

/**
 * Whether a request to `/` is a person's browser opening the server rather than an API
 * call: a GET that accepts HTML, names no Action, and carries no signature of any kind.
 */
export function isBrowserVisit(
  method: string,
  rawQuery: string,
  headers: Readonly<Record<string, string | string[] | undefined>>,
): boolean {
  if (method !== 'GET') return false;
  const accept = headers.accept;
  if (typeof accept !== 'string' || !accept.toLowerCase().includes('text/html')) return false;
  if (headers.authorization !== undefined) return false;
  for (const name of Object.keys(headers)) if (name.startsWith('x-acs-')) return false;
  if (rawQuery !== '') {
    for (const pair of rawQuery.split('&')) {
      const name = pair.split('=')[0]!.toLowerCase();
      if (
        name === 'action' ||
        name === 'signature' ||
        name === 'accesskeyid' ||
        name === 'version' ||
        name === 'format'
      ) {
        return false;
      }
    }
  }
  return true;
}

/** The redirect of a browser visit to the console. */
export function consoleRedirect(): ConsoleAnswer {
  return plain(securityHeaders(consoleCsp([])), 302, '', { location: CONSOLE_PATH });
}

/** Writes a console answer (HEAD: the headers of GET, no body). */
export function sendConsoleAnswer(res: ServerResponse, method: string, r: ConsoleAnswer): void {
  for (const name in r.headers) res.setHeader(name, r.headers[name]!);
  res.setHeader('content-length', Buffer.byteLength(r.body));
  res.writeHead(r.status);
  res.end(method === 'HEAD' ? undefined : r.body);
}
