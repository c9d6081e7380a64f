package dev.clipsearch.core;

import java.util.Locale;

/**
 * How to load a model.
 *
 * @param device {@code "cpu"} (default), {@code "gpu"} (the first CUDA device; fails if DJL's
 *     PyTorch engine sees no GPU, i.e. no CUDA {@code pytorch-native-cu*} artifact on the class
 *     path or no visible device) or {@code "auto"} (a GPU if one is visible, else the CPU)
 * @param threads PyTorch intra-op threads for the whole process; 0 keeps PyTorch's default (one per
 *     physical core)
 */
public record ClipModelOptions(String device, int threads) {

    public ClipModelOptions {
        device = device == null ? "cpu" : device.trim().toLowerCase(Locale.ROOT);
        if (!device.equals("cpu") && !device.equals("gpu") && !device.equals("auto")) {
            throw new IllegalArgumentException(
                    "device must be cpu, gpu or auto, got '" + device + "'");
        }
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be >= 0, got " + threads);
        }
    }

    /** CPU, PyTorch's default thread count. */
    public static ClipModelOptions defaults() {
        return new ClipModelOptions("cpu", 0);
    }

    /** A copy with another device ({@code cpu}, {@code gpu} or {@code auto}). */
    public ClipModelOptions withDevice(String newDevice) {
        return new ClipModelOptions(newDevice, threads);
    }

    /** A copy with another thread count (0: PyTorch's default). */
    public ClipModelOptions withThreads(int newThreads) {
        return new ClipModelOptions(device, newThreads);
    }
}
