package io.vigil.collectors.nvml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vigil.collectors.OriginStamper;
import io.vigil.model.ClockEventReason;
import io.vigil.model.GpuSample;
import io.vigil.model.JobEvent;
import io.vigil.model.TelemetryRecord;
import io.vigil.model.TelemetryValidator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real JNA binding against a fake libnvidia-ml.so.1 (src/test/c/fake_nvml.c, compiled by the build with gcc),
 * with real child processes whose environment says which job and rank they are.
 */
class NvmlSourceTest {

    static final Path LIB = Path.of(System.getProperty("vigil.fake.nvml", "target/fake-nvml/libnvidia-ml.so.1"));
    static final long TS = 1_790_000_000_000L;
    final List<Process> children = new ArrayList<>();
    NvmlSource source;

    @BeforeEach
    void fakeLibraryBuilt() {
        String problem = "the fake NVML library was not built (no gcc on this machine): " + LIB;
        if ("true".equals(System.getenv("CI"))) {
            // CI installs gcc (.ci/run): a missing library there is a broken build, not a reason to skip.
            org.junit.jupiter.api.Assertions.assertTrue(Files.isRegularFile(LIB), problem);
        }
        assumeTrue(Files.isRegularFile(LIB), problem);
    }

    @AfterEach
    void cleanUp() {
        if (source != null) source.close();
        children.forEach(Process::destroyForcibly);
    }

    long child(Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("sleep", "120");
        pb.environment().putAll(env);
        Process p = pb.start();
        children.add(p);
        return p.pid();
    }

    void scenario(String... devices) throws Exception {
        Path file = Path.of(System.getenv("FAKE_NVML_SCENARIO"));
        Files.createDirectories(file.getParent());
        Files.writeString(file, String.join("\n", devices) + "\n");
    }

    static String device(String extra) {
        return "device name=NVIDIA_H100_80GB_HBM3 temp=71 slowdown=89 shutdown=92 power_mw=645500 limit_mw=700000"
                + " energy_mj=123456789 util=99 memutil=41 mem_total=85899345920 mem_used=76235669504 sm_clock=1980"
                + " mem_clock=2619 reasons=0 ecc_corr=2 ecc_uncorr=0 " + extra;
    }

    NvmlSource open() throws Exception {
        source = NvmlSource.open(LIB.toString(), new NvmlSource.Placement("dc1", "A", "A01", "node-3"),
                new OriginStamper("agent", 1), InstantSource.fixed(Instant.ofEpochMilli(TS)), ProcessAttribution.system());
        return source;
    }

