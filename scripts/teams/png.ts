import { crc32, deflateSync } from 'node:zlib';

/**
 * A tiny RGBA PNG encoder (PNG spec: signature, IHDR, one IDAT, IEND) for the Teams app
 * icons, so the package needs no image tooling.
 */
export type Pixel = (x: number, y: number) => [number, number, number, number];

export function encodePng(width: number, height: number, pixel: Pixel): Buffer {
  const rows = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 4 + 1);
    rows[row] = 0; // filter: none
    for (let x = 0; x < width; x++) rows.set(pixel(x, y), row + 1 + x * 4);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit, RGBA, deflate, no filter set, no interlace
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

/**
 * The Switchboard mark: three "lines" joined at a hub, like a switchboard's cords.
 * `scale` 1 = a 32-px grid; shapes are tested per pixel centre.
 */
export function markCovers(x: number, y: number, size: number): boolean {
  const u = ((x + 0.5) / size) * 32;
  const v = ((y + 0.5) / size) * 32;
  const bar = (top: number, left: number, right: number) => v >= top && v < top + 4 && u >= left && u < right;
  const dot = (cx: number, cy: number, r: number) => (u - cx) ** 2 + (v - cy) ** 2 <= r * r;
  return bar(7, 6, 22) || bar(14, 6, 26) || bar(21, 6, 18) || dot(24, 9, 3) || dot(20, 23, 3);
}

/** 192×192 full-colour icon: the white mark on the accent colour. */
export function colorIcon(accent: [number, number, number]): Buffer {
  const size = 192;
  return encodePng(size, size, (x, y) => {
    const inset = 24;
    const inside = x >= inset && x < size - inset && y >= inset && y < size - inset;
    return inside && markCovers(x - inset, y - inset, size - 2 * inset) ? [255, 255, 255, 255] : [...accent, 255];
  });
}

/** 32×32 outline icon: white on transparent, as Teams requires. */
export function outlineIcon(): Buffer {
  return encodePng(32, 32, (x, y) => (markCovers(x, y, 32) ? [255, 255, 255, 255] : [0, 0, 0, 0]));
}
