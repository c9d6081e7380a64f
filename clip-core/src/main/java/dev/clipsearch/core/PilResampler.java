package dev.clipsearch.core;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Pillow's {@code Image.resize} for 8-bit RGB images, bit for bit: a separable convolution
 * (horizontal pass first, then vertical) whose kernel support widens with the downscale factor,
 * with coefficients normalised to 22-bit fixed point and each pass rounded and clipped to 8 bits
 * (Pillow {@code libImaging/Resample.c}).
 *
 * <p>Pixels are packed {@code 0xRRGGBB} ints. Coefficient tables are cached per (filter, input
 * size, output size) in a bounded concurrent map, so concurrent callers share them; everything else
 * is local to a call.
 */
final class PilResampler {

    /**
     * 8 bits for the result, 2 for overflow of negative lobes; as Pillow's PRECISION_BITS (32 - 8 -
     * 2).
     */
    static final int PRECISION_BITS = 22;

    private static final int HALF = 1 << (PRECISION_BITS - 1);
    private static final int MAX_CACHED_TABLES = 512;
    private static final ConcurrentHashMap<TableKey, Coefficients> CACHE =
            new ConcurrentHashMap<>();

    private PilResampler() {}

    /** Pillow's resampling filters with their support radius. */
    enum Filter {
        /** {@code Image.Resampling.BOX} (4). */
        BOX(0.5),
        /** {@code Image.Resampling.BILINEAR} (2). */
        BILINEAR(1.0),
        /** {@code Image.Resampling.HAMMING} (5). */
        HAMMING(1.0),
        /** {@code Image.Resampling.BICUBIC} (3), cubic convolution with a = -0.5. */
        BICUBIC(2.0),
        /** {@code Image.Resampling.LANCZOS} (1). */
        LANCZOS(3.0);

        final double support;

        Filter(double support) {
            this.support = support;
        }

        /**
         * Maps a Pillow/transformers {@code resample} code to a filter.
         *
         * @throws IllegalArgumentException for NEAREST (0) and unknown codes
         */
        static Filter fromPilCode(int code) {
            return switch (code) {
                case 1 -> LANCZOS;
                case 2 -> BILINEAR;
                case 3 -> BICUBIC;
                case 4 -> BOX;
                case 5 -> HAMMING;
                default ->
                        throw new IllegalArgumentException(
                                "unsupported resample filter "
                                        + code
                                        + " (supported: 1 LANCZOS, 2 BILINEAR, 3 BICUBIC, 4 BOX, 5 HAMMING)");
            };
        }

        double weight(double x) {
            switch (this) {
                case BOX:
                    return x > -0.5 && x <= 0.5 ? 1.0 : 0.0;
                case BILINEAR:
                    x = Math.abs(x);
                    return x < 1.0 ? 1.0 - x : 0.0;
                case HAMMING:
                    x = Math.abs(x);
                    if (x == 0.0) {
                        return 1.0;
                    }
                    if (x >= 1.0) {
                        return 0.0;
                    }
                    x = x * Math.PI;
                    // Pillow uses float literals here (0.54f, 0.46f)
                    return StrictMath.sin(x)
                            / x
                            * ((double) 0.54f + (double) 0.46f * StrictMath.cos(x));
                case BICUBIC:
                    {
                        final double a = -0.5;
                        if (x < 0.0) {
                            x = -x;
                        }
                        if (x < 1.0) {
                            return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
                        }
                        if (x < 2.0) {
                            return (((x - 5) * x + 8) * x - 4) * a;
                        }
                        return 0.0;
                    }
                case LANCZOS:
                    return -3.0 <= x && x < 3.0 ? sinc(x) * sinc(x / 3) : 0.0;
                default:
                    throw new AssertionError(this);
            }
        }

        private static double sinc(double x) {
            if (x == 0.0) {
                return 1.0;
            }
            x = x * Math.PI;
            return StrictMath.sin(x) / x;
        }
    }