    @Test
    void everyFieldComesThroughWithJobAndRankFromTheProcessEnvironment() throws Exception {
        long slurmRank = child(Map.of("SLURM_JOB_ID", "4242", "SLURM_PROCID", "7", "SLURM_NTASKS", "16",
                "SLURM_JOB_ACCOUNT", "vision", "POD_NAMESPACE", "ml-prod"));
        long torchRank = child(Map.of("TORCHELASTIC_RUN_ID", "elastic-1", "RANK", "3", "WORLD_SIZE", "8"));
        scenario(device("uuid=GPU-0 pcie_tx_kbps=2000 pcie_rx_kbps=1000 xids=48,79 nvlink_tx_rate_kib=1000 "
                        + "nvlink_rx_rate_kib=500 pids=" + slurmRank),
                device("uuid=GPU-1 reasons=96 temp=90 pids=" + torchRank),
                device("uuid=GPU-2 lost=1"),
                device("uuid=GPU-3 energy_mj=unsupported ecc_corr=unsupported nvlink_tx_rate_kib=unsupported"));
        List<TelemetryRecord> records = open().scrape();

        List<GpuSample> gpus = records.stream().filter(GpuSample.class::isInstance).map(GpuSample.class::cast).toList();
        assertThat(gpus).extracting(GpuSample::gpu).containsExactly(0, 1, 2, 3);
        GpuSample g0 = gpus.get(0);
        assertThat(g0.uuid()).isEqualTo("GPU-0");
        assertThat(g0.model()).isEqualTo("NVIDIA H100 80GB HBM3");
        assertThat(g0.gpuTempC()).isEqualTo(71.0);
        assertThat(g0.slowdownTempC()).isEqualTo(89.0);
        assertThat(g0.shutdownTempC()).isEqualTo(92.0);
        assertThat(g0.powerW()).isEqualTo(645.5);
        assertThat(g0.powerLimitW()).isEqualTo(700.0);
        assertThat(g0.energyJ()).isEqualTo(123456.789);
        assertThat(g0.gpuUtilPct()).isEqualTo(99.0);
        assertThat(g0.memTotalMiB()).isEqualTo(81920.0);
        assertThat(g0.smClockMHz()).isEqualTo(1980.0);
        assertThat(g0.eccCorrected()).isEqualTo(2L);
        assertThat(g0.pcieTxBps()).isEqualTo(2_048_000.0);
        assertThat(g0.pcieRxBps()).isEqualTo(1_024_000.0);
        // XID events arrive through the event set; the sample carries the latest one.
        assertThat(g0.lastXid()).isEqualTo(79);
        assertThat(g0.jobId()).isEqualTo("4242");
        assertThat(g0.rank()).isEqualTo(7);
        assertThat(g0.host()).isEqualTo("node-3");
        assertThat(g0.state()).isEqualTo(GpuSample.GpuState.OK);

        assertThat(gpus.get(1).jobId()).isEqualTo("elastic-1");
        assertThat(gpus.get(1).rank()).isEqualTo(3);
        assertThat(gpus.get(1).clockEventNames()).containsExactly(ClockEventReason.SW_THERMAL_SLOWDOWN.name(),
                ClockEventReason.HW_THERMAL_SLOWDOWN.name());

        GpuSample lost = gpus.get(2);
        assertThat(lost.state()).isEqualTo(GpuSample.GpuState.LOST);
        assertThat(lost.gpuTempC()).isNull();
        assertThat(lost.uuid()).isNull();

        GpuSample partial = gpus.get(3);
        assertThat(partial.energyJ()).isNull();
        assertThat(partial.eccCorrected()).isNull();
        assertThat(partial.gpuTempC()).isEqualTo(71.0);
        assertThat(partial.jobId()).isNull();
        assertThat(partial.lastXid()).isNull();
        assertThat(source.fieldErrors()).isZero();

        TelemetryValidator v = TelemetryValidator.withSystemClock();
        assertThat(records).allSatisfy(r -> assertThat(v.validate(r)).isNull());

        List<JobEvent> jobs = records.stream().filter(JobEvent.class::isInstance).map(JobEvent.class::cast).toList();
        assertThat(jobs).extracting(JobEvent::jobId, JobEvent::kind).containsExactly(
                org.assertj.core.groups.Tuple.tuple("4242", JobEvent.Kind.START),
                org.assertj.core.groups.Tuple.tuple("elastic-1", JobEvent.Kind.START));
        assertThat(jobs.get(0).ranks()).containsExactly(new JobEvent.RankAllocation(7, "node-3", 0, null));
        // Its owners, from the same environment, route its incidents.
        assertThat(jobs.get(0).account()).isEqualTo("vision");
        assertThat(jobs.get(0).namespace()).isEqualTo("ml-prod");
        assertThat(jobs.get(1).account()).isNull();

        // NVLink: the first scrape has no rate yet (counters only), the next has the rate since then.
        assertThat(g0.nvlinkTxBps()).isNull();

        // Nothing changed: no new job events, and each process was read once.
        List<TelemetryRecord> again = source.scrape();
        assertThat(again).noneMatch(JobEvent.class::isInstance);
        GpuSample g0Again = (GpuSample) again.get(0);
        assertThat(g0Again.nvlinkTxBps()).isEqualTo(1000 * 1024.0);
        assertThat(g0Again.nvlinkRxBps()).isEqualTo(500 * 1024.0);
        assertThat(((GpuSample) again.get(3)).nvlinkTxBps()).isNull();
    }

