import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The editor is built into editor/dist and served by the API at `/`. In development
// (`npx vite --config editor/vite.config.ts`), `/v1` is proxied to a running API.
const root = fileURLToPath(new URL('.', import.meta.url));
const apiUrl = process.env.WAYMARK_API_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: { outDir: fileURLToPath(new URL('./dist', import.meta.url)), emptyOutDir: true, chunkSizeWarningLimit: 2000 },
  worker: { format: 'es' },
  server: { proxy: { '/v1': apiUrl } },
});
