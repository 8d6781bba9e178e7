package io.vigil.launcher.cluster;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.util.config.memory.ProcessMemoryUtils;

/**
 * How Vigil runs Flink's own processes (JobManager, TaskManagers, the submitting client) from the launcher's jars,
 * as Flink's start scripts would: the same for {@code ./vigil cluster} and for the containers of
 * {@code docker-compose.yml}, so both run the session cluster the tests run.
 */
public final class FlinkProcesses {

    private FlinkProcesses() {}

    public static final String JOBMANAGER_MAIN = "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    public static final String TASKMANAGER_MAIN = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";

    /**
     * What Flink's own start scripts give every Flink JVM on Java 17: Flink (Kryo, its serializers, the DataStream
     * translators) reflects into these packages.
     */
    public static final List<String> JVM_OPENS = Stream.of("java.lang", "java.lang.reflect", "java.net", "java.io",
            "java.nio", "sun.nio.ch", "java.text", "java.time", "java.util", "java.util.concurrent",
            "java.util.concurrent.atomic", "java.util.concurrent.locks")
            .map(p -> "--add-opens=java.base/" + p + "=ALL-UNNAMED").toList();

    /**
     * The class path of Flink's own processes: the launcher's, less what a job jar brings itself (Kafka's client and
     * connector, Jackson, Vigil's modules). As with a Flink distribution's lib/, a job's classes then come from its
     * jar alone; with both, the user class loader and the system one would each load a Kafka client and the job would
     * not link.
     */
    public static String classpath() {
        List<String> keep = new ArrayList<>();
        for (String entry : Classpath.entries()) {
            String file = Path.of(entry).getFileName().toString();
            boolean framework = (file.startsWith("flink-") && !file.startsWith("flink-connector-kafka"))
                    || Stream.of("log4j-", "slf4j-", "commons-", "kryo", "minlog", "objenesis", "reflectasm",
                    "snakeyaml-engine", "jsr305", "javassist", "async-profiler").anyMatch(file::startsWith)
                    || file.startsWith("vigil-launcher") || entry.endsWith("launcher/target/classes")
                    // the metrics reporter's text format (no Kafka client in it)
                    || file.startsWith("vigil-model") || entry.endsWith("model/target/classes");
            if (framework) keep.add(entry);
        }
        return String.join(java.io.File.pathSeparator, keep);
    }

    /**
     * The session cluster's settings apart from addresses: checkpoints retained under {@code checkpointsUri} (so a
     * resubmitted job resumes), failures noticed in seconds, restarts backing off, state on the heap.
     */
    public static Map<String, String> sessionSettings(String checkpointsUri, Path tmpDir, int taskSlots,
                                                      String taskManagerMemory) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("jobmanager.memory.process.size", "768m");
        c.put("taskmanager.numberOfTaskSlots", String.valueOf(taskSlots));
        c.put("taskmanager.memory.process.size", taskManagerMemory);
        // No RocksDB: the jobs keep their state on the heap, so little managed memory.
        c.put("taskmanager.memory.managed.fraction", "0.05");
        // Tasks spread over the TaskManagers instead of filling the first: losing one TaskManager is then a failure
        // every job sees, as on a real cluster.
        c.put("taskmanager.load-balance.mode", "SLOTS");
        c.put("execution.checkpointing.dir", checkpointsUri);
        c.put("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
        c.put("execution.checkpointing.num-retained", "3");
        // Enough recent checkpoints in the REST API (default 10) to find the slow ones of the last half hour.
        c.put("web.checkpoints.history", "1000");
        // Every failure of a job in its exception history (default 16), so a run of many can be counted.
        c.put("web.exception-history-size", "1000");
        // A TaskManager killed -9 is noticed in seconds, not the default 50 s, so a job restarts quickly.
        c.put("heartbeat.interval", "2000");
        c.put("heartbeat.timeout", "10000");
        c.put("restart-strategy.type", "exponential-delay");
        c.put("restart-strategy.exponential-delay.initial-backoff", "1 s");
        c.put("restart-strategy.exponential-delay.max-backoff", "10 s");
        c.put("io.tmp.dirs", tmpDir.toString());
        c.put("web.tmpdir", tmpDir.toString());
        return c;
    }

    /**
     * Vigil's Prometheus reporter ({@link io.vigil.launcher.metrics.PrometheusEndpointReporter}) on {@code host}, at
     * the first free port of {@code ports} (one port, or a range {@code FROM-TO} for several Flink processes on one
     * machine): Vigil's counters as {@code vigil_*}, Flink's as {@code flink_*}.
     */
    public static Map<String, String> metricsReporter(String host, String ports) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("metrics.reporter.vigil.factory.class",
                io.vigil.launcher.metrics.PrometheusEndpointReporterFactory.class.getName());
        c.put("metrics.reporter.vigil.host", host);
        c.put("metrics.reporter.vigil.port", ports);
        return c;
    }

    /** A Flink configuration directory's {@code config.yaml} for these settings. */
    public static String configYaml(Map<String, String> settings, String writtenBy) {
        StringBuilder yaml = new StringBuilder("# Written by " + writtenBy + " at each start.\n");
        settings.forEach((k, v) -> yaml.append(k).append(": \"").append(v.replace("\"", "\\\"")).append("\"\n"));
        return yaml.toString();
    }

    /** The JobManager's JVM options. */
    public static List<String> jobManagerJvm(Path tmpDir) {
        List<String> jvm = new ArrayList<>(List.of("-Xmx512m", "-Djava.io.tmpdir=" + tmpDir));
        jvm.addAll(JVM_OPENS);
        return jvm;
    }

    /** A TaskManager's JVM options: the memory sizes Flink derives from the configured process size. */
    public static List<String> taskManagerJvm(Path confDir, Path tmpDir) {
        List<String> jvm = new ArrayList<>(Arrays.asList(
                ProcessMemoryUtils.generateJvmParametersStr(taskManagerSpec(confDir)).split(" ")));
        jvm.addAll(JVM_OPENS);
        jvm.add("-Djava.io.tmpdir=" + tmpDir);
        return jvm;
    }

    /** A TaskManager's arguments: what Flink's start scripts pass, the derived memory sizes as -D options. */
    public static List<String> taskManagerArgs(Path confDir, String resourceId) {
        List<String> args = new ArrayList<>(List.of("--configDir", confDir.toString()));
        args.addAll(Arrays.asList(TaskExecutorProcessUtils.generateDynamicConfigsStr(taskManagerSpec(confDir))
                .trim().split(" ")));
        // Named, so the REST API's TaskManager ids say which process is which.
        args.addAll(List.of("-D", "taskmanager.resource-id=" + resourceId));
        return args;
    }

    private static TaskExecutorProcessSpec taskManagerSpec(Path confDir) {
        Configuration flink = GlobalConfiguration.loadConfiguration(confDir.toString());
        return TaskExecutorProcessUtils.processSpecFromConfig(flink);
    }
}
