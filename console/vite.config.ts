// Builds the console into dist/console-web, which the server serves at /console/
// (src/console/static.ts).
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/console-web', import.meta.url)),
    emptyOutDir: true,
    // The polyfill is only for old browsers, and the CSP forbids nothing it needs, but it is
    // code we do not use.
    modulePreload: { polyfill: false },
  },
});
