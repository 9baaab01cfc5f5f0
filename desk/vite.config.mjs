// Builds the desk (desk/src) into desk/dist, which the API serves at /desk/ (api/desk-static.ts).
// scripts/setup.sh runs it when an input changed; no plugin: Vite's own transform compiles TSX.
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/desk/',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1024 },
});
