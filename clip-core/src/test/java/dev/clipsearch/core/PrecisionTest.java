package dev.clipsearch.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How {@link Precision#AUTO} is resolved, from injected CPU flags: no special CPU needed. */
class PrecisionTest {

    private static final Set<String> SAPPHIRE_RAPIDS =
            Set.of("avx2", "avx512f", "avx512_bf16", "amx_bf16", "amx_tile");
    private static final Set<String> COOPER_LAKE = Set.of("avx2", "avx512f", "avx512_bf16");
    private static final Set<String> AMX_ONLY = Set.of("avx2", "amx_bf16");
    private static final Set<String> SKYLAKE = Set.of("sse4_2", "avx2", "avx512f", "avx512bw");
    private static final Set<String> NONE = Set.of();

    @Test
    void autoIsBf16OnlyOnACpuWithNativeBf16() {
        assertThat(Precision.AUTO.resolve(SAPPHIRE_RAPIDS, true)).isEqualTo(Precision.BF16);
        assertThat(Precision.AUTO.resolve(COOPER_LAKE, true)).isEqualTo(Precision.BF16);
        assertThat(Precision.AUTO.resolve(AMX_ONLY, true)).isEqualTo(Precision.BF16);
        assertThat(Precision.AUTO.resolve(SKYLAKE, true)).isEqualTo(Precision.FP32);
        assertThat(Precision.AUTO.resolve(NONE, true)).isEqualTo(Precision.FP32);
        // not on the CPU (a GPU): the CPU's flags say nothing, AUTO stays exact
        assertThat(Precision.AUTO.resolve(SAPPHIRE_RAPIDS, false)).isEqualTo(Precision.FP32);
    }

    @Test
    void explicitChoicesAreKeptWhateverTheCpu() {
        for (Set<String> flags : List.of(SAPPHIRE_RAPIDS, SKYLAKE, NONE)) {
            assertThat(Precision.BF16.resolve(flags, true)).isEqualTo(Precision.BF16);
            assertThat(Precision.FP32.resolve(flags, true)).isEqualTo(Precision.FP32);
        }
    }

    @Test
    void cpuinfoFlagsAreParsedFromTheFirstProcessor(@TempDir Path temp) throws Exception {
        Path cpuinfo = temp.resolve("cpuinfo");
        Files.writeString(
                cpuinfo,
                "processor\t: 0\n"
                        + "vendor_id\t: GenuineIntel\n"
                        + "model name\t: Intel(R) Xeon(R) Platinum 8480+\n"
                        + "flags\t\t: fpu vme sse avx2 avx512f AVX512_BF16 amx_tile\n"
                        + "\n"
                        + "processor\t: 1\n"
                        + "flags\t\t: fpu\n");
        Set<String> flags = CpuFeatures.read(cpuinfo);
        assertThat(flags).contains("avx512_bf16", "amx_tile", "avx2").doesNotContain("");
        assertThat(CpuFeatures.hasNativeBf16(flags)).isTrue();
        assertThat(CpuFeatures.parse(List.of("flags : fpu avx2 avx512f"))).hasSize(3);
        assertThat(CpuFeatures.hasNativeBf16(CpuFeatures.parse(List.of("flags : avx2")))).isFalse();
        // no /proc/cpuinfo (not Linux): no flags, so AUTO means FP32
        assertThat(CpuFeatures.read(temp.resolve("missing"))).isEmpty();
        assertThat(Precision.AUTO.resolve(CpuFeatures.read(temp.resolve("missing")), true))
                .isEqualTo(Precision.FP32);
    }

    @Test
    void optionsDefaultToAutoAndKeepTheirOldConstructor() {
        assertThat(ClipModelOptions.defaults().precision()).isEqualTo(Precision.AUTO);
        assertThat(new ClipModelOptions("cpu", 2).precision()).isEqualTo(Precision.AUTO);
        ClipModelOptions o =
                ClipModelOptions.defaults().withThreads(3).withPrecision(Precision.BF16);
        assertThat(o.precision()).isEqualTo(Precision.BF16);
        assertThat(o.threads()).isEqualTo(3);
        assertThat(o.withDevice("auto").precision()).isEqualTo(Precision.BF16);
        assertThatThrownBy(() -> new ClipModelOptions("cpu", 0, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("precision");
    }

    @Test
    void aModelLoadedWithAutoReportsWhatThisCpuGets(@TempDir Path temp) {
        Precision expected = Precision.AUTO.resolve(CpuFeatures.current(), true);
        try (ClipModel model =
                ClipModels.load(TestModels.tinyClip(temp), ClipModelOptions.defaults())) {
            assertThat(model.precision()).isEqualTo(expected).isNotEqualTo(Precision.AUTO);
            assertThat(model.textEncoder().encode("a photo of a cat")).hasSize(512);
        }
    }
}
