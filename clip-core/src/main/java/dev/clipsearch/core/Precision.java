package dev.clipsearch.core;

import java.util.Set;

/**
 * The number format of the encoders' forward pass.
 *
 * <ul>
 *   <li>{@link #FP32}: everything in float32, the exact path (embeddings within 1e-3 of
 *       transformers' {@code CLIPModel}).
 *   <li>{@link #BF16}: what {@code torch.autocast("cpu", torch.bfloat16)} does: matrix products
 *       (linear layers, attention, the patch embedding, the projections) in bfloat16 with weights
 *       held in bfloat16; layer norms, softmax, residual sums, pooling, the projection output and
 *       the final normalisation in float32. About three times faster on CPUs with native bf16
 *       ({@code avx512_bf16}, {@code amx_bf16}); cosine to FP32 above 0.999. Works on any CPU, but
 *       PyTorch emulates bf16 where it is not native, which is slower than FP32.
 *   <li>{@link #AUTO}: BF16 on a CPU with native bf16, else FP32. {@link ClipModel#precision()}
 *       tells which one a loaded model uses.
 * </ul>
 */
public enum Precision {
    /** float32 throughout: the exact path. */
    FP32,
    /** bfloat16 matrix products, float32 everything else (autocast semantics). */
    BF16,
    /** BF16 where the CPU has native bf16 instructions, else FP32. */
    AUTO;

    /**
     * The precision a model loaded on a CPU of these {@code /proc/cpuinfo} flags actually uses:
     * {@link #AUTO} becomes {@link #BF16} when the CPU has native bf16 ({@code avx512_bf16} or
     * {@code amx_bf16}) and the model runs on the CPU, else {@link #FP32}; explicit choices stay.
     */
    /**
     * What this precision becomes for a model on this machine's CPU: {@link #AUTO} resolved from
     * {@code /proc/cpuinfo}, explicit choices unchanged. Lets an application say which precision it
     * will use before it loads a model.
     */
    public Precision onThisCpu() {
        return resolve(CpuFeatures.current(), true);
    }

    Precision resolve(Set<String> cpuFlags, boolean onCpu) {
        if (this != AUTO) {
            return this;
        }
        return onCpu && CpuFeatures.hasNativeBf16(cpuFlags) ? BF16 : FP32;
    }
}
