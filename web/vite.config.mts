import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The dashboard (web/), built into dist/web and served by the hub at /. Vite 8 compiles TSX itself
 * (oxc), so no React plugin: there is no dev server workflow to speed up, only the build.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1200,
    // Vendor code in chunks of its own so a release that changes only the app leaves them cached.
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            { name: 'echarts', test: /node_modules[\\/](echarts|zrender)/ },
            { name: 'cytoscape', test: /node_modules[\\/]cytoscape/ },
            { name: 'vendor', test: /node_modules/ },
          ],
        },
      },
    },
  },
});
