package io.vigil.collectors.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.model.GpuSample;
import io.vigil.model.Origin;
import io.vigil.model.WireFormat;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encoding one fully populated GPU sample to its wire JSON: Vigil's encoder ({@code WireFormat.encode}: Jackson
 * data binding configured to leave absent fields out) against Jackson's default ObjectMapper, the obvious baseline.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class EncodeBenchmark {

    public GpuSample sample;
    public ObjectMapper defaultMapper;

    @Setup
    public void setUp() {
        sample = GpuSample.builder().ts(1_790_000_000_000L).cluster("dc1").row("A").rack("A07").host("gpu-node-17")
                .gpu(5).uuid("GPU-c4529c8d-69c4-b61d-e0bc-7b2460096005").model("NVIDIA H100 80GB HBM3").jobId("4242")
                .rank(37).state(GpuSample.GpuState.OK).gpuUtilPct(99.0).smActivePct(78.4).tensorActivePct(52.1)
                .memUsedMiB(71000.0).memTotalMiB(81559.0).gpuTempC(71.3).memTempC(78.3).slowdownTempC(89.0)
                .shutdownTempC(92.0).powerW(645.2).powerLimitW(700.0).energyJ(1.234567e9).smClockMHz(1980.0)
                .memClockMHz(2619.0).clockEventReasons(0L).eccCorrected(2L).eccUncorrected(0L)
                .nvlinkTxBps(1.1e11).nvlinkRxBps(1.1e11).pcieTxBps(2.7e9).pcieRxBps(2.7e9)
                .origin(new Origin("agent-gpu-node-17", 1_790_000_000_000L, 123456))
                .source(GpuSample.Source.DCGM).serial("1654925000100").driverVersion("580.105.08").coreVoltageV(0.85)
                .dramActivePct(41.0).powerThrottleSeconds(12.5).thermalThrottleSeconds(0.0).hwThrottleSeconds(1.5)
                .swThrottleSeconds(180.0).pcieReplays(7L).pcieCorrectableErrors(3L).pcieUncorrectableErrors(0L)
                .remappedRowsCorrectable(1L).remappedRowsUncorrectable(0L).rowRemapPending(false)
                .rowRemapFailed(false).build();
        defaultMapper = new ObjectMapper();
    }

    @Benchmark
    public byte[] vigilEncoder() {
        return WireFormat.encode(sample);
    }

    @Benchmark
    public byte[] defaultObjectMapper() throws Exception {
        return defaultMapper.writeValueAsBytes(sample);
    }
}
