import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

// The counter PWA. In development it proxies the API to a server on :8080; in production the
// server serves the built files from the same origin.
export default defineConfig({
  plugins: [
    preact(),
    VitePWA({
      registerType: 'prompt',
      injectRegister: false,
      includeAssets: ['icon.svg'],
      manifest: {
        name: 'SmartKirana',
        short_name: 'SmartKirana',
        description: 'Point of sale for kirana shops that works with no network',
        theme_color: '#0f5132',
        background_color: '#ffffff',
        display: 'standalone',
        start_url: '/',
        icons: [
          { src: 'icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: 'icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
        ],
      },
      workbox: {
        globPatterns: ['**/*.{js,css,html,svg,png,wasm,webmanifest}'],
        navigateFallback: 'index.html',
        // Take control of the page on first install so it works offline from the first visit;
        // later updates still wait (registerType 'prompt') so a sale is never interrupted.
        clientsClaim: true,
        navigateFallbackDenylist: [/^\/api\//, /^\/sync\//, /^\/health/, /^\/ready/],
        maximumFileSizeToCacheInBytes: 8 * 1024 * 1024,
      },
    }),
  ],
  server: { proxy: { '/api': 'http://127.0.0.1:8080', '/sync': 'http://127.0.0.1:8080' } },
  build: { target: 'es2022', sourcemap: false, chunkSizeWarningLimit: 2000 },
});
