import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));
const BASE = '/console/';

/**
 * Writes app-chunks.json: the files of the signed-in console (the chunk of src/app.tsx and
 * every chunk it imports that the entry has not loaded, and their style sheets), which the
 * sign-in page asks the browser to prefetch once its form is on screen (src/main.tsx). It sits
 * beside index.html, so it is never cached across builds.
 */
function appChunkList(): Plugin {
  return {
    name: 'rampart-app-chunks',
    apply: 'build',
    generateBundle(_options, bundle) {
      const chunks = new Map<string, { imports: string[]; css: string[] }>();
      let entry: string | undefined;
      let app: string | undefined;
      for (const file of Object.values(bundle)) {
        if (file.type !== 'chunk') continue;
        chunks.set(file.fileName, {
          imports: file.imports,
          css: [...(file.viteMetadata?.importedCss ?? [])],
        });
        if (file.isEntry) entry = file.fileName;
        if (file.facadeModuleId?.endsWith('/src/app.tsx')) app = file.fileName;
      }
      if (!entry || !app) this.error('app-chunks.json: no entry or no chunk of src/app.tsx');
      const closure = (from: string, seen = new Set<string>()): Set<string> => {
        if (seen.has(from)) return seen;
        seen.add(from);
        for (const next of chunks.get(from)?.imports ?? []) closure(next, seen);
        return seen;
      };
      const loaded = closure(entry);
      const scripts = [...closure(app)].filter((f) => !loaded.has(f));
      const styles = scripts.flatMap((f) => chunks.get(f)?.css ?? []);
      this.emitFile({
        type: 'asset',
        fileName: 'app-chunks.json',
        source: JSON.stringify({
          scripts: scripts.map((f) => BASE + f),
          styles: styles.map((f) => BASE + f),
        }),
      });
    },
  };
}

/**
 * Starts the app from one inline script at the end of the body instead of a `<script src>` in
 * the head: the server allows that script by its hash with 'strict-dynamic'
 * (src/api/console/static.ts). The script adds the entry module's element itself, which is what
 * 'strict-dynamic' trusts (an element the page's markup names is not trusted, nor a module it
 * imports), so the entry and the modules it imports run, and no other script of this origin
 * does (an object a bucket serves included).
 */
function inlineEntry(): Plugin {
  return {
    name: 'rampart-inline-entry',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html) {
        const entry = /\s*<script type="module" crossorigin src="([^"]+)"><\/script>/;
        const m = entry.exec(html);
        if (!m) throw new Error('index.html: no module entry script to start from');
        const loader =
          `(function(){var s=document.createElement("script");s.type="module";s.crossOrigin="";` +
          `s.src=${JSON.stringify(m[1])};document.head.appendChild(s)})()`;
        // At the end of the body: an added module runs as soon as it is fetched, so the page's
        // elements must be there already.
        return html.replace(entry, '').replace('</body>', `  <script>${loader}</script>\n  </body>`);
      },
    },
  };
}

/**
 * The shared code's chunks: React on its own (the sign-in page needs it and nothing else from
 * node_modules), everything else (antd and its helpers) in the vendor chunk that only the
 * signed-in console loads. The WebAuthn client is left to Rollup: a chunk of its own, imported
 * by the sign-in page when a security key is used.
 */
function chunkOf(id: string): string | undefined {
  if (!id.includes('node_modules')) return undefined;
  if (/node_modules\/(react|react-dom|scheduler)\//.test(id)) return 'react';
  if (id.includes('node_modules/@simplewebauthn/')) return undefined;
  return 'vendor';
}

// The console is built into dist/console, which the server serves under /console/.
export default defineConfig({
  root: here,
  base: BASE,
  plugins: [react(), appChunkList(), inlineEntry()],
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 2048,
    // No inline assets: the strict Content-Security-Policy allows one inline script, the entry's.
    assetsInlineLimit: 0,
    rollupOptions: {
      output: {
        manualChunks: chunkOf,
      },
    },
  },
});