    /**
     * Fixed-point coefficients for one axis: output index {@code i} reads {@code bounds[2i+1]}
     * input samples starting at {@code bounds[2i]}, weighted by {@code weights[i*ksize ...]}.
     */
    record Coefficients(int ksize, int[] bounds, int[] weights) {}

    private record TableKey(Filter filter, int inSize, int outSize) {}

    /**
     * Returns the (cached) coefficient table for resizing {@code inSize} samples to {@code
     * outSize}.
     */
    static Coefficients coefficients(Filter filter, int inSize, int outSize) {
        TableKey key = new TableKey(filter, inSize, outSize);
        Coefficients table = CACHE.get(key);
        if (table == null) {
            table = computeCoefficients(filter, inSize, outSize);
            if (CACHE.size() >= MAX_CACHED_TABLES) {
                CACHE.clear(); // crude but safe bound: image sizes in a corpus cluster, tables
                // are cheap to rebuild
            }
            CACHE.putIfAbsent(key, table);
        }
        return table;
    }

    /** Pillow's precompute_coeffs + normalize_coeffs_8bpc, with the same double arithmetic. */
    static Coefficients computeCoefficients(Filter filter, int inSize, int outSize) {
        if (inSize <= 0 || outSize <= 0) {
            throw new IllegalArgumentException(
                    "sizes must be positive: " + inSize + " -> " + outSize);
        }
        double scale = (double) inSize / outSize;
        double filterscale = Math.max(scale, 1.0);
        double support = filter.support * filterscale;
        int ksize = (int) Math.ceil(support) * 2 + 1;
        int[] bounds = new int[outSize * 2];
        int[] weights = new int[outSize * ksize];
        double[] k = new double[ksize];
        double ss = 1.0 / filterscale;
        for (int xx = 0; xx < outSize; xx++) {
            double center = (xx + 0.5) * scale;
            double ww = 0.0;
            int xmin = (int) (center - support + 0.5);
            if (xmin < 0) {
                xmin = 0;
            }
            int xmax = (int) (center + support + 0.5);
            if (xmax > inSize) {
                xmax = inSize;
            }
            xmax -= xmin;
            for (int x = 0; x < xmax; x++) {
                double w = filter.weight((x + xmin - center + 0.5) * ss);
                k[x] = w;
                ww += w;
            }
            for (int x = 0; x < xmax; x++) {
                double v = ww != 0.0 ? k[x] / ww : k[x];
                weights[xx * ksize + x] =
                        v < 0
                                ? (int) (-0.5 + v * (1 << PRECISION_BITS))
                                : (int) (0.5 + v * (1 << PRECISION_BITS));
            }
            bounds[xx * 2] = xmin;
            bounds[xx * 2 + 1] = xmax;
        }
        return new Coefficients(ksize, bounds, weights);
    }

    /** Pillow's clip8: drop the fixed-point fraction and clamp to 0..255. */
    static int clip8(int acc) {
        int v = acc >> PRECISION_BITS;
        return v < 0 ? 0 : Math.min(v, 255);
    }

