#!/usr/bin/env node
/*
 * Builds ferry's Cockpit page from src/ into dist/, as Cockpit's
 * starter-kit does (esbuild, React 18, JSX): dist/index.js (the page's
 * code with React and the PatternFly 5 React components of src/views/),
 * dist/index.css (PatternFly 5's base, the stylesheets those components
 * import, the page's own), dist/index.html and dist/manifest.json, and
 * dist/po.LANG.js (po.mjs).
 *
 * Needs node_modules from the committed package-lock.json (`npm ci`):
 * tools/build-web does both. dist/ is committed, as Cockpit's release
 * tarballs ship their pages built, so building ferry and its Debian
 * package needs neither npm nor network (docs/web.md).
 *
 * PatternFly's @font-face rules (Red Hat fonts, the Font Awesome and
 * PatternFly icon fonts), from @patternfly/patternfly and from the copies
 * in @patternfly/react-styles, are left out: the page uses no icon font
 * (PatternFly React's icons are inline SVG) and its text falls back to the
 * system's sans-serif when the Red Hat fonts are not installed, which
 * keeps dist/ small and loads no font file from elsewhere.
 */
import fs from "node:fs";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { execFileSync } from "node:child_process";
import * as esbuild from "esbuild";

const here = path.dirname(fileURLToPath(import.meta.url));
const src = path.join(here, "src");
const outdir = process.argv[2] ? path.resolve(process.argv[2]) : path.join(here, "dist");

const noFontFaces = {
    name: "no-font-faces",
    setup(build) {
        build.onLoad({ filter: /@patternfly[\\/](patternfly|react-styles)[\\/].*\.css$/ }, async args => {
            const css = await fs.promises.readFile(args.path, "utf8");
            return { contents: css.replace(/@font-face\s*\{[^}]*\}/g, ""), loader: "css" };
        });
    },
};

fs.rmSync(outdir, { recursive: true, force: true });
fs.mkdirSync(outdir, { recursive: true });
const result = await esbuild.build({
    entryPoints: { index: path.join(src, "index.js") },
    bundle: true,
    // JSX as Cockpit's starter-kit compiles it (React 17+ runtime), and
    // React's production build.
    jsx: "automatic",
    define: { "process.env.NODE_ENV": '"production"' },
    outdir,
    format: "iife",
    target: ["es2020"],
    minify: true,
    legalComments: "eof",
    // The build is reproducible: no timestamps, no absolute paths.
    sourcemap: false,
    metafile: true,
    plugins: [noFontFaces],
    logLevel: "warning",
});
for (const f of ["index.html", "manifest.json"])
    fs.copyFileSync(path.join(src, f), path.join(outdir, f));
// Translations: po/LANG.po -> dist/po.LANG.js (po.mjs).
execFileSync(process.execPath, [path.join(here, "po.mjs"), "js", path.join(here, "..", "po"), outdir], { stdio: "inherit" });
for (const [file, out] of Object.entries(result.metafile.outputs))
    console.log(`${path.relative(here, file)}: ${out.bytes} bytes`);
