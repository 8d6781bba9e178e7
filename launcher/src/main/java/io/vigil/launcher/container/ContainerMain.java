package io.vigil.launcher.container;

import io.vigil.detection.DetectionJobMain;
import io.vigil.launcher.PlatformConfig;
import io.vigil.launcher.cluster.FlinkJob;
import io.vigil.launcher.cluster.FlinkProcesses;
import io.vigil.launcher.embedded.EmbeddedKafka;
import io.vigil.model.config.CommonSettings;
import io.vigil.model.config.KafkaSecurity;
import io.vigil.model.config.Settings;
import io.vigil.notify.NotificationJobMain;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The roles of Vigil's container image ({@code deploy/docker/Dockerfile}) that are not a component's own main:
 * a Kafka node, the command line of a Flink JobManager or TaskManager, the topics, and the supervisor that keeps
 * Vigil's jobs submitted. Every one reads the same settings as {@code ./vigil demo} ({@code VIGIL_*} variables) and
 * runs the engines {@code ./vigil cluster} runs, from the same jars.
 */
public final class ContainerMain {

    private ContainerMain() {}

    static final String USAGE = "usage: ContainerMain kafka-node | topics | flink-command jobmanager|taskmanager FILE "
            + "| jobs";

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println(USAGE);
            System.exit(2);
        }
        Settings s = Settings.load(PlatformConfig.catalog(), null, System.getenv(), Map.of());
        try {
            switch (args[0]) {
                case "kafka-node" -> kafkaNode(s);
                case "topics" -> topics(s, Duration.ofMinutes(5));
                case "flink-command" -> {
                    if (args.length != 3) throw new Settings.ConfigException(USAGE);
                    // To a file, not standard output: Flink's configuration loader logs there.
                    Files.write(Path.of(args[2]), flinkCommand(s, args[1]));
                }
                case "jobs" -> superviseJobs(s, System.out);
                default -> {
                    System.err.println(USAGE);
                    System.exit(2);
                }
            }
        } catch (Settings.ConfigException e) {
            System.err.println("vigil: " + e.getMessage());
            System.exit(2);
        }
    }

    /** One Kafka node (broker and KRaft controller) on all interfaces, advertised under its host name. */
    static void kafkaNode(Settings s) throws Exception {
        ContainerConfig c = ContainerConfig.from(s);
        List<String[]> nodes = ContainerConfig.kafkaNodes(s);
        if (c.kafkaNodeId() > nodes.size()) {
            throw new Settings.ConfigException("container.kafka-node-id " + c.kafkaNodeId() + " but kafka.bootstrap "
                    + "names " + nodes.size() + " node(s)");
        }
        String[] me = nodes.get(c.kafkaNodeId() - 1);
        EmbeddedKafka node = EmbeddedKafka.startNode(c.kafkaDir(), c.kafkaNodeId(), "0.0.0.0", me[0],
                Integer.parseInt(me[1]), ContainerConfig.KAFKA_CONTROLLER_PORT, ContainerConfig.voters(nodes),
                c.kafkaClusterId(), ContainerConfig.replication(nodes), null);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            stopped.countDown();
        }, "kafka-node-shutdown"));
        io.vigil.model.metrics.MetricsServer metrics = io.vigil.model.metrics.MetricsServer.start(
                "0.0.0.0:" + ContainerConfig.KAFKA_METRICS_PORT, io.vigil.launcher.metrics.KafkaNodeMetrics::scrape);
        Runtime.getRuntime().addShutdownHook(new Thread(metrics::close, "kafka-node-metrics-shutdown"));
        System.out.println("Kafka node " + c.kafkaNodeId() + " of " + nodes.size() + " listening on " + me[0] + ":"
                + me[1] + " (data in " + c.kafkaDir() + "); metrics on port " + ContainerConfig.KAFKA_METRICS_PORT);
        stopped.await();
    }

    /** Creates Vigil's topics if missing, waiting for the brokers up to {@code patience}. */
    static void topics(Settings s, Duration patience) throws Exception {
        List<String[]> nodes = ContainerConfig.kafkaNodes(s);
        Instant deadline = Instant.now().plus(patience);
        while (true) {
            try {
                EmbeddedKafka.createTopics(s.required("kafka.bootstrap"), KafkaSecurity.from(s),
                        CommonSettings.topics(s), s.integer("kafka.telemetry-partitions"),
                        ContainerConfig.replication(nodes));
                System.out.println("Topics ready: " + String.join(", ", CommonSettings.topics(s).all()));
                return;
            } catch (Exception e) {
                if (Instant.now().isAfter(deadline)) throw e;
                System.out.println("Waiting for Kafka (" + rootMessage(e) + ")");
                Thread.sleep(3000);
            }
        }
    }

    /**
     * The command line of a Flink JobManager or TaskManager, one argument a line, after writing its configuration
     * directory; the image's entry point runs it in place of itself, so Flink is the container's process.
     */
    static List<String> flinkCommand(Settings s, String role) throws IOException {
        ContainerConfig c = ContainerConfig.from(s);
        Path conf = flinkConfDir(s, c);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        switch (role) {
            case "jobmanager" -> cmd.addAll(FlinkProcesses.jobManagerJvm(c.flinkTmpDir()));
            case "taskmanager" -> cmd.addAll(FlinkProcesses.taskManagerJvm(conf, c.flinkTmpDir()));
            default -> throw new Settings.ConfigException("flink-command: expected jobmanager or taskmanager, not '"
                    + role + "'");
        }
        cmd.add("-XX:MetaspaceSize=128m");
        cmd.add("-Dlog4j2.configurationFile=log4j2-child.xml");
        cmd.add("-cp");
        cmd.add(FlinkProcesses.classpath());
        if (role.equals("jobmanager")) {
            cmd.addAll(List.of(FlinkProcesses.JOBMANAGER_MAIN, "--configDir", conf.toString()));
        } else {
            cmd.add(FlinkProcesses.TASKMANAGER_MAIN);
            cmd.addAll(FlinkProcesses.taskManagerArgs(conf, InetAddress.getLocalHost().getHostName()));
        }
        return cmd;
    }

    /** The session cluster's configuration, as {@code ./vigil cluster} writes it, but on the container network. */
    static Path flinkConfDir(Settings s, ContainerConfig c) throws IOException {
        Map<String, String> conf = new LinkedHashMap<>();
        conf.put("jobmanager.rpc.address", c.flinkJobManager());
        conf.put("jobmanager.rpc.port", String.valueOf(s.integer("cluster.flink-rpc-port")));
        conf.put("jobmanager.bind-host", "0.0.0.0");
        conf.put("rest.address", c.flinkJobManager());
        conf.put("rest.bind-address", "0.0.0.0");
        conf.put("rest.port", String.valueOf(s.integer("cluster.flink-rest-port")));
        // No taskmanager.host: a TaskManager then registers with the address it reaches the JobManager from.
        conf.put("taskmanager.bind-host", "0.0.0.0");
        conf.putAll(FlinkProcesses.sessionSettings(c.checkpointsDir().toUri().toString(), c.flinkTmpDir(),
                s.integer("cluster.task-slots"), s.string("cluster.taskmanager-memory")));
        conf.putAll(FlinkProcesses.metricsReporter("0.0.0.0", "9249"));
        Files.createDirectories(c.flinkTmpDir());
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "vigil-flink-conf");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.yaml"), FlinkProcesses.configYaml(conf, "Vigil's container"));
        return dir;
    }

    /**
     * Keeps Vigil's jobs submitted: the detection job, and the notification job when a routing file is set. Checked
     * every 5 s; a job the JobManager does not run (first start, or a JobManager restarted without its jobs) is
     * submitted, from its newest retained checkpoint when it left one. Runs until stopped; stopping it leaves the
     * jobs running.
     */
    static void superviseJobs(Settings s, PrintStream out) throws Exception {
        ContainerConfig c = ContainerConfig.from(s);
        Path conf = flinkConfDir(s, c);
        Path work = Path.of(System.getProperty("java.io.tmpdir"), "vigil-jobs");
        Files.createDirectories(c.checkpointsDir());
        String rest = c.flinkRestUrl(s.integer("cluster.flink-rest-port"));
        Map<String, String> values = new LinkedHashMap<>();
        for (String key : PlatformConfig.defaults().keySet()) values.put(key, s.string(key));
        // VIGIL_* variables that are no setting (the inbox's secret, ...) are what a routing names by *_env: the
        // submitting client checks them before it submits (the TaskManagers resolve them), so it gets them.
        java.util.Set<String> settingVariables = new java.util.HashSet<>();
        values.keySet().forEach(k -> settingVariables.add(Settings.envName(k)));
        Map<String, String> secrets = new LinkedHashMap<>();
        System.getenv().forEach((k, v) -> {
            if (k.startsWith("VIGIL_") && !settingVariables.contains(k)) secrets.put(k, v);
        });
        List<FlinkJob> jobs = new ArrayList<>();
        jobs.add(new FlinkJob("detection-job", "vigil-detection", jobJar("vigil-stream-jobs"),
                DetectionJobMain.class.getName(), settingsFile(work, "detection", DetectionJobMain.defaults().keySet(),
                values), s.integer("flink.parallelism"), rest, conf, c.checkpointsDir(), c.checkpointsDir(),
                work.resolve("logs"), secrets));
        if (s.optional("notify.routing-file") != null) {
            jobs.add(new FlinkJob("notification-job", "vigil-notifications", jobJar("vigil-notifications"),
                    NotificationJobMain.class.getName(), settingsFile(work, "notifications",
                    NotificationJobMain.defaults().keySet(), values), 1, rest, conf, c.checkpointsDir(),
                    c.checkpointsDir(), work.resolve("logs"), secrets));
        } else {
            out.println("No notify.routing-file: the notification job is not submitted");
        }
        Map<FlinkJob, String> said = new LinkedHashMap<>();
        Map<String, long[]> counts = new java.util.concurrent.ConcurrentHashMap<>(); // submitted, resumed, running
        for (FlinkJob job : jobs) counts.put(job.name(), new long[3]);
        io.vigil.model.metrics.MetricsServer.start("0.0.0.0:" + ContainerConfig.JOBS_METRICS_PORT, () -> {
            var m = new io.vigil.model.metrics.PrometheusText();
            counts.forEach((name, n) -> {
                m.counter("vigil_jobs_submitted_total", "Times the supervisor submitted the job (after a JobManager "
                        + "restart, again).", n[0], "job", name);
                m.counter("vigil_jobs_resumed_total", "Submissions that resumed from the job's newest checkpoint.",
                        n[1], "job", name);
                m.gauge("vigil_jobs_running", "1 when the supervisor's last look found the job running.", n[2],
                        "job", name);
            });
            return io.vigil.model.metrics.JvmMetrics.addTo(m);
        });
        while (true) {
            for (FlinkJob job : jobs) {
                String now;
                long[] n = counts.get(job.name());
                n[2] = 0;
                try {
                    boolean submitted = job.ensureRunning();
                    n[2] = 1;
                    if (submitted) {
                        n[0]++;
                        if (job.resumed()) n[1]++;
                    }
                    now = submitted ? job.name() + " submitted" + (job.resumed() ? ", resumed from its checkpoint"
                            : "") + ": job " + job.jobId() : job.name() + " running: job " + job.jobId();
                } catch (IOException e) {
                    now = "Waiting for the JobManager at " + rest + " (" + rootMessage(e) + ")";
                } catch (Exception e) {
                    now = job.name() + ": " + e.getMessage() + "; " + tail(work.resolve("logs")
                            .resolve("submit-" + job.name() + ".log"));
                }
                if (!now.equals(said.get(job))) out.println(now);
                said.put(job, now);
            }
            Thread.sleep(5000);
        }
    }

    private static Path jobJar(String artifact) {
        Path jar = Path.of(System.getProperty("vigil.jobs.dir", "/opt/vigil/jobs")).resolve(artifact + "-flink-job.jar");
        if (!Files.isRegularFile(jar)) throw new IllegalStateException("job jar not found at " + jar);
        return jar;
    }

    /** A properties file with one job's keys (readable by this user only: it may hold passwords). */
    private static Path settingsFile(Path dir, String name, Collection<String> keys, Map<String, String> values)
            throws IOException {
        Map<String, String> chosen = new LinkedHashMap<>();
        for (String key : keys) chosen.put(key, values.get(key));
        return io.vigil.launcher.cluster.SettingsFile.write(dir.resolve(name + ".properties"), chosen,
                "Written by Vigil's container for the " + name + " job; keys as in the README's Configuration");
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return "its log ends: " + String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "no log";
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) t = t.getCause();
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }
}