    /**
     * Resizes a packed RGB image from {@code w x h} to {@code outW x outH} and returns only the
     * window {@code [x0, x0 + winW) x [y0, y0 + winH)} of the result (the centre crop), packed
     * {@code 0xRRGGBB}, row-major. Each output pixel is computed exactly as in the full resize;
     * pixels outside the window are simply not computed.
     *
     * @param src packed pixels, {@code w * h}; bits 24..31 are ignored
     */
    static int[] resizeWindow(
            int[] src,
            int w,
            int h,
            int outW,
            int outH,
            int x0,
            int y0,
            int winW,
            int winH,
            Filter filter) {
        if (x0 < 0 || y0 < 0 || winW <= 0 || winH <= 0 || x0 + winW > outW || y0 + winH > outH) {
            throw new IllegalArgumentException(
                    "window "
                            + winW
                            + "x"
                            + winH
                            + "+"
                            + x0
                            + "+"
                            + y0
                            + " outside "
                            + outW
                            + "x"
                            + outH);
        }
        boolean needHorizontal = outW != w;
        boolean needVertical = outH != h;
        Coefficients vert = needVertical ? coefficients(filter, h, outH) : null;

        // Source rows the vertical pass will read for the window rows.
        int rowFirst;
        int rowEnd;
        if (needVertical) {
            rowFirst = vert.bounds[y0 * 2];
            int last = y0 + winH - 1;
            rowEnd = vert.bounds[last * 2] + vert.bounds[last * 2 + 1];
            for (int yy = y0; yy < y0 + winH; yy++) { // bounds are monotone, but be safe
                rowFirst = Math.min(rowFirst, vert.bounds[yy * 2]);
                rowEnd = Math.max(rowEnd, vert.bounds[yy * 2] + vert.bounds[yy * 2 + 1]);
            }
        } else {
            rowFirst = y0;
            rowEnd = y0 + winH;
        }
        int rows = rowEnd - rowFirst;

        // Horizontal pass (or plain column copy) into temp: winW x rows.
        int[] temp = new int[winW * rows];
        if (needHorizontal) {
            Coefficients horiz = coefficients(filter, w, outW);
            int ksize = horiz.ksize;
            int[] hb = horiz.bounds;
            int[] hk = horiz.weights;
            for (int r = 0; r < rows; r++) {
                int rowBase = (rowFirst + r) * w;
                int outBase = r * winW;
                for (int xx = 0; xx < winW; xx++) {
                    int ox = x0 + xx;
                    int xmin = hb[ox * 2];
                    int count = hb[ox * 2 + 1];
                    int kBase = ox * ksize;
                    int s0 = HALF;
                    int s1 = HALF;
                    int s2 = HALF;
                    int p = rowBase + xmin;
                    for (int x = 0; x < count; x++) {
                        int px = src[p + x];
                        int kv = hk[kBase + x];
                        s0 += ((px >> 16) & 0xFF) * kv;
                        s1 += ((px >> 8) & 0xFF) * kv;
                        s2 += (px & 0xFF) * kv;
                    }
                    temp[outBase + xx] = (clip8(s0) << 16) | (clip8(s1) << 8) | clip8(s2);
                }
            }
        } else {
            for (int r = 0; r < rows; r++) {
                System.arraycopy(src, (rowFirst + r) * w + x0, temp, r * winW, winW);
            }
        }
        if (!needVertical) {
            return temp;
        }

        // Vertical pass, streaming rows: accumulate each tap row into per-column accumulators.
        int[] out = new int[winW * winH];
        int ksize = vert.ksize;
        int[] vb = vert.bounds;
        int[] vk = vert.weights;
        int[] a0 = new int[winW];
        int[] a1 = new int[winW];
        int[] a2 = new int[winW];
        for (int yy = 0; yy < winH; yy++) {
            int oy = y0 + yy;
            int ymin = vb[oy * 2] - rowFirst;
            int count = vb[oy * 2 + 1];
            int kBase = oy * ksize;
            java.util.Arrays.fill(a0, HALF);
            java.util.Arrays.fill(a1, HALF);
            java.util.Arrays.fill(a2, HALF);
            for (int y = 0; y < count; y++) {
                int kv = vk[kBase + y];
                int rowBase = (ymin + y) * winW;
                for (int xx = 0; xx < winW; xx++) {
                    int px = temp[rowBase + xx];
                    a0[xx] += ((px >> 16) & 0xFF) * kv;
                    a1[xx] += ((px >> 8) & 0xFF) * kv;
                    a2[xx] += (px & 0xFF) * kv;
                }
            }
            int outBase = yy * winW;
            for (int xx = 0; xx < winW; xx++) {
                out[outBase + xx] = (clip8(a0[xx]) << 16) | (clip8(a1[xx]) << 8) | clip8(a2[xx]);
            }
        }
        return out;
    }
}
