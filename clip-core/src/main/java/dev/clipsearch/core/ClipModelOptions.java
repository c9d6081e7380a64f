package dev.clipsearch.core;

import java.util.Locale;
import java.util.Objects;

/**
 * How to load a model.
 *
 * @param device {@code "cpu"} (default), {@code "gpu"} (the first CUDA device; fails if DJL's
 *     PyTorch engine sees no GPU, i.e. no CUDA {@code pytorch-native-cu*} artifact on the class
 *     path or no visible device) or {@code "auto"} (a GPU if one is visible, else the CPU)
 * @param threads PyTorch intra-op threads for the whole process; 0 keeps PyTorch's default (one per
 *     physical core)
 * @param precision the forward pass's number format (default {@link Precision#AUTO}: bf16 on CPUs
 *     with native bf16, else fp32); {@link ClipModel#precision()} tells the one in use
 */
public record ClipModelOptions(String device, int threads, Precision precision) {

    public ClipModelOptions {
        device = device == null ? "cpu" : device.trim().toLowerCase(Locale.ROOT);
        if (!device.equals("cpu") && !device.equals("gpu") && !device.equals("auto")) {
            throw new IllegalArgumentException(
                    "device must be cpu, gpu or auto, got '" + device + "'");
        }
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be >= 0, got " + threads);
        }
        Objects.requireNonNull(precision, "precision (FP32, BF16 or AUTO)");
    }

    /** A device and a thread count, with {@link Precision#AUTO}. */
    public ClipModelOptions(String device, int threads) {
        this(device, threads, Precision.AUTO);
    }

    /** CPU, PyTorch's default thread count, {@link Precision#AUTO}. */
    public static ClipModelOptions defaults() {
        return new ClipModelOptions("cpu", 0, Precision.AUTO);
    }

    /** A copy with another device ({@code cpu}, {@code gpu} or {@code auto}). */
    public ClipModelOptions withDevice(String newDevice) {
        return new ClipModelOptions(newDevice, threads, precision);
    }

    /** A copy with another thread count (0: PyTorch's default). */
    public ClipModelOptions withThreads(int newThreads) {
        return new ClipModelOptions(device, newThreads, precision);
    }

    /** A copy with another precision ({@code FP32}, {@code BF16} or {@code AUTO}). */
    public ClipModelOptions withPrecision(Precision newPrecision) {
        return new ClipModelOptions(device, threads, newPrecision);
    }
}
