// omggif ships no types; these cover the parts fax-bridge uses.
declare module 'omggif' {
  export interface GifFrameInfo {
    x: number;
    y: number;
    width: number;
    height: number;
    has_local_palette: boolean;
    transparent_index: number | null;
    disposal: number;
    delay: number;
    /** Where the frame's LZW data (minimum code size, then sub-blocks) starts, and its length. */
    data_offset: number;
    data_length: number;
  }

  export class GifReader {
    constructor(buf: Uint8Array);
    width: number;
    height: number;
    numFrames(): number;
    frameInfo(frameNum: number): GifFrameInfo;
    decodeAndBlitFrameRGBA(frameNum: number, pixels: Uint8Array): void;
  }

  export interface GifWriterOptions {
    palette?: number[];
    loop?: number;
  }

  export interface GifFrameOptions {
    palette?: number[];
    transparent?: number;
    delay?: number;
    disposal?: number;
  }

  export class GifWriter {
    constructor(buf: Uint8Array, width: number, height: number, options?: GifWriterOptions);
    addFrame(
      x: number,
      y: number,
      width: number,
      height: number,
      indexedPixels: ArrayLike<number>,
      options?: GifFrameOptions,
    ): number;
    end(): number;
  }
}
