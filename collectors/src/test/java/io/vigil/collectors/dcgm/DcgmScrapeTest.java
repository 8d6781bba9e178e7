package io.vigil.collectors.dcgm;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.collectors.OriginStamper;
import io.vigil.model.ClockEventReason;
import io.vigil.model.GpuSample;
import io.vigil.model.TelemetryValidator;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** Mapping of real dcgm-exporter output (copied from the shared test data, see resources/dcgm/README.md). */
class DcgmScrapeTest {

    static final long TS = 1_790_000_000_000L;
    static final DcgmScrape.Placement PLACEMENT = new DcgmScrape.Placement("dc1", "A", "A07", "fallback-host");
    static final TelemetryValidator VALIDATOR = new TelemetryValidator(
            Clock.fixed(Instant.ofEpochMilli(TS), ZoneOffset.UTC), Duration.ofMinutes(5));

    static String resource(String name) throws IOException {
        try (InputStream in = DcgmScrapeTest.class.getResourceAsStream("/dcgm/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void anEightH100NodeBecomesEightValidSamples() throws IOException {
        DcgmScrape.Result r = DcgmScrape.toSamples(resource("h100x8.prom"), TS, PLACEMENT, new OriginStamper("c", 1));
        assertThat(r.errors()).isEmpty();
        assertThat(r.samples()).hasSize(8).extracting(GpuSample::gpu).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        assertThat(r.samples()).extracting(GpuSample::gpuTempC).containsExactly(30.0, 29.0, 26.0, 29.0, 28.0, 26.0, 28.0, 26.0);
        GpuSample g0 = r.samples().get(0);
        assertThat(g0.host()).isEqualTo("gpu-node-1");
        assertThat(g0.uuid()).isEqualTo("GPU-c4529c8d-69c4-b61d-e0bc-7b2460096005");
        assertThat(g0.model()).isEqualTo("NVIDIA H100 80GB HBM3");
        assertThat(g0.powerW()).isEqualTo(113.611);
        assertThat(g0.gpuUtilPct()).isEqualTo(0.0);
        assertThat(g0.cluster()).isEqualTo("dc1");
        assertThat(g0.rack()).isEqualTo("A07");
        assertThat(g0.ts()).isEqualTo(TS);
        // Kubernetes attribution from the exporter's labels, where it has them (GPU 0 only in this scrape).
        assertThat(g0.pod()).isEqualTo("vllm-agg-0-vllmdecodeworker-s65j5");
        assertThat(g0.namespace()).isEqualTo("dynamo-workload");
        assertThat(g0.container()).isEqualTo("main");
        assertThat(r.samples().get(1).pod()).isNull();
        // Not in this scrape: absent, never zero.
        assertThat(g0.smClockMHz()).isNull();
        assertThat(g0.tensorActivePct()).isNull();
        assertThat(r.samples()).allSatisfy(s -> assertThat(VALIDATOR.validate(s)).isNull());
        assertThat(r.samples()).extracting(s -> s.origin().sequence()).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L);
        assertThat(r.unmappedFields()).containsExactly("DCGM_FI_DEV_MEM_COPY_UTIL");
    }

    @Test
    void anL4ScrapeWithProfilingFieldsMapsUnits() throws IOException {
        DcgmScrape.Result r = DcgmScrape.toSamples(resource("l4-aws.prom"), TS, PLACEMENT, new OriginStamper("c", 1));
        assertThat(r.errors()).isEmpty();
        GpuSample s = r.samples().get(0);
        assertThat(r.samples()).hasSize(1);
        assertThat(s.host()).isEqualTo("i-030791dc5a37cd257");
        assertThat(s.model()).isEqualTo("NVIDIA L4");
        assertThat(s.smClockMHz()).isEqualTo(210.0);
        assertThat(s.memClockMHz()).isEqualTo(405.0);
        assertThat(s.energyJ()).isEqualTo(4742.776);
        assertThat(s.tensorActivePct()).isEqualTo(0.0);
        assertThat(s.pcieTxBps()).isEqualTo(112603.0);
        assertThat(s.pcieRxBps()).isEqualTo(17544.0);
        assertThat(s.memUsedMiB()).isEqualTo(0.0);
        assertThat(s.memTotalMiB()).isEqualTo(22563.0 + 470.0);
        assertThat(s.lastXid()).isNull();
        assertThat(VALIDATOR.validate(s)).isNull();
        assertThat(r.unmappedFields()).doesNotContain("DCGM_FI_DEV_FB_FREE", "DCGM_FI_DEV_GPU_TEMP",
                "DCGM_FI_PROF_DRAM_ACTIVE", "DCGM_FI_DEV_PCIE_REPLAY_COUNTER", "DCGM_FI_DEV_ROW_REMAP_FAILURE",
                "DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS", "DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS");
        // The L4's GDDR6 has no temperature sensor: DCGM's 0 is "not supported", so the field is absent.
        assertThat(s.memTempC()).isNull();
        assertThat(s.gpuTempC()).isEqualTo(31.0);
        assertThat(s.source()).isEqualTo(GpuSample.Source.DCGM);
        assertThat(s.driverVersion()).isEqualTo("580.105.08");
        assertThat(s.pcieReplays()).isEqualTo(0L);
        assertThat(s.dramActivePct()).isNotNull().isBetween(0.0, 100.0);
        assertThat(s.rowRemapFailed()).isFalse();
        assertThat(s.remappedRowsCorrectable()).isEqualTo(0L);
    }

    @Test
    void profilingRatiosBecomePercentAndReasonsAreDecoded() {
        String body = """
                DCGM_FI_PROF_SM_ACTIVE{gpu="2",UUID="GPU-x"} 0.875
                DCGM_FI_PROF_PIPE_TENSOR_ACTIVE{gpu="2",UUID="GPU-x"} 0.5
                DCGM_FI_DEV_CLOCKS_EVENT_REASONS{gpu="2",UUID="GPU-x"} 96
                DCGM_FI_DEV_XID_ERRORS{gpu="2",UUID="GPU-x"} 79
                DCGM_FI_DEV_GPU_TEMP{gpu="2",UUID="GPU-x"} NaN
                DCGM_FI_DEV_GPU_TEMP{gpu="0",GPU_I_ID="1",UUID="GPU-mig"} 40
                DCGM_FI_DEV_GPU_TEMP{UUID="GPU-nogpu"} 40
                """;
        DcgmScrape.Result r = DcgmScrape.toSamples(body, TS, PLACEMENT, new OriginStamper("c", 1));
        assertThat(r.samples()).hasSize(2);
        GpuSample mig = r.samples().get(0);
        assertThat(mig.gpu()).isZero();
        assertThat(mig.migInstance()).isEqualTo(1);
        assertThat(mig.gpuTempC()).isEqualTo(40.0);
        assertThat(mig.gpuKey()).endsWith("/0/mig1");
        GpuSample s = r.samples().get(1);
        assertThat(s.migInstance()).isNull();
        assertThat(s.host()).isEqualTo("fallback-host");
        assertThat(s.smActivePct()).isEqualTo(87.5);
        assertThat(s.tensorActivePct()).isEqualTo(50.0);
        assertThat(s.clockEventNames()).containsExactly(ClockEventReason.SW_THERMAL_SLOWDOWN.name(),
                ClockEventReason.HW_THERMAL_SLOWDOWN.name());
        assertThat(s.lastXid()).isEqualTo(79);
        assertThat(s.gpuTempC()).isNull();
        assertThat(r.errors()).singleElement().satisfies(e -> assertThat(e.message()).contains("'gpu' label"));
    }
}
