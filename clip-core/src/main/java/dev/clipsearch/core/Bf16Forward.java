package dev.clipsearch.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * The bf16 forward pass of both towers: each tower is one TorchScript module generated from {@code
 * config.json} (written by {@link TorchScriptArchive}, loaded through DJL), so a batch is one
 * native call. DJL 0.36 cannot hold bf16 arrays (its JNI aborts on the dtype), but TorchScript can:
 * the matrix weights (and their biases) are cast to bf16 once, by a generated cast module, and kept
 * as one opaque TorchScript list handed to every call; layer norm weights and embeddings stay fp32.
 *
 * <p>Inside, the casts follow {@code torch.autocast("cpu", torch.bfloat16)}: the patch embedding,
 * every linear layer, both attention products and the projections run in bf16; layer norms, the
 * softmax (on fp32 scores), residual sums (fp32 + bf16 promotes to fp32), pooling, the projection
 * output and, in Java, the final normalisation are fp32. The same shortcuts as the fp32 path apply:
 * fused QKV with the attention scale folded in, the class embedding folded into the positions, text
 * cut at the pooled token, and in the last layer the out projection and MLP on pooled rows only.
 */
final class Bf16Forward implements AutoCloseable {

    private static final int BF16 = 15; // c10::ScalarType::BFloat16
    private static final int FP32 = 6; // c10::ScalarType::Float

    /** Matrix weights and biases per layer, in {@link #layerCalls} order. */
    static final int MATMUL_PER_LAYER = 8;

    /** Layer norm weights and biases per layer. */
    static final int NORMS_PER_LAYER = 4;

    private final PtNDManager manager;
    private final PtSymbolBlock vision;
    private final PtSymbolBlock text;
    private final IValue visionBf16;
    private final IValue visionFp32;
    private final IValue textBf16;
    private final IValue textFp32;

    /**
     * Generates and loads the modules and casts the weights.
     *
     * @param visionMatmul patch weight [H, C*p*p], per layer {@value #MATMUL_PER_LAYER} (qkv
     *     weight, bias, out weight, bias, fc1 weight, bias, fc2 weight, bias), the projection
     * @param visionFloat positions (class embedding in row 0), pre-LN weight, bias, per layer
     *     {@value #NORMS_PER_LAYER} (LN1 weight, bias, LN2 weight, bias), post-LN weight, bias
     * @param textMatmul per layer {@value #MATMUL_PER_LAYER}, the projection
     * @param textFloat token embedding, position embedding, per layer {@value #NORMS_PER_LAYER},
     *     final LN weight, bias
     */
    Bf16Forward(
            NDManager parent,
            ClipConfig config,
            List<NDArray> visionMatmul,
            List<NDArray> visionFloat,
            List<NDArray> textMatmul,
            List<NDArray> textFloat) {
        manager = (PtNDManager) parent.newSubManager();
        List<AutoCloseable> opened = new ArrayList<>();
        boolean ok = false;
        try {
            PtSymbolBlock cast = load("CastToBf16", castCode());
            opened.add(cast);
            vision = load("VisionTowerBf16", visionCode(config));
            opened.add(vision);
            text = load("TextTowerBf16", textCode(config));
            opened.add(text);
            visionBf16 = castAll(cast, visionMatmul);
            opened.add(visionBf16);
            textBf16 = castAll(cast, textMatmul);
            opened.add(textBf16);
            visionFp32 = list(visionFloat);
            opened.add(visionFp32);
            textFp32 = list(textFloat);
            opened.add(textFp32);
            cast.close();
            ok = true;
        } finally {
            if (!ok) {
                for (AutoCloseable c : opened) {
                    try {
                        c.close();
                    } catch (Exception ignored) {
                        // already failing
                    }
                }
                manager.close();
            }
        }
    }

    private PtSymbolBlock load(String className, String code) {
        return loadInto(manager, className, code);
    }

    private static PtSymbolBlock loadInto(PtNDManager manager, String className, String code) {
        byte[] archive = TorchScriptArchive.module(className, code);
        try {
            PtSymbolBlock block =
                    JniUtils.loadModule(manager, new ByteArrayInputStream(archive), false, false);
            JniUtils.enableInferenceMode(block);
            return block;
        } catch (IOException e) {
            throw new ModelLoadException("cannot load the generated bf16 module " + className, e);
        } catch (RuntimeException e) {
            throw new ModelLoadException(
                    "PyTorch rejected the generated bf16 module "
                            + className
                            + ": "
                            + e.getMessage()
                            + " (use Precision.FP32 to work around it)",
                    e);
        }
    }

