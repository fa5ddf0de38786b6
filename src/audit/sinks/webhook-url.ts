/**
 * The webhook sink's URL rules. A webhook URL or a receiver's Location may carry a secret in
 * its user information (`user:pass@`) or its query (`?token=...`): a log line shows neither,
 * only the scheme, host and path, and `?…` where there was a query. A webhook URL with user
 * information is refused at configuration: fetch would refuse it at every delivery.
 */

/** `url` (resolved against `base` when relative) without user information, query or fragment. */
export function urlForLog(url: string, base?: string): string {
  let u: URL;
  try {
    u = new URL(url, base);
  } catch {
    return '(not a URL)';
  }
  return `${u.protocol}//${u.host}${u.pathname}${u.search ? '?…' : ''}`;
}

const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi;

/** `text` with every absolute URL in it shown as urlForLog shows it (an error's message). */
export function redactUrls(text: string): string {
  return text.replace(URL_IN_TEXT, (m) => {
    // A sentence's punctuation after the URL stays outside it.
    const tail = /[.,;:)]+$/.exec(m)?.[0] ?? '';
    return urlForLog(m.slice(0, m.length - tail.length)) + tail;
  });
}

/** Why a webhook URL with user information is refused (config and the sink say the same). */
export const WEBHOOK_URL_CREDENTIALS =
  'RAMPART_AUDIT_WEBHOOK_URL must not carry a user name or password (user:pass@): fetch refuses such a URL and the ' +
  'events would never be delivered. Authenticate with RAMPART_AUDIT_WEBHOOK_TOKEN (sent as Authorization: Bearer)';

/** Whether a URL carries user information (`user@` or `user:pass@`). */
export function hasUrlCredentials(url: string): boolean {
  try {
    const u = new URL(url);
    return u.username !== '' || u.password !== '';
  } catch {
    return false;
  }
}
