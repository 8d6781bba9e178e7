package io.vigil.testsupport;

import io.vigil.model.ClockEventReason;
import io.vigil.model.GpuSample;
import io.vigil.model.Origin;

/** Sample builders for tests: a healthy busy H100 and variations of it. */
public final class GpuSamples {

    public static final long T0 = 1_790_000_000_000L;

    private GpuSamples() {}

    /** A busy, healthy H100 at 65 °C, slowdown at 89 °C, in job-1. */
    private static final java.util.concurrent.atomic.AtomicLong SEQUENCE = new java.util.concurrent.atomic.AtomicLong();

    public static GpuSample.Builder healthy(String host, int gpu, long ts) {
        return GpuSample.builder()
                .ts(ts).cluster("test").row("A").rack("A01").host(host).gpu(gpu)
                .uuid("GPU-" + host + "-" + gpu).model("NVIDIA H100 80GB HBM3").jobId("job-1").rank(gpu)
                .state(GpuSample.GpuState.OK)
                .gpuUtilPct(99.0).smActivePct(78.0).tensorActivePct(52.0).memUsedMiB(71_000.0).memTotalMiB(81_559.0)
                .gpuTempC(65.0).memTempC(72.0).slowdownTempC(89.0).shutdownTempC(92.0)
                .powerW(640.0).powerLimitW(700.0).energyJ(1.0e9).smClockMHz(1980.0).memClockMHz(2619.0)
                .clockEventReasons(0L).eccCorrected(0L).eccUncorrected(0L)
                .nvlinkTxBps(1.1e11).nvlinkRxBps(1.1e11).pcieTxBps(2.7e9).pcieRxBps(2.7e9)
                // As a collector stamps them: one sequence number per record, never reused.
                .origin(new Origin("test", 1, SEQUENCE.getAndIncrement()));
    }

    /** At {@code tempC} with software thermal slowdown active and the clock lowered. */
    public static GpuSample.Builder throttled(String host, int gpu, long ts, double tempC) {
        return healthy(host, gpu, ts).gpuTempC(tempC).smClockMHz(1500.0).powerW(520.0)
                .clockEventReasons(ClockEventReason.SW_THERMAL_SLOWDOWN.bit());
    }
}
