/** Host names and WebAuthn: a key is bound to a host name, never to an IP address. */

/** Whether a host name is an IP address (IPv4, or IPv6 as the browser writes it, in brackets). */
export function isIpHost(hostname: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(hostname) || hostname.includes(':') || hostname.startsWith('[');
}

/** The same page under `localhost` when it was opened on a loopback address; undefined otherwise. */
export function localhostUrl(
  loc: Pick<Location, 'protocol' | 'hostname' | 'port' | 'pathname'>,
): string | undefined {
  const loopback =
    /^127(\.\d{1,3}){3}$/.test(loc.hostname) || loc.hostname === '[::1]' || loc.hostname === '::1';
  if (!loopback) return undefined;
  return `${loc.protocol}//localhost${loc.port ? `:${loc.port}` : ''}${loc.pathname}`;
}
