// Draws the task and extension icons (a registry stack on Azure blue) as PNG files, without an image
// library: `node packages/ado-task/scripts/icon.mjs` rewrites images/icon.png (128) and images/task-icon.png (32).
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const byte of buf) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
};

function icon(size) {
  const s = size / 128;
  const blue = [0x00, 0x78, 0xd4, 255];
  const white = [255, 255, 255, 255];
  const cyan = [0x50, 0xe6, 0xff, 255];
  const none = [0, 0, 0, 0];
  const inRect = (x, y, x0, y0, x1, y1) => x >= x0 * s && x < x1 * s && y >= y0 * s && y < y1 * s;
  const pixel = (x, y) => {
    const r = 18 * s;
    const lo = 4 * s;
    const hi = 124 * s;
    const cx = Math.min(Math.max(x, lo + r), hi - r);
    const cy = Math.min(Math.max(y, lo + r), hi - r);
    if (x < lo || y < lo || x >= hi || y >= hi || (x - cx) ** 2 + (y - cy) ** 2 > r * r) return none;
    if ((x - 94 * s) ** 2 + (y - 88 * s) ** 2 <= (13 * s) ** 2) return cyan;
    if (inRect(x, y, 26, 34, 102, 48) || inRect(x, y, 26, 56, 102, 70) || inRect(x, y, 26, 78, 74, 92))
      return white;
    return blue;
  };
  const rows = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 4);
    for (let x = 0; x < size; x++) Buffer.from(pixel(x + 0.5, y + 0.5)).copy(row, 1 + x * 4);
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const images = new URL('../../../images/', import.meta.url);
writeFileSync(new URL('icon.png', images), icon(128));
writeFileSync(new URL('task-icon.png', images), icon(32));