    @Test
    void theCollectCommandReadsNvmlFromItsConfig(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        long rank = child(Map.of("SLURM_JOB_ID", "99", "SLURM_PROCID", "0", "MY_JOB", "custom-7", "MY_RANK", "4"));
        scenario(device("uuid=GPU-a pids=" + rank), device("uuid=GPU-b"));
        Path cfg = dir.resolve("agent.yaml");
        // The variables that name job and rank are configurable: this site uses its own.
        Files.writeString(cfg, "collector: {id: agent-1, cluster: dc1}\nnvml: {library: " + LIB + ", host: gpu-host-9, rack: B02,"
                + " jobIdVariables: [MY_JOB], rankVariables: [MY_RANK]}\n");
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(), err = new java.io.ByteArrayOutputStream();
        int code = io.vigil.collectors.CollectCommand.run(new String[] {"--config", cfg.toString(), "--once", "--output", "-"},
                Map.of(), new java.io.PrintStream(out, true), new java.io.PrintStream(err, true));
        assertThat(code).as(err.toString()).isZero();
        List<String> lines = out.toString().lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).contains("\"host\":\"gpu-host-9\"").contains("\"jobId\":\"custom-7\"")
                .contains("\"rank\":4").contains("\"rack\":\"B02\"");
        assertThat(lines.get(2)).contains("\"schema\":\"vigil.job.v1\"").contains("\"kind\":\"START\"");
    }

    @Test
    void withMigOnEachInstanceIsItsOwnSampleWithItsOwnJob() throws Exception {
        long rank = child(Map.of("SLURM_JOB_ID", "555", "SLURM_PROCID", "2"));
        scenario(device("uuid=GPU-m migs=3 mig_pids=" + rank), device("uuid=GPU-n"));
        List<GpuSample> gpus = open().scrape().stream().filter(GpuSample.class::isInstance).map(GpuSample.class::cast).toList();
        assertThat(gpus).extracting(GpuSample::gpu, GpuSample::migInstance).containsExactly(
                org.assertj.core.groups.Tuple.tuple(0, null), org.assertj.core.groups.Tuple.tuple(0, 1),
                org.assertj.core.groups.Tuple.tuple(0, 2), org.assertj.core.groups.Tuple.tuple(0, 3),
                org.assertj.core.groups.Tuple.tuple(1, null));
        GpuSample first = gpus.get(1);
        assertThat(first.uuid()).isEqualTo("MIG-GPU-m-0");
        assertThat(first.memTotalMiB()).isEqualTo(81920.0 / 3, org.assertj.core.data.Offset.offset(0.01));
        assertThat(first.jobId()).isEqualTo("555");
        assertThat(first.rank()).isEqualTo(2);
        assertThat(first.gpuTempC()).isNull();
        assertThat(first.gpuKey()).endsWith("/0/mig1");
        assertThat(gpus.get(2).jobId()).isNull();
        assertThat(gpus.get(0).gpuTempC()).isEqualTo(71.0);
        assertThat(source.fieldErrors()).isZero();
    }

    @Test
    void aMissingLibraryIsOneClearMessage() {
        assertThatThrownBy(() -> NvmlSource.open("/nonexistent/libnvidia-ml.so.1",
                new NvmlSource.Placement("dc1", null, null, "n"), new OriginStamper("a", 1), InstantSource.system(),
                ProcessAttribution.system()))
                .isInstanceOf(NvmlSource.NvmlUnavailable.class)
                .hasMessageContaining("NVIDIA driver").hasMessageContaining("nvml.library");
    }
}
