import { imageSize } from '../testing/test-support';
import { downscaleImage } from './image-downscaler';

/** A solid image of the given size; the left half red so orientation changes are visible. */
async function makeImage(width: number, height: number, type = 'image/png'): Promise<Blob> {
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d')!;
  context.fillStyle = '#00f';
  context.fillRect(0, 0, width, height);
  context.fillStyle = '#f00';
  context.fillRect(0, 0, width / 2, height);
  return canvas.convertToBlob({ type, quality: 0.95 });
}

/** Inserts an EXIF APP1 segment with the given Orientation tag right after the JPEG SOI marker. */
async function withExifOrientation(jpeg: Blob, orientation: number): Promise<Blob> {
  const bytes = new Uint8Array(await jpeg.arrayBuffer());
  const tiff = [
    0x4d,
    0x4d,
    0x00,
    0x2a,
    0x00,
    0x00,
    0x00,
    0x08, // big-endian TIFF header, IFD at offset 8
    0x00,
    0x01, // one entry
    0x01,
    0x12,
    0x00,
    0x03,
    0x00,
    0x00,
    0x00,
    0x01,
    0x00,
    orientation,
    0x00,
    0x00, // Orientation, SHORT, 1
    0x00,
    0x00,
    0x00,
    0x00, // no next IFD
  ];
  const payload = [0x45, 0x78, 0x69, 0x66, 0x00, 0x00, ...tiff]; // "Exif\0\0"
  const length = payload.length + 2;
  const app1 = [0xff, 0xe1, length >> 8, length & 0xff, ...payload];
  return new Blob([bytes.slice(0, 2), new Uint8Array(app1), bytes.slice(2)], { type: 'image/jpeg' });
}

async function pixel(blob: Blob, x: number, y: number): Promise<number[]> {
  const bitmap = await createImageBitmap(blob);
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext('2d')!;
  context.drawImage(bitmap, 0, 0);
  return Array.from(context.getImageData(x, y, 1, 1).data.slice(0, 3));
}

describe('downscaleImage', () => {
  it('fits a large landscape image into 1600 px on the longest side, as JPEG', async () => {
    const result = await downscaleImage(await makeImage(4000, 3000), { maxSide: 1600 });
    expect(result.type).toBe('image/jpeg');
    expect(await imageSize(result)).toEqual({ width: 1600, height: 1200 });
  });

  it('fits a portrait image by its height', async () => {
    const result = await downscaleImage(await makeImage(1200, 2400), { maxSide: 1600 });
    expect(await imageSize(result)).toEqual({ width: 800, height: 1600 });
  });

  it('never enlarges a small image', async () => {
    const result = await downscaleImage(await makeImage(640, 480), { maxSide: 1600 });
    expect(await imageSize(result)).toEqual({ width: 640, height: 480 });
  });

  it('can encode WebP', async () => {
    const result = await downscaleImage(await makeImage(800, 600), { maxSide: 400, type: 'image/webp' });
    expect(result.type).toBe('image/webp');
    expect(await imageSize(result)).toEqual({ width: 400, height: 300 });
  });

  it('makes the output much smaller than a big input', async () => {
    const source = await makeImage(4000, 3000);
    const result = await downscaleImage(source, { maxSide: 320 });
    expect(result.size).toBeLessThan(source.size);
  });

  it('puts a transparent image (a PNG screenshot of a plan) on white, not black, as JPEG has no transparency', async () => {
    const canvas = new OffscreenCanvas(200, 100);
    canvas.getContext('2d')!.fillRect(0, 0, 100, 100);
    const result = await downscaleImage(await canvas.convertToBlob({ type: 'image/png' }), { maxSide: 100 });
    const [red, green, blue] = await pixel(result, 75, 25);
    expect(Math.min(red, green, blue)).toBeGreaterThan(240);
    // The drawn half stays as drawn.
    expect(Math.max(...(await pixel(result, 25, 25)))).toBeLessThan(15);
  });

  it('honours the EXIF orientation of camera photos', async () => {
    // Orientation 6: the sensor image must be turned 90° clockwise to display upright.
    const camera = await withExifOrientation(await makeImage(400, 200, 'image/jpeg'), 6);
    const result = await downscaleImage(camera, { maxSide: 100 });
    expect(await imageSize(result)).toEqual({ width: 50, height: 100 });
    // The red left half of the sensor image ends up on top.
    const [topR, , topB] = await pixel(result, 25, 10);
    const [bottomR, , bottomB] = await pixel(result, 25, 90);
    expect(topR).toBeGreaterThan(200);
    expect(topB).toBeLessThan(60);
    expect(bottomB).toBeGreaterThan(200);
    expect(bottomR).toBeLessThan(60);
  });
});
