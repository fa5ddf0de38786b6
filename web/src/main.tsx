/**
 * The console's entry: the session check and the sign-in page, in plain React. The signed-in
 * console (antd, the navigation and every page, app.tsx) is a chunk of its own, imported once
 * there is a session, so a visit without one never loads or runs the component library. After
 * the sign-in form is on screen, the browser is told to fetch that chunk while the person types
 * (modulepreload: fetched and parsed, not run).
 */
import { StrictMode, useEffect, useState, type ComponentType } from 'react';
import { createRoot } from 'react-dom/client';
import { call, currentSession, forgetCredentials, type Session } from './api';
import { LogonPage } from './pages/logon';
import { navigate } from './router';
import './signin.css';

export interface SignedInProps {
  readonly session: Session;
  /** The session has ended (sign-out): back to the sign-in page. */
  readonly onSignedOut: () => void;
}

// Asked at once, before the first render: a signed-in visit then loads the app a little sooner.
const firstSession = currentSession();

let app: Promise<ComponentType<SignedInProps>> | undefined;

function loadApp(): Promise<ComponentType<SignedInProps>> {
  app ??= import('./app').then(
    (m) => m.SignedIn,
    (e: unknown) => {
      app = undefined; // a later attempt tries again
      throw e;
    },
  );
  return app;
}

/**
 * Asks the browser to fetch (not run) the signed-in chunks: their list is written by the build
 * (app-chunks.json, see web/vite.config.ts), beside index.html and never cached stale.
 */
async function prefetchApp(): Promise<void> {
  try {
    const res = await fetch('/console/app-chunks.json', { credentials: 'same-origin' });
    if (!res.ok) return;
    const list = (await res.json()) as { scripts?: string[]; styles?: string[] };
    const add = (rel: string, href: string, as?: string): void => {
      if (document.head.querySelector(`link[href="${href}"]`)) return;
      const link = document.createElement('link');
      link.rel = rel;
      link.href = href;
      link.crossOrigin = ''; // as the build's own script and style tags, or the copy goes unused
      if (as) link.as = as;
      document.head.appendChild(link);
    };
    for (const href of list.scripts ?? []) add('modulepreload', href);
    for (const href of list.styles ?? []) add('preload', href, 'style');
  } catch {
    // Only a head start: the import fetches what is missing.
  }
}

function whenIdle(run: () => void): () => void {
  if (typeof window.requestIdleCallback === 'function') {
    const id = window.requestIdleCallback(run, { timeout: 2000 });
    return () => window.cancelIdleCallback(id);
  }
  const id = window.setTimeout(run, 200);
  return () => window.clearTimeout(id);
}

function Loading() {
  return (
    <div className="loading" role="status">
      <span className="si-loading-spinner" aria-hidden="true" />
      <span className="si-visually-hidden">Loading the console</span>
    </div>
  );
}

function Console() {
  // null: not known yet; undefined: no session.
  const [session, setSession] = useState<Session | undefined | null>(null);
  const [SignedIn, setSignedIn] = useState<ComponentType<SignedInProps> | undefined>();
  const [loadFailure, setLoadFailure] = useState(false);

  useEffect(() => {
    firstSession.then(setSession, () => setSession(undefined));
  }, []);

  useEffect(() => {
    if (!session || SignedIn) return;
    let live = true;
    loadApp().then(
      (c) => live && setSignedIn(() => c),
      () => live && setLoadFailure(true),
    );
    return () => {
      live = false;
    };
  }, [session, SignedIn]);

  // The form is on screen (effects run after the paint): fetch the rest when the page is idle.
  const signedOut = session === undefined;
  useEffect(() => {
    if (!signedOut || SignedIn) return;
    return whenIdle(() => void prefetchApp());
  }, [signedOut, SignedIn]);

  if (session === null) return <Loading />;
  if (!session) {
    return (
      <LogonPage
        onSession={(s) => {
          forgetCredentials();
          void loadApp().catch(() => undefined);
          setSession(s);
          // The root without MFA is first asked to secure its logon (skippable).
          if (s.Principal.Type !== 'Root' || s.MFAPresent) return navigate('/');
          call<{ IsMFAEnable?: boolean }>('ims', 'GetAccountMFAInfo').then(
            (r) => navigate(r.IsMFAEnable ? '/' : '/welcome'),
            () => navigate('/'),
          );
        }}
      />
    );
  }
  if (loadFailure) {
    return (
      <main className="si-page">
        <section className="si-card" aria-labelledby="si-title">
          <h1 className="si-title" id="si-title">
            The console did not load
          </h1>
          <div className="si-body si-stack">
            <div className="si-alert si-alert-error" role="alert">
              Its files could not be fetched (the network, or a newer version of the server).
            </div>
            <button type="button" className="si-button si-button-primary" onClick={() => location.reload()}>
              Reload
            </button>
          </div>
        </section>
      </main>
    );
  }
  if (!SignedIn) return <Loading />;
  return <SignedIn session={session} onSignedOut={() => setSession(undefined)} />;
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Console />
  </StrictMode>,
);
