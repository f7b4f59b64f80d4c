// Draws the app's two Teams icons from code (no downloaded art): an upward arrow, for
// "escalate", standing on a desk. `color.png` is 192×192 on the accent colour; `outline.png`
// is 32×32, white on transparent, as the Teams manifest requires. Output is deterministic.
//   node scripts/icons.mjs [outDir]   (default: manifest/)
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';

/** The accent colour of the manifest (#1F4E79), as RGB. */
const ACCENT = [0x1f, 0x4e, 0x79];
const SUPERSAMPLE = 4;

/** Whether a point of the unit square lies on the glyph (arrow head, shaft, desk). */
function onGlyph(x, y) {
  const head = y >= 0.16 && y <= 0.5 && Math.abs(x - 0.5) <= ((y - 0.16) / 0.34) * 0.28;
  const shaft = x >= 0.41 && x <= 0.59 && y >= 0.49 && y <= 0.72;
  const desk = x >= 0.18 && x <= 0.82 && y >= 0.78 && y <= 0.86;
  return head || shaft || desk;
}

/** Whether a point of the unit square lies on a rounded square with corner radius r. */
function onRoundedSquare(x, y, r) {
  const cx = Math.min(Math.max(x, r), 1 - r);
  const cy = Math.min(Math.max(y, r), 1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

/** The share (0–1) of a pixel's subsamples for which `test` holds. */
function coverage(px, py, size, test) {
  let hits = 0;
  for (let sy = 0; sy < SUPERSAMPLE; sy++) {
    for (let sx = 0; sx < SUPERSAMPLE; sx++) {
      if (test((px + (sx + 0.5) / SUPERSAMPLE) / size, (py + (sy + 0.5) / SUPERSAMPLE) / size)) hits++;
    }
  }
  return hits / (SUPERSAMPLE * SUPERSAMPLE);
}

/** The 192×192 colour icon: white glyph on an accent rounded square, transparent corners. */
function colorIcon() {
  const size = 192;
  const png = new PNG({ width: size, height: size, colorType: 6 });
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const back = coverage(x, y, size, (u, v) => onRoundedSquare(u, v, 0.18));
      const glyph = coverage(x, y, size, onGlyph);
      const i = (y * size + x) * 4;
      for (let c = 0; c < 3; c++) png.data[i + c] = Math.round(ACCENT[c] * (1 - glyph) + 255 * glyph);
      png.data[i + 3] = Math.round(255 * Math.max(back, glyph));
    }
  }
  return PNG.sync.write(png, { colorType: 6 });
}

/** The 32×32 outline icon: pure white glyph, anti-aliased through alpha only. */
function outlineIcon() {
  const size = 32;
  const png = new PNG({ width: size, height: size, colorType: 6 });
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 4;
      const alpha = Math.round(255 * coverage(x, y, size, onGlyph));
      png.data[i] = alpha ? 255 : 0;
      png.data[i + 1] = alpha ? 255 : 0;
      png.data[i + 2] = alpha ? 255 : 0;
      png.data[i + 3] = alpha;
    }
  }
  return PNG.sync.write(png, { colorType: 6 });
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = resolve(process.argv[2] ?? join(root, 'manifest'));
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'color.png'), colorIcon());
writeFileSync(join(outDir, 'outline.png'), outlineIcon());
console.log(`icons written to ${outDir} (color.png 192x192, outline.png 32x32)`);