    private static IValue list(List<NDArray> arrays) {
        return IValue.listFrom(arrays.stream().map(a -> (PtNDArray) a).toArray(PtNDArray[]::new));
    }

    private static IValue castAll(PtSymbolBlock cast, List<NDArray> arrays) {
        try (IValue in = list(arrays)) {
            return cast.forward(in);
        }
    }

    /**
     * Projected image features, flat [batch * projection_dim].
     *
     * @param pixels CHW per image, already checked against the config
     */
    float[] images(float[] pixels, int batch, int channels, int size) {
        try (PtNDManager call = (PtNDManager) manager.newSubManager()) {
            PtNDArray x = (PtNDArray) call.create(pixels, new Shape(batch, channels, size, size));
            try (IValue in = IValue.from(x);
                    IValue out = vision.forward(in, visionBf16, visionFp32)) {
                return out.toTensor(call).toFloatArray();
            }
        }
    }

    /**
     * Projected text features, flat [batch * projection_dim].
     *
     * @param ids [batch, length] token ids
     * @param gather flat row index ({@code b * length + pooled position}) per sequence
     * @param mask [length, length] causal mask (0 on and below the diagonal, -inf above)
     */
    float[] texts(long[] ids, int batch, int length, long[] gather, float[] mask) {
        try (PtNDManager call = (PtNDManager) manager.newSubManager()) {
            PtNDArray idArray = (PtNDArray) call.create(ids, new Shape(batch, length));
            PtNDArray gatherArray = (PtNDArray) call.create(gather);
            PtNDArray maskArray = (PtNDArray) call.create(mask, new Shape(length, length));
            try (IValue i = IValue.from(idArray);
                    IValue g = IValue.from(gatherArray);
                    IValue m = IValue.from(maskArray);
                    IValue out = text.forward(i, g, m, textBf16, textFp32)) {
                return out.toTensor(call).toFloatArray();
            }
        }
    }

    @Override
    public void close() {
        for (IValue v : List.of(visionBf16, visionFp32, textBf16, textFp32)) {
            v.close();
        }
        vision.close();
        text.close();
        manager.close();
    }

    /**
     * bf16 GFLOP/s of {@code size x size} matrix products, both operands cast to bf16 once, inside
     * a generated TorchScript module (what the bf16 towers' linear layers do), for about {@code
     * millis} milliseconds after a warm-up.
     */
    static double matmulGflops(int size, long millis) {
        try (PtNDManager manager =
                (PtNDManager) DjlEnvironment.engine().newBaseManager(ai.djl.Device.cpu())) {
            PtSymbolBlock cast = loadInto(manager, "CastToBf16", castCode());
            String cls = "MatMulBf16";
            PtSymbolBlock product =
                    loadInto(
                            manager,
                            cls,
                            header(cls)
                                    + "  def forward(self: __torch__."
                                    + cls
                                    + ",\n    ab: List[Tensor]) -> Tensor:\n"
                                    + "    return torch.matmul(ab[0], ab[1])\n");
            NDArray a = manager.randomUniform(-1f, 1f, new Shape(size, size));
            NDArray b = manager.randomUniform(-1f, 1f, new Shape(size, size));
            try (IValue operands = castAll(cast, List.of(a, b))) {
                for (int i = 0; i < 3; i++) {
                    product.forward(operands).close();
                }
                long start = System.nanoTime();
                long deadline = start + millis * 1_000_000L;
                int products = 0;
                long now;
                do {
                    product.forward(operands).close(); // a bf16 result: never read into Java
                    products++;
                    now = System.nanoTime();
                } while (now < deadline);
                double seconds = (now - start) / 1e9;
                return 2.0 * size * size * (double) size * products / seconds / 1e9;
            } finally {
                cast.close();
                product.close();
            }
        }
    }

    // ---- TorchScript source, as torch.jit.save writes it (dtypes as c10::ScalarType numbers) ----

    private static String header(String className) {
        return "class "
                + className
                + "(Module):\n"
                + "  __parameters__ = []\n"
                + "  __buffers__ = []\n"
                + "  training : bool\n"
                + "  _is_full_backward_hook : Optional[bool]\n";
    }

