/** Longest side of a stored photo: plenty for a defect report, small enough for a tablet's storage. */
export const PHOTO_MAX_SIDE = 1600;
/** Longest side of the thumbnail stored next to each photo. */
export const THUMB_MAX_SIDE = 320;

export type PhotoType = 'image/jpeg' | 'image/webp';

export interface DownscaleOptions {
  maxSide: number;
  type?: PhotoType;
  quality?: number;
}

/**
 * Re-encodes a camera image no larger than `maxSide` on its longest side. The pixels are
 * decoded with the EXIF orientation applied (`imageOrientation: 'from-image'`), so a
 * portrait photo stays portrait once the metadata is gone.
 */
export async function downscaleImage(source: Blob, options: DownscaleOptions): Promise<Blob> {
  const type = options.type ?? 'image/jpeg';
  const quality = options.quality ?? 0.85;
  const bitmap = await createImageBitmap(source, { imageOrientation: 'from-image' });
  try {
    const scale = Math.min(1, options.maxSide / Math.max(bitmap.width, bitmap.height));
    const width = Math.max(1, Math.round(bitmap.width * scale));
    const height = Math.max(1, Math.round(bitmap.height * scale));
    const canvas = new OffscreenCanvas(width, height);
    const context = canvas.getContext('2d');
    if (!context) throw new Error('No 2D canvas available');
    // JPEG has no transparency: transparent pixels (a PNG screenshot) would come out black.
    context.fillStyle = '#fff';
    context.fillRect(0, 0, width, height);
    context.imageSmoothingQuality = 'high';
    context.drawImage(bitmap, 0, 0, width, height);
    const blob = await canvas.convertToBlob({ type, quality });
    // A browser that cannot encode WebP hands back PNG; JPEG is smaller and always there.
    return blob.type === type ? blob : canvas.convertToBlob({ type: 'image/jpeg', quality });
  } finally {
    bitmap.close();
  }
}
