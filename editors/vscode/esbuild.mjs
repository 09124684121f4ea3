// Bundles the extension (vscode-languageclient included) into out/extension.js, and compiles the
// editor-free settings module to out/settings.js for the node tests.
import * as esbuild from 'esbuild';

const common = { bundle: true, platform: 'node', target: 'node18', format: 'cjs', sourcemap: true, logLevel: 'warning' };
await esbuild.build({ ...common, entryPoints: ['src/extension.ts'], outfile: 'out/extension.js', external: ['vscode'] });
await esbuild.build({ ...common, entryPoints: ['src/settings.ts'], outfile: 'out/settings.js' });
