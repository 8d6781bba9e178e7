package io.vigil.collectors.bench;

import io.vigil.collectors.OriginStamper;
import io.vigil.collectors.nvml.NvmlSource;
import io.vigil.collectors.nvml.ProcessAttribution;
import io.vigil.model.TelemetryRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One NVML scrape of an 8-GPU host (every field, process attribution, XID drain) plus encoding its samples,
 * through the real JNA binding against the fake libnvidia-ml.so: Vigil's own CPU cost per scrape. The real
 * driver's calls cost more than the fake's, and that part is not Vigil's to optimise.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class NvmlScrapeBenchmark {

    public NvmlSource source;

    @Setup
    public void open() throws Exception {
        Path lib = Path.of(System.getProperty("vigil.fake.nvml", "collectors/target/fake-nvml/libnvidia-ml.so.1"));
        Path scenario = Path.of(System.getenv("FAKE_NVML_SCENARIO"));
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            b.append("device uuid=GPU-").append(i).append(" name=NVIDIA_H100_80GB_HBM3 temp=71 slowdown=89 shutdown=92")
                    .append(" power_mw=645500 limit_mw=700000 energy_mj=123456789 util=99 memutil=41")
                    .append(" mem_total=85899345920 mem_used=76235669504 sm_clock=1980 mem_clock=2619 reasons=0")
                    .append(" ecc_corr=2 ecc_uncorr=0 pcie_tx_kbps=2000 pcie_rx_kbps=1000 pids=")
                    .append(ProcessHandle.current().pid()).append('\n');
        }
        Files.createDirectories(scenario.getParent());
        Files.writeString(scenario, b);
        source = NvmlSource.open(lib.toString(), new NvmlSource.Placement("dc1", "A", "A01", "bench"),
                new OriginStamper("bench", 1), InstantSource.system(), ProcessAttribution.system());
    }

    @Benchmark
    public int scrapeAndEncode() throws Exception {
        List<TelemetryRecord> records = source.scrape();
        int bytes = 0;
        for (TelemetryRecord r : records) {
            bytes += io.vigil.model.WireFormat.encode(r).length;
        }
        return bytes;
    }

    @TearDown
    public void close() {
        source.close();
    }
}
