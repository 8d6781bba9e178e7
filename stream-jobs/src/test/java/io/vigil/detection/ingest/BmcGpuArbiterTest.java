package io.vigil.detection.ingest;

import static io.vigil.testsupport.GpuSamples.T0;
import static io.vigil.testsupport.GpuSamples.healthy;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.GpuSample;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

class BmcGpuArbiterTest {

    static final Duration SETTLE = Duration.ofSeconds(30), TIMEOUT = Duration.ofMinutes(10);

    KeyedTwoInputStreamOperatorTestHarness<String, GpuPresence, GpuSample, GpuSample> harness() throws Exception {
        return ProcessFunctionTestHarnesses.forKeyedCoProcessFunction(new BmcGpuArbiter(SETTLE, TIMEOUT),
                p -> p.key, s -> GpuPresence.keyOf(s.cluster(), s.uuid()), Types.STRING);
    }

    static GpuSample bmc(int s) {
        return healthy("tray-1", 0, T0 + s * 1000L).source(GpuSample.Source.REDFISH).uuid("5B1D3C6E-0000").build();
    }

    static GpuPresence inBand(int s) {
        return new GpuPresence(GpuPresence.keyOf("test", "GPU-5b1d3c6e-0000"), T0 + s * 1000L);
    }

    @Test
    void aGpuOnlyItsBmcReportsIsJudgedOnceTheBmcHasReportedItAloneForTheSettleTime() throws Exception {
        try (var h = harness()) {
            for (int s = 0; s <= 60; s += 5) h.processElement2(bmc(s), T0 + s * 1000L);
            assertThat(h.extractOutputValues()).as("nothing is decided before the watermark passes it").isEmpty();
            h.processBothWatermarks(new Watermark(T0 + 60_000));
            assertThat(h.extractOutputValues()).extracting(GpuSample::ts)
                    .containsExactly(T0 + 30_000, T0 + 35_000, T0 + 40_000, T0 + 45_000, T0 + 50_000, T0 + 55_000,
                            T0 + 60_000);
        }
    }

    @Test
    void aGpuReportedInBandKeepsItsBmcSamplesOutAndTheBmcTakesOverOnlyAfterTheInBandStreamStops() throws Exception {
        try (var h = harness()) {
            for (int s = 0; s <= 60; s += 5) {
                h.processElement1(inBand(s), T0 + s * 1000L);
                h.processElement2(bmc(s), T0 + s * 1000L);
            }
            h.processBothWatermarks(new Watermark(T0 + 60_000));
            assertThat(h.extractOutputValues()).as("in band wins").isEmpty();
            // The in-band agent stops after 60 s: its last sample is older than the settle time from 90 s on.
            for (int s = 65; s <= 120; s += 5) h.processElement2(bmc(s), T0 + s * 1000L);
            h.processBothWatermarks(new Watermark(T0 + 120_000));
            assertThat(h.extractOutputValues()).extracting(GpuSample::ts).first().isEqualTo(T0 + 90_000);
        }
    }

    @Test
    void theBmcsSamplesArrivingBeforeTheInBandOnesOfTheSameTimeAreStillKeptOut() throws Exception {
        try (var h = harness()) {
            // The BMC's input read far ahead of the in-band input: the same decisions once the watermark passes.
            for (int s = 0; s <= 120; s += 5) h.processElement2(bmc(s), T0 + s * 1000L);
            for (int s = 0; s <= 120; s += 5) h.processElement1(inBand(s), T0 + s * 1000L);
            h.processBothWatermarks(new Watermark(T0 + 120_000));
            assertThat(h.extractOutputValues()).isEmpty();
        }
    }

    @Test
    void aGpuSilentOnBothSidesIsForgotten() throws Exception {
        try (var h = harness()) {
            h.processElement1(inBand(0), T0);
            h.processElement2(bmc(1), T0 + 1000);
            h.processBothWatermarks(new Watermark(T0 + 1000 + TIMEOUT.toMillis()));
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void theKeyIgnoresCaseAndThePrefix() {
        assertThat(GpuPresence.keyOf("c", "GPU-AbC")).isEqualTo(GpuPresence.keyOf("c", "abc"));
    }
}
