package io.vigil.collectors.slurm;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.Decoded;
import io.vigil.model.JobEvent;
import io.vigil.model.Schema;
import io.vigil.model.TelemetryValidator;
import io.vigil.model.WireFormat;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Slurm scripts run by bash with a Slurm-like environment and a stand-in kcat that records what it is given. */
class SlurmScriptsTest {

    static final Path SCRIPTS = Path.of("slurm");
    @TempDir Path bin;
    Path captured;

    @BeforeEach
    void fakeKcat() throws Exception {
        captured = bin.resolve("captured.txt");
        Path kcat = bin.resolve("kcat");
        Files.writeString(kcat, "#!/usr/bin/env bash\necho \"ARGS $*\" >> " + captured + "\ncat >> " + captured + "\n");
        kcat.toFile().setExecutable(true);
    }

    record Run(int code, String stdout) {}

    Run run(String script, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", SCRIPTS.resolve(script).toString());
        pb.environment().keySet().removeIf(k -> k.startsWith("SLURM") || k.startsWith("VIGIL") || k.equals("CUDA_VISIBLE_DEVICES"));
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        pb.environment().putAll(env);
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(p.waitFor(), out);
    }

    JobEvent published() throws Exception {
        String[] lines = Files.readString(captured).split("\n");
        assertThat(lines[0]).contains("-t vigil.jobs").contains("-b kafka-1:9092").contains("-k dc1/77");
        Decoded d = new WireFormat(TelemetryValidator.withSystemClock()).decode(lines[1].getBytes(StandardCharsets.UTF_8), Schema.JOB);
        assertThat(d.rejection()).isNull();
        return (JobEvent) d.record();
    }

    Map<String, String> slurm() {
        Map<String, String> env = new HashMap<>();
        env.put("VIGIL_KAFKA_BOOTSTRAP", "kafka-1:9092");
        env.put("VIGIL_CLUSTER", "dc1");
        env.put("SLURM_JOB_ID", "77");
        env.put("SLURM_JOB_NAME", "pretrain");
        env.put("SLURM_PROCID", "5");
        env.put("SLURMD_NODENAME", "gpu-n9");
        env.put("CUDA_VISIBLE_DEVICES", "2,3");
        env.put("SLURM_JOB_ACCOUNT", "vision");
        return env;
    }

    @Test
    void theTaskPrologPublishesTheRanksGpusAndPrintsNothingForSlurm() throws Exception {
        Run r = run("vigil-task-prolog.sh", slurm());
        assertThat(r.code()).isZero();
        assertThat(r.stdout()).isEmpty();
        JobEvent e = published();
        assertThat(e.jobId()).isEqualTo("77");
        assertThat(e.kind()).isEqualTo(JobEvent.Kind.START);
        assertThat(e.name()).isEqualTo("pretrain");
        // The owners route the job's incidents: the Slurm account, and the team (here the account).
        assertThat(e.account()).isEqualTo("vision");
        assertThat(e.team()).isEqualTo("vision");
        assertThat(e.ranks()).containsExactly(new JobEvent.RankAllocation(5, "gpu-n9", 2, null),
                new JobEvent.RankAllocation(5, "gpu-n9", 3, null));
    }

    @Test
    void theEpilogPublishesTheEnd() throws Exception {
        assertThat(run("vigil-epilog.sh", slurm()).code()).isZero();
        JobEvent e = published();
        assertThat(e.kind()).isEqualTo(JobEvent.Kind.END);
        assertThat(e.ranks()).isEmpty();
    }

    @Test
    void withoutConfigurationOrGpusNothingIsPublishedAndTheTaskIsNotFailed() throws Exception {
        Map<String, String> noKafka = slurm();
        noKafka.remove("VIGIL_KAFKA_BOOTSTRAP");
        assertThat(run("vigil-task-prolog.sh", noKafka).code()).isZero();
        Map<String, String> noGpu = slurm();
        noGpu.remove("CUDA_VISIBLE_DEVICES");
        assertThat(run("vigil-task-prolog.sh", noGpu).code()).isZero();
        assertThat(captured).doesNotExist();
    }
}