    static String castCode() {
        return header("CastToBf16")
                + "  def forward(self: __torch__.CastToBf16,\n"
                + "    weights: List[Tensor]) -> List[Tensor]:\n"
                + "    out = annotate(List[Tensor], [])\n"
                + "    for w in weights:\n"
                + "      _0 = torch.append(out, torch.to(w, "
                + BF16
                + "))\n"
                + "    return out\n";
    }

    /**
     * The class header and {@code forward(self, INPUTS..., wb: List[Tensor], wf: List[Tensor]) ->
     * Tensor:} of a tower.
     */
    private static StringBuilder forwardHeader(String cls, String... inputs) {
        StringBuilder s = new StringBuilder(header(cls));
        s.append("  def forward(self: __torch__.").append(cls).append(",\n");
        for (String input : inputs) {
            s.append("    ").append(input).append(": Tensor,\n");
        }
        return s.append("    wb: List[Tensor],\n    wf: List[Tensor]) -> Tensor:\n");
    }

    static String visionCode(ClipConfig config) {
        ClipConfig.VisionConfig v = config.vision();
        String cls = "VisionTowerBf16";
        int h = v.hiddenSize();
        int c = v.numChannels();
        int p = v.patchSize();
        int g = v.gridSize();
        int layers = v.numLayers();
        String eps = literal(v.layerNormEps());
        StringBuilder s = forwardHeader(cls, "pixels");
        s.append("    b = torch.size(pixels, 0)\n")
                .append(
                        String.format(
                                "    grid = torch.reshape(pixels, [b, %d, %d, %d, %d, %d])\n",
                                c, g, p, g, p))
                .append(
                        String.format(
                                "    patches = torch.reshape(torch.permute(grid, [0, 2, 4, 1, 3,"
                                        + " 5]), [b, %d, %d])\n",
                                g * g, c * p * p))
                .append("    emb = torch.linear(torch.to(patches, " + BF16 + "), wb[0], None)\n")
                .append("    x0 = torch.add(torch.constant_pad_nd(emb, [0, 0, 1, 0], 0.), wf[0])\n")
                .append("    x = torch.layer_norm(x0, [" + h + "], wf[1], wf[2], " + eps + ")\n");
        layerCalls(s, layers, 1, 3, "", "torch.select(x, 1, 0)", "torch.select(ctx, 1, 0)");
        int post = 3 + NORMS_PER_LAYER * layers;
        int projection = 1 + MATMUL_PER_LAYER * layers;
        finish(s, h, eps, post, projection);
        methods(s, cls, h, v.numHeads(), eps, v.hiddenAct(), false);
        return s.toString();
    }

    static String textCode(ClipConfig config) {
        ClipConfig.TextConfig t = config.text();
        String cls = "TextTowerBf16";
        int h = t.hiddenSize();
        int layers = t.numLayers();
        String eps = literal(t.layerNormEps());
        StringBuilder s = forwardHeader(cls, "ids", "gather", "mask");
        s.append("    t = torch.size(ids, 1)\n")
                .append(
                        "    x = torch.add(torch.embedding(wf[0], ids), torch.slice(wf[1], 0, 0,"
                                + " t))\n");
        layerCalls(
                s,
                layers,
                0,
                2,
                ", mask",
                "torch.index_select(torch.reshape(x, [-1, " + h + "]), 0, gather)",
                "torch.index_select(torch.reshape(ctx, [-1, " + h + "]), 0, gather)");
        int post = 2 + NORMS_PER_LAYER * layers;
        int projection = MATMUL_PER_LAYER * layers;
        finish(s, h, eps, post, projection);
        methods(s, cls, h, t.numHeads(), eps, t.hiddenAct(), true);
        return s.toString();
    }

    /**
     * All encoder layers on {@code x}; the last one leaves the pooled rows in {@code y}.
     *
     * @param wb index of the first layer's first matrix weight in {@code wb}
     * @param wf index of the first layer's first norm weight in {@code wf}
     */
    private static void layerCalls(
            StringBuilder s,
            int layers,
            int wb,
            int wf,
            String maskArg,
            String pooledX,
            String pooledContext) {
        for (int i = 0; i < layers; i++) {
            int b = wb + MATMUL_PER_LAYER * i;
            int f = wf + NORMS_PER_LAYER * i;
            s.append(
                    String.format(
                            "    ctx = self.attention(x, wf[%d], wf[%d], wb[%d], wb[%d]%s)\n",
                            f, f + 1, b, b + 1, maskArg));
            String rest =
                    String.format(
                            "wb[%d], wb[%d], wf[%d], wf[%d], wb[%d], wb[%d], wb[%d], wb[%d])",
                            b + 2, b + 3, f + 2, f + 3, b + 4, b + 5, b + 6, b + 7);
            if (i < layers - 1) {
                s.append("    x = self.feed_forward(x, ctx, ").append(rest).append('\n');
            } else {
                // the last layer: out projection and MLP only on the pooled rows
                s.append("    y = self.feed_forward(")
                        .append(pooledX)
                        .append(", ")
                        .append(pooledContext)
                        .append(", ")
                        .append(rest)
                        .append('\n');
            }
        }
    }

