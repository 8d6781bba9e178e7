package io.vigil.launcher;

import io.vigil.collectors.OriginStamper;
import io.vigil.collectors.kafka.KafkaTelemetryPublisher;
import io.vigil.collectors.simulator.ClusterSimulator;
import io.vigil.collectors.simulator.ClusterTopology;
import io.vigil.collectors.simulator.FaultControl;
import io.vigil.collectors.simulator.FaultScript;
import io.vigil.collectors.simulator.SimulatorConfig;
import io.vigil.collectors.simulator.SimulatorMain;
import io.vigil.collectors.simulator.SimulatorRunner;
import io.vigil.detection.DetectionJobMain;
import io.vigil.launcher.embedded.EmbeddedDatabase;
import io.vigil.launcher.embedded.EmbeddedKafka;
import io.vigil.model.Topics;
import io.vigil.model.config.CommonSettings;
import io.vigil.model.config.KafkaSecurity;
import io.vigil.model.config.Settings;
import io.vigil.notify.NotificationJobMain;
import io.vigil.notify.routing.RoutingConfig;
import io.vigil.storage.schema.SchemaMigrator;
import io.vigil.storage.writer.TelemetryWriter;
import io.vigil.storage.writer.WriterConfig;
import io.vigil.storage.writer.WriterMain;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.Optional;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The whole platform in one process: Kafka (embedded or external), PostgreSQL (embedded or external), the
 * detection job on a local Flink MiniCluster, the storage writer, the simulator and the dashboard (a child JVM).
 * {@link #close()} stops them in reverse order and leaves no process or port behind.
 */
public final class Platform implements AutoCloseable {

    private final PlatformConfig config;
    private final PrintStream console;
    private final Components components;
    private String bootstrap;
    private String jdbcUrl;
    private String dbUser;
    private String dbPassword;
    private TelemetryWriter writer;
    private ClusterSimulator simulator;
    private DashboardProcess dashboard;
    /** The built-in admin's password: the configured one, or one generated for this run. */
    private final String adminPassword;
    /** The secret the notification job signs the inbox's webhooks with and the dashboard checks: made per run. */
    private final String inboxSecret = inboxSecret();
    private Topics topics;
    private int faultControlPort;

    private Platform(PlatformConfig config, PrintStream console) {
        this.config = config;
        this.adminPassword = config.dashboardAdminPassword() != null ? config.dashboardAdminPassword()
                : generatedPassword();
        this.console = console;
        this.components = new Components(console);
    }

    public static Platform start(PlatformConfig config, PrintStream console) throws Exception {
        Platform p = new Platform(config, console);
        try {
            p.startAll();
            return p;
        } catch (Exception | Error e) {
            p.close();
            throw e;
        }
    }

    private void startAll() throws Exception {
        Settings s = config.settings();
        topics = CommonSettings.topics(s);
        Path data = config.dataDir();
        if (config.fresh() && Files.exists(data)) {
            say("Removing previous data in " + data + " (--fresh)");
            Directories.deleteTree(data);
        }
        Files.createDirectories(data);
        startKafka(data);
        startDatabase(s, data);
        Map<String, String> resolved = new HashMap<>();
        resolved.put("kafka.bootstrap", bootstrap);
        resolved.put("db.url", jdbcUrl);
        resolved.put("db.user", dbUser);
        resolved.put("db.password", dbPassword);
        Settings component = Settings.load(PlatformConfig.catalog(), null, Map.of(), merged(s, resolved));
        startWriter(component);
        startDetection(component, data);
        startNotifications(s, component, data);
        if (config.simulatorEnabled()) {
            startSimulator(component);
        } else {
            say("Simulator   off (--no-simulator): publish telemetry to " + bootstrap);
        }
        if (config.dashboardEnabled()) startDashboard(data);
    }

    private void startKafka(Path data) throws Exception {
        if (config.externalKafka() != null) {
            bootstrap = config.externalKafka();
            say("Kafka       external at " + bootstrap);
        } else {
            if (KafkaSecurity.from(config.settings()).secure()) {
                throw new Settings.ConfigException("the embedded Kafka broker of ./vigil demo listens in plain text: "
                        + "kafka.security-protocol sasl-ssl needs an external Kafka (--kafka HOST:PORT), or use "
                        + "./vigil cluster with cluster.kafka-security=sasl-ssl");
            }
            EmbeddedKafka kafka = EmbeddedKafka.start(data.resolve("kafka"), config.kafkaPort());
            components.track(Components.of("kafka", () -> { }, () -> "running (KRaft) at " + kafka.bootstrapServers(),
                    kafka));
            bootstrap = kafka.bootstrapServers();
            int metricsPort = config.settings().integer("metrics.kafka-port");
            io.vigil.model.metrics.MetricsServer metrics = metricsServer("metrics.kafka-port",
                    io.vigil.launcher.metrics.KafkaNodeMetrics::scrape);
            if (metrics != null) {
                components.track(Components.of("kafka-metrics", () -> { }, () -> "127.0.0.1:" + metricsPort,
                        metrics::close));
            }
            say("Kafka       started (KRaft) at " + bootstrap
                    + (metricsPort > 0 ? "; metrics on http://127.0.0.1:" + metricsPort + "/metrics" : ""));
        }
        EmbeddedKafka.createTopics(bootstrap, KafkaSecurity.from(config.settings()), topics,
                config.telemetryPartitions(), 1);
    }

    private void startDatabase(Settings s, Path data) throws Exception {
        if (config.externalDbUrl() != null) {
            jdbcUrl = config.externalDbUrl();
            dbUser = s.string("db.user");
            dbPassword = s.string("db.password");
            say("PostgreSQL  external at " + jdbcUrl);
        } else {
            EmbeddedDatabase db = EmbeddedDatabase.start(data.resolve("postgres"), config.dbPort());
            components.track(Components.of("postgres", () -> { }, () -> "running at " + db.jdbcUrl(), db));
            jdbcUrl = db.jdbcUrl();
            dbUser = EmbeddedDatabase.USER;
            dbPassword = EmbeddedDatabase.PASSWORD;
            say("PostgreSQL  started at " + jdbcUrl + " (user vigil, password vigil)");
        }
        var migration = SchemaMigrator.migrate(jdbcUrl, dbUser, dbPassword);
        // Flyway names a target version only when it applied something; after a restart, ask the database.
        String version = migration.targetSchemaVersion != null ? migration.targetSchemaVersion
                : SchemaMigrator.currentVersion(jdbcUrl, dbUser, dbPassword);
        say("Schema      at version " + version + " (" + migration.migrationsExecuted + " migrations applied now)");
    }

    private void startWriter(Settings component) throws Exception {
        WriterConfig writerConfig = WriterMain.config(component);
        writer = new TelemetryWriter(writerConfig, Clock.systemUTC());
        Thread writerThread = new Thread(writer, "vigil-writer");
        int metricsPort = config.settings().integer("metrics.writer-port");
        io.vigil.model.metrics.MetricsServer[] metrics = new io.vigil.model.metrics.MetricsServer[1];
        components.add(Components.of("writer", () -> {
                    writerThread.start();
                    metrics[0] = metricsServer("metrics.writer-port", writer::metrics);
                },
                () -> (writerThread.isAlive() ? "running, " : "STOPPED, ") + writer.recordsWritten() + " records written",
                () -> {
                    if (metrics[0] != null) metrics[0].close();
                    writer.close();
                    writerThread.join(TimeUnit.SECONDS.toMillis(30));
                }));
        say("Writer      consuming " + String.join(", ", topics.telemetry()) + ", " + topics.alerts() + ", "
                + topics.notifications() + ", " + topics.silences()
                + (metricsPort > 0 ? "; metrics on http://127.0.0.1:" + metricsPort + "/metrics" : ""));
    }

    /** A {@code /metrics} on 127.0.0.1 at the port setting {@code key} names; null when it is 0. */
    private io.vigil.model.metrics.MetricsServer metricsServer(String key,
            java.util.function.Supplier<io.vigil.model.metrics.PrometheusText> metrics) {
        int port = config.settings().integer(key);
        if (port == 0) return null;
        try {
            return io.vigil.model.metrics.MetricsServer.start("127.0.0.1:" + port, metrics);
        } catch (java.io.IOException e) {
            throw new Settings.ConfigException(key + " = " + port + ": " + e.getMessage() + " (another process has "
                    + "the port: choose another, or 0 for no /metrics)");
        }
    }

    private void startDetection(Settings component, Path data) throws Exception {
        Optional<Path>[] restored = new Optional[1];
        int metricsPort = config.settings().integer("metrics.detection-port");
        StreamExecutionEnvironment env = localFlink(data.resolve("flink-checkpoints"), config.parallelism(), restored,
                metricsPort);
        JobClient job = DetectionJobMain.start(env, DetectionJobMain.JobSettings.from(component));
        components.track(Components.of("detection-job", () -> { }, () -> jobStatus(job), () -> cancel(job)));
        say("Flink       detection job " + job.getJobID() + " running on a local MiniCluster (parallelism "
                + config.parallelism() + (restored[0].isPresent() ? ", state restored from the previous run" : "")
                + ")" + (metricsPort > 0 ? "; metrics on http://127.0.0.1:" + metricsPort + "/metrics" : ""));
    }

    private void startSimulator(Settings component) throws Exception {
        SimulatorConfig simConfig = SimulatorMain.config(component);
        long now = System.currentTimeMillis();
        ClusterTopology topology = ClusterTopology.build(simConfig);
        FaultScript script = SimulatorMain.script(component, topology);
        long simulatedStart = SimulatorRunner.startMs(now, simConfig.speed(), script);
        simulator = new ClusterSimulator(simConfig, script, new OriginStamper(simConfig.collectorId(), now),
                simulatedStart);
        KafkaTelemetryPublisher publisher = new KafkaTelemetryPublisher(bootstrap, topics,
                KafkaSecurity.from(component).clientProperties());
        SimulatorRunner runner = new SimulatorRunner(simulator, simConfig, publisher);
        FaultControl[] control = new FaultControl[1];
        int metricsPort = config.settings().integer("metrics.simulator-port");
        io.vigil.model.metrics.MetricsServer[] metrics = new io.vigil.model.metrics.MetricsServer[1];
        components.add(Components.of("simulator", () -> {
            runner.start();
            control[0] = new FaultControl(simulator, config.faultControlPort());
            metrics[0] = metricsServer("metrics.simulator-port", runner::metrics);
        }, () -> "running, " + runner.recordsPublished() + " records published, faults at 127.0.0.1:"
                + faultControlPort, () -> {
                    if (metrics[0] != null) metrics[0].close();
                    if (control[0] != null) control[0].close();
                    runner.close();
                    publisher.close();
                }));
        faultControlPort = control[0].port();
        say("Simulator   " + topology.hosts().size() + " hosts, " + topology.hosts().size() * simConfig.gpusPerHost()
                + " GPUs, " + topology.jobs().size() + " jobs, " + simulator.script().faults().size()
                + " scripted faults" + (simConfig.speed() == 1 ? "" : ", speed x" + simConfig.speed()));
        if (simulatedStart < now) {
            long leadS = (now - simulatedStart) / 1000;
            say("            simulated time starts " + leadS + " s ago and runs x" + simConfig.speed()
                    + " until it reaches the clock (in about " + Math.round(leadS / (simConfig.speed() - 1))
                    + " s), then in real time");
        }
        simulator.script().faults().forEach(f -> say("            fault at +" + f.at().toSeconds() + " s for "
                + f.duration().toSeconds() + " s: " + f.fault().describe()));
        say("            inject more: curl -X POST 'http://127.0.0.1:" + faultControlPort
                + "/faults?kind=thermal&host=" + topology.hosts().get(0).name() + "&gpu=0&seconds=120'");
    }

    private void startDashboard(Path data) throws Exception {
        Path log = data.resolve("logs").resolve("dashboard.log");
        dashboard = DashboardProcess.start(config.dashboardJar(), config.dashboardAddress(), config.dashboardPort(),
                jdbcUrl, dbUser, dbPassword, bootstrap, topics.prefix(), KafkaSecurity.values(config.settings()),
                config.dashboardUsersFile(), adminPassword, inboxSecret, config.dashboardSettings(), log);
        components.track(Components.of("dashboard", () -> { }, () -> "running, pid " + dashboard.pid() + ", "
                + dashboard.url(), dashboard));
        dashboard.awaitHealthy(Duration.ofMinutes(3), log);
        say("Dashboard   " + dashboard.url() + "  (API: " + dashboard.url() + "/api/v1/alerts)"
                + (config.settings().integer("metrics.dashboard-port") > 0 ? "; metrics on http://127.0.0.1:"
                + config.settings().integer("metrics.dashboard-port") + "/metrics" : ""));
        say("            sign in as admin with password " + (config.dashboardAdminPassword() == null
                ? adminPassword + " (generated for this run; set dashboard.admin-password or "
                + "VIGIL_DASHBOARD_ADMIN_PASSWORD to choose it)" : "from dashboard.admin-password")
                + "; more users: ./vigil user add NAME --role viewer|operator|admin");
    }

    private static String jobStatus(JobClient job) {
        try {
            return job.getJobStatus().get(5, TimeUnit.SECONDS) + ", job " + job.getJobID();
        } catch (Exception e) {
            return "UNKNOWN, job " + job.getJobID();
        }
    }

    /**
     * The notification job, on its own MiniCluster so that a slow receiver never back-pressures detection. Without
     * {@code notify.routing-file}, notifications go to the dashboard's inbox (the Notifications page).
     */
    private void startNotifications(Settings s, Settings component, Path data) throws Exception {
        String file = s.optional("notify.routing-file");
        RoutingConfig routing;
        String where;
        if (file != null) {
            routing = RoutingConfig.load(Path.of(file));
            where = "routing from " + file + " (" + routing.targets().size() + " delivery targets)";
        } else if (config.dashboardEnabled()) {
            routing = RoutingConfig.parse(inboxRouting(dashboardBaseUrl() + "/api/v1/inbox", inboxSecret),
                    "built-in inbox routing");
            where = "to the dashboard's inbox (" + dashboardBaseUrl() + "/notifications); --notify-config FILE for real receivers";
        } else {
            say("Notify      off: no routing file (--notify-config) and no dashboard inbox");
            return;
        }
        Map<String, String> notifyValues = new HashMap<>();
        for (String key : NotificationJobMain.defaults().keySet()) notifyValues.put(key, component.string(key));
        if (s.optional("notify.dashboard-url") == null && config.dashboardEnabled()) {
            notifyValues.put("notify.dashboard-url", dashboardBaseUrl());
        }
        Settings notifySettings = Settings.load(NotificationJobMain.settings(), null, Map.of(), notifyValues);
        Optional<Path>[] restored = new Optional[1];
        int metricsPort = config.settings().integer("metrics.notifications-port");
        StreamExecutionEnvironment env = localFlink(data.resolve("flink-checkpoints-notifications"), 1, restored,
                metricsPort);
        JobClient job = NotificationJobMain.start(env, NotificationJobMain.JobSettings.from(notifySettings, routing));
        components.track(Components.of("notification-job", () -> { }, () -> jobStatus(job), () -> cancel(job)));
        say("Notify      notification job " + job.getJobID() + " running, " + where
                + (metricsPort > 0 ? "; metrics on http://127.0.0.1:" + metricsPort + "/metrics" : ""));
    }

    /**
     * The demo's routing: every incident to the dashboard's inbox, quickly, so a newcomer sees it at once; each
     * webhook signed with {@code secret}, which the dashboard requires.
     */
    public static String inboxRouting(String inboxUrl, String secret) {
        return "route:\n  receiver: inbox\n  group_wait: 5s\n  group_interval: 1m\n  repeat_interval: 4h\n"
                + "receivers:\n  - name: inbox\n    webhook_configs:\n      - url: \"" + inboxUrl + "\"\n"
                + "        secret: \"" + secret + "\"\n";
    }

    /** A random secret for the inbox's signatures (256 bits, hex). */
    public static String inboxSecret() {
        byte[] b = new byte[32];
        new java.security.SecureRandom().nextBytes(b);
        return java.util.HexFormat.of().formatHex(b);
    }

    private String dashboardBaseUrl() {
        String host = config.dashboardAddress().equals("0.0.0.0") ? "127.0.0.1" : config.dashboardAddress();
        return "http://" + host + ":" + config.dashboardPort();
    }

    /**
     * A local Flink environment whose checkpoints are kept under {@code checkpointDir} and which resumes from the
     * newest one there, so a restarted demo keeps its open alerts, timers and offsets.
     */
    private static StreamExecutionEnvironment localFlink(Path checkpointDir, int parallelism,
                                                         Optional<Path>[] restored, int metricsPort) throws IOException {
        Configuration flinkConf = new Configuration();
        flinkConf.set(CoreOptions.TMP_DIRS, System.getProperty("java.io.tmpdir"));
        if (metricsPort > 0) {
            // Every metric of the MiniCluster (its job's operators included) on one port, for Prometheus to scrape.
            io.vigil.launcher.cluster.FlinkProcesses.metricsReporter("127.0.0.1", String.valueOf(metricsPort))
                    .forEach((k, v) -> flinkConf.set(org.apache.flink.configuration.ConfigOptions.key(k)
                            .stringType().noDefaultValue(), v));
        }
        CheckpointStore checkpoints = new CheckpointStore(checkpointDir);
        flinkConf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.directory().toUri().toString());
        flinkConf.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        Optional<Path> restoreFrom = checkpoints.latest();
        if (restoreFrom.isPresent()) {
            checkpoints.pruneAllBut(restoreFrom.get());
            flinkConf.set(StateRecoveryOptions.SAVEPOINT_PATH, restoreFrom.get().toUri().toString());
            // A newer Vigil may have dropped an operator; its old state is then ignored rather than fatal.
            flinkConf.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, true);
        }
        restored[0] = restoreFrom;
        return StreamExecutionEnvironment.createLocalEnvironment(parallelism, flinkConf);
    }

    private static void cancel(JobClient job) {
        try {
            job.cancel().get(30, TimeUnit.SECONDS);
        } catch (Exception alreadyEnded) {
            // The job may have failed or finished; nothing left to cancel.
        }
    }

    private static Map<String, String> merged(Settings s, Map<String, String> resolved) {
        Map<String, String> all = new HashMap<>();
        for (String key : PlatformConfig.defaults().keySet()) {
            all.put(key, s.string(key));
        }
        all.putAll(resolved);
        return all;
    }

    public String bootstrapServers() {
        return bootstrap;
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    public Topics topics() {
        return topics;
    }

    /** The running simulator, or null with {@code --no-simulator}. */
    public ClusterSimulator simulator() {
        return simulator;
    }

    /** Port of the simulator's fault-injection endpoint (loopback), or 0 without the simulator. */
    public int faultControlPort() {
        return faultControlPort;
    }

    /** 18 random characters from an alphabet without look-alikes (no 0/O, 1/l/I). */
    static String generatedPassword() {
        String alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        java.security.SecureRandom random = new java.security.SecureRandom();
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 18; i++) b.append(alphabet.charAt(random.nextInt(alphabet.length())));
        return b.toString();
    }

    /** The built-in admin's password for this run (tests sign in with it). */
    public String adminPassword() {
        return adminPassword;
    }

    /** The dashboard's process id, or -1 when it does not run. */
    public long dashboardPid() {
        return dashboard == null ? -1 : dashboard.pid();
    }

    public String dashboardUrl() {
        return dashboard == null ? null : dashboard.url();
    }

    public TelemetryWriter writer() {
        return writer;
    }

    private void say(String line) {
        console.println(line);
        console.flush();
    }

    /** One line per part: its name and state. */
    public java.util.List<String> statusLines() {
        return components.statusLines();
    }

    /** Stops every part in reverse order of start; leaves no process or port behind. */
    @Override
    public void close() {
        components.close();
    }

}
