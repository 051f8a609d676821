import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'

// The API server embeds dist/app (see embed.go). In dev mode (npm run dev) Vite
// serves the console on :5173 and proxies /api to the server, so the browser
// still talks to one origin.
export default defineConfig({
  plugins: [vue()],
  base: '/',
  build: {
    outDir: 'dist/app',
    emptyOutDir: true,
    // The CSP forbids inline scripts; keep the module preload polyfill out of index.html.
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 800,
  },
  server: {
    port: 5173,
    proxy: {
      '/api': process.env.OCEANOPS_API ?? 'http://127.0.0.1:8080',
    },
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
})
