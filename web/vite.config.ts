import { fileURLToPath, URL } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

// The API server; the dev and preview servers proxy /graphql (HTTP and WebSocket) to it,
// so the console and the API share one origin and the session cookie just works.
const apiTarget = process.env.SERIALDESK_API ?? 'http://localhost:4000';

const proxy = {
  '/graphql': { target: apiTarget, ws: true, changeOrigin: true },
  '/export': { target: apiTarget, changeOrigin: true },
};

export default defineConfig({
  plugins: [vue()],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  server: { proxy },
  preview: { proxy },
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
  },
});