    private static void finish(StringBuilder s, int h, String eps, int post, int projection) {
        s.append(
                        String.format(
                                "    pooled = torch.layer_norm(y, [%d], wf[%d], wf[%d], %s)\n",
                                h, post, post + 1, eps))
                .append(
                        String.format(
                                "    out = torch.linear(torch.to(pooled, %d), wb[%d], None)\n",
                                BF16, projection))
                .append("    return torch.to(out, " + FP32 + ")\n");
    }

    private static void methods(
            StringBuilder s,
            String cls,
            int hidden,
            int heads,
            String eps,
            ClipConfig.Activation act,
            boolean masked) {
        int d = hidden / heads;
        s.append("  def attention(self: __torch__.")
                .append(cls)
                .append(",\n    x: Tensor,\n    ln_w: Tensor,\n    ln_b: Tensor,\n")
                .append("    qkv_w: Tensor,\n    qkv_b: Tensor")
                .append(masked ? ",\n    mask: Tensor" : "")
                .append(") -> Tensor:\n")
                .append("    b = torch.size(x, 0)\n")
                .append("    t = torch.size(x, 1)\n")
                .append(
                        String.format(
                                "    h = torch.to(torch.layer_norm(x, [%d], ln_w, ln_b, %s), %d)\n",
                                hidden, eps, BF16))
                .append("    qkv = torch.linear(h, qkv_w, qkv_b)\n")
                .append(
                        String.format(
                                "    split = torch.permute(torch.reshape(qkv, [b, t, 3, %d, %d]),"
                                        + " [2, 0, 3, 1, 4])\n",
                                heads, d))
                .append("    q = torch.select(split, 0, 0)\n")
                .append("    k = torch.select(split, 0, 1)\n")
                .append("    v = torch.select(split, 0, 2)\n")
                .append(
                        "    scores = torch.to(torch.matmul(q, torch.transpose(k, -1, -2)), "
                                + FP32
                                + ")\n");
        if (masked) {
            s.append("    scores = torch.add(scores, mask)\n");
        }
        s.append("    weights = torch.to(torch.softmax(scores, -1), " + BF16 + ")\n")
                .append("    context = torch.matmul(weights, v)\n")
                .append(
                        String.format(
                                "    return torch.reshape(torch.permute(context, [0, 2, 1, 3]), [b,"
                                        + " t, %d])\n",
                                hidden));
        s.append("  def feed_forward(self: __torch__.")
                .append(cls)
                .append(",\n    x: Tensor,\n    ctx: Tensor,\n")
                .append("    out_w: Tensor,\n    out_b: Tensor,\n")
                .append("    ln_w: Tensor,\n    ln_b: Tensor,\n")
                .append("    fc1_w: Tensor,\n    fc1_b: Tensor,\n")
                .append("    fc2_w: Tensor,\n    fc2_b: Tensor) -> Tensor:\n")
                .append("    x1 = torch.add(x, torch.linear(ctx, out_w, out_b))\n")
                .append(
                        String.format(
                                "    h = torch.to(torch.layer_norm(x1, [%d], ln_w, ln_b, %s), %d)\n",
                                hidden, eps, BF16))
                .append("    f = torch.linear(h, fc1_w, fc1_b)\n");
        if (act == ClipConfig.Activation.GELU) {
            s.append("    a = torch.gelu(f)\n");
        } else {
            s.append("    a = torch.mul(f, torch.sigmoid(torch.mul(f, 1.702)))\n");
        }
        s.append("    return torch.add(x1, torch.linear(a, fc2_w, fc2_b))\n");
    }

    /** A Python float literal. */
    private static String literal(double value) {
        String plain = BigDecimal.valueOf(value).toPlainString();
        return plain.contains(".") ? plain : plain + ".";
    }
}
