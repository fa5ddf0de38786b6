/** A small history router: the page is the path under /console/. */
import { useEffect, useState, type MouseEvent, type ReactNode } from 'react';

const BASE = '/console';

function currentPath(): string {
  const p = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : '/';
  return p === '' ? '/' : p;
}

export function navigate(to: string): void {
  history.pushState(null, '', BASE + to);
  window.dispatchEvent(new Event('rampart:navigate'));
}

export function usePath(): string {
  const [path, setPath] = useState(currentPath);
  useEffect(() => {
    const update = (): void => setPath(currentPath());
    window.addEventListener('popstate', update);
    window.addEventListener('rampart:navigate', update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener('rampart:navigate', update);
    };
  }, []);
  return path;
}

/** A link to a console page that the router follows without reloading. */
export function Link({ to, children }: { to: string; children: ReactNode }) {
  const click = (e: MouseEvent<HTMLAnchorElement>): void => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
    e.preventDefault();
    navigate(to);
  };
  return (
    <a href={BASE + to} onClick={click}>
      {children}
    </a>
  );
}
