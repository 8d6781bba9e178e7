package io.vigil.launcher.cluster;

import io.vigil.collectors.simulator.SimulatorMain;
import io.vigil.detection.DetectionJobMain;
import io.vigil.launcher.DashboardProcess;
import io.vigil.launcher.PlatformConfig;
import io.vigil.launcher.embedded.EmbeddedDatabase;
import io.vigil.launcher.embedded.BrokerSecurity;
import io.vigil.launcher.embedded.EmbeddedKafka;
import io.vigil.launcher.embedded.KafkaTls;
import io.vigil.model.Topics;
import io.vigil.model.config.CommonSettings;
import io.vigil.model.config.KafkaSecurity;
import io.vigil.model.config.Settings;
import io.vigil.notify.NotificationJobMain;
import io.vigil.storage.schema.SchemaMigrator;
import io.vigil.storage.writer.WriterMain;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * {@code ./vigil cluster}: the distributed topology in miniature on one machine, every part its own OS process —
 * Kafka nodes (KRaft, replication 3, {@code min.insync.replicas} 2), a Flink session cluster (a JobManager and
 * TaskManagers) running the detection and notification jobs submitted as job jars, storage writers in one consumer
 * group, PostgreSQL, the dashboard, and collector processes that share the simulated hosts. The launcher is a list
 * of {@link ClusterComponent}s, started in order and stopped in reverse; every process gets a settings file with the
 * same keys as {@code ./vigil demo} and {@code docker-compose.yml}, and a log under {@code logs/}.
 */
public final class LocalCluster implements AutoCloseable {

    static final List<String> FLINK_JVM_OPENS = FlinkProcesses.JVM_OPENS;

    static String flinkClasspath() {
        return FlinkProcesses.classpath();
    }

    private final ClusterConfig config;
    private final PrintStream console;
    private final io.vigil.launcher.Components started;
    private final Set<String> reportedDead = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "vigil-cluster-watch");
        t.setDaemon(true);
        return t;
    });
    private final String adminPassword;
    /** The secret the notification job signs the inbox's webhooks with and the dashboard checks: made per run. */
    private final String inboxSecret = io.vigil.launcher.Platform.inboxSecret();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Path data, conf, logs;
    /** How the launcher itself talks to Kafka: plain text, or as the admin user. */
    private KafkaSecurity adminSecurity = KafkaSecurity.PLAINTEXT;
    /** Each role's kafka.* settings: none in plain text. */
    private final Map<KafkaAccess.Role, Map<String, String>> kafkaUsers = new java.util.EnumMap<>(KafkaAccess.Role.class);
    private Topics topics;
    private String jdbcUrl, dbUser, dbPassword;
    private DashboardProcess dashboard;

    private final Map<String, Map<String, String>> overrides;

    private LocalCluster(ClusterConfig config, PrintStream console, String adminPassword,
                         Map<String, Map<String, String>> overrides) {
        this.overrides = overrides;
        this.started = new io.vigil.launcher.Components(console);
        this.config = config;
        this.console = console;
        this.adminPassword = adminPassword;
    }

    /** Starts everything, or stops what it started and throws. */
    public static LocalCluster start(ClusterConfig config, PrintStream console, String adminPassword)
            throws Exception {
        return start(config, console, adminPassword, Map.of());
    }

    /**
     * The same, with settings that only some processes get: {@code overrides} by process name (e.g. a collector
     * whose clock runs fast, {@code collector-2 -> simulator.clock-ahead=10m}).
     */
    public static LocalCluster start(ClusterConfig config, PrintStream console, String adminPassword,
                                     Map<String, Map<String, String>> overrides) throws Exception {
        LocalCluster c = new LocalCluster(config, console, adminPassword, overrides);
        try {
            c.startAll();
            c.watcher.scheduleWithFixedDelay(c::reportDeaths, 2, 2, TimeUnit.SECONDS);
            return c;
        } catch (Exception | Error e) {
            c.close();
            throw e;
        }
    }

    private void startAll() throws Exception {
        PlatformConfig pc = config.platform();
        Settings s = pc.settings();
        topics = CommonSettings.topics(s);
        data = pc.dataDir().resolve("cluster");
        if (pc.fresh() && Files.exists(data)) {
            say("Removing previous data in " + data + " (--fresh)");
            io.vigil.launcher.Directories.deleteTree(data);
        }
        conf = data.resolve("conf");
        logs = data.resolve("logs");
        Files.createDirectories(conf);
        Files.createDirectories(logs);
        say("Cluster     data in " + data + ", one log per process in " + logs);

        startDatabase(pc, s);
        startKafka();
        startFlink();
        Map<String, String> component = componentSettings(s);

        Path detectionSettings = settingsFile("detection", DetectionJobMain.defaults().keySet(), component,
                kafkaUser(KafkaAccess.Role.DETECTION));
        add(new FlinkJob("detection-job", "vigil-detection", jobJar("stream-jobs", "vigil-stream-jobs"),
                DetectionJobMain.class.getName(), detectionSettings, pc.parallelism(), restUrl(),
                conf.resolve("flink"), data.resolve("flink-checkpoints"), data, logs));

        Map<String, String> notify = new LinkedHashMap<>(kafkaUser(KafkaAccess.Role.NOTIFICATIONS));
        if (s.optional("notify.routing-file") == null && pc.dashboardEnabled()) {
            Path routing = conf.resolve("notify-routing.yml");
            // It holds the inbox's signing secret: readable by this user only.
            Files.deleteIfExists(routing);
            Files.createFile(routing, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(routing, io.vigil.launcher.Platform.inboxRouting(dashboardBaseUrl() + "/api/v1/inbox",
                    inboxSecret));
            notify.put("notify.routing-file", routing.toString());
        }
        if (s.optional("notify.dashboard-url") == null && pc.dashboardEnabled()) {
            notify.put("notify.dashboard-url", dashboardBaseUrl());
        }
        if (s.optional("notify.routing-file") != null || notify.containsKey("notify.routing-file")) {
            Path notifySettings = settingsFile("notifications", NotificationJobMain.defaults().keySet(), component,
                    notify);
            add(new FlinkJob("notification-job", "vigil-notifications",
                    jobJar("notifications", "vigil-notifications"), NotificationJobMain.class.getName(),
                    notifySettings, 1, restUrl(), conf.resolve("flink"), data.resolve("flink-checkpoints"), data,
                    logs));
        }

        for (int i = 1; i <= config.writers(); i++) {
            Map<String, String> writer = new LinkedHashMap<>(kafkaUser(KafkaAccess.Role.WRITER));
            if (metricsBasePort() > 0) writer.put("writer.metrics-address", "127.0.0.1:" + (metricsBasePort() + 20 + i));
            Path file = settingsFile("writer-" + i, WriterMain.defaults().keySet(), component, writer);
            add(child("writer-" + i, WriterMain.class.getName(), List.of(file.toString()), "512m"));
        }
        awaitWritersJoined();

        if (pc.dashboardEnabled()) {
            Path log = logs.resolve("dashboard.log");
            dashboard = DashboardProcess.start(pc.dashboardJar(), pc.dashboardAddress(), pc.dashboardPort(), jdbcUrl,
                    dbUser, dbPassword, config.bootstrap(), topics.prefix(), dashboardKafkaSettings(s),
                    pc.dashboardUsersFile(), adminPassword, inboxSecret, dashboardSettings(pc), log);
            track(io.vigil.launcher.Components.of("dashboard", () -> { }, () -> "running, pid " + dashboard.pid() + ", "
                    + dashboard.url(), dashboard));
            dashboard.awaitHealthy(Duration.ofMinutes(3), log);
        }

        if (pc.simulatorEnabled()) {
            for (int i = 1; i <= config.collectors(); i++) {
                // Each collector spools to disk as ./vigil collect does, so a Kafka outage loses nothing.
                Map<String, String> shard = new LinkedHashMap<>(kafkaUser(KafkaAccess.Role.COLLECTOR));
                shard.putAll(Map.of("simulator.collector-id", "simulator-" + i,
                        "simulator.shard-index", String.valueOf(i - 1),
                        "simulator.shard-count", String.valueOf(config.collectors()),
                        "simulator.spool-dir", data.resolve("spool").resolve("collector-" + i).toString()));
                if (metricsBasePort() > 0) {
                    shard.put("simulator.metrics-address", "127.0.0.1:" + (metricsBasePort() + 30 + i));
                }
                Path file = settingsFile("collector-" + i, SimulatorMain.defaults().keySet(), component, shard);
                add(child("collector-" + i, SimulatorMain.class.getName(), List.of(file.toString()), "384m"));
            }
        }
    }

    private void startDatabase(PlatformConfig pc, Settings s) throws Exception {
        if (pc.externalDbUrl() != null) {
            jdbcUrl = pc.externalDbUrl();
            dbUser = s.string("db.user");
            dbPassword = s.string("db.password");
            say("PostgreSQL  external at " + jdbcUrl);
        } else {
            DatabaseProcess db = new DatabaseProcess(data.resolve("postgres"), pc.dbPort());
            add(db);
            jdbcUrl = db.jdbcUrl();
            dbUser = EmbeddedDatabase.USER;
            dbPassword = EmbeddedDatabase.PASSWORD;
        }
        var migration = SchemaMigrator.migrate(jdbcUrl, dbUser, dbPassword);
        String version = migration.targetSchemaVersion != null ? migration.targetSchemaVersion
                : SchemaMigrator.currentVersion(jdbcUrl, dbUser, dbPassword);
        say("PostgreSQL  " + jdbcUrl + ", schema at version " + version);
    }

    private void startKafka() throws Exception {
        Path idFile = data.resolve("kafka-cluster-id");
        // The admin and broker users are written when the nodes are formatted: a cluster formatted in plain text
        // cannot become a secure one (nor back) without starting afresh.
        Path modeFile = data.resolve("kafka-security");
        String mode = config.kafkaSecure() ? "sasl-ssl" : "plaintext";
        if (Files.exists(idFile)) {
            String formatted = Files.exists(modeFile) ? Files.readString(modeFile).trim() : "plaintext";
            if (!formatted.equals(mode)) {
                throw new Settings.ConfigException("the Kafka nodes in " + data + " were set up with "
                        + "cluster.kafka-security=" + formatted + ", not " + mode + ": start with --fresh to switch "
                        + "(it deletes the cluster's data)");
            }
        } else {
            Files.writeString(idFile, org.apache.kafka.common.Uuid.randomUuid().toString());
            Files.writeString(modeFile, mode);
        }
        String clusterId = Files.readString(idFile).trim();
        Path nodeSecurity = config.kafkaSecure() ? secureKafka() : null;
        for (int n = 1; n <= config.brokers(); n++) {
            List<String> args = new ArrayList<>(List.of(String.valueOf(n),
                    data.resolve("kafka-" + n).toString(), String.valueOf(config.brokerPort(n)),
                    String.valueOf(config.controllerPort(n)), config.voters(), clusterId,
                    String.valueOf(config.replication())));
            if (nodeSecurity != null) args.add(nodeSecurity.toString());
            List<String> jvm = new ArrayList<>(List.of("-Xmx512m", "-XX:+UseSerialGC"));
            if (metricsBasePort() > 0) {
                jvm.add("-Dvigil.kafka.metrics-address=127.0.0.1:" + (metricsBasePort() + 10 + n));
            }
            add(new ChildProcess("kafka-" + n, KafkaNodeMain.class.getName(), args, jvm, Map.of(), logs,
                    Duration.ofSeconds(30)));
        }
        try (Admin admin = Admin.create(adminClientProperties())) {
            Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
            while (true) {
                requireAlive("kafka-");
                try {
                    int nodes = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size();
                    if (nodes == config.brokers()) break;
                } catch (Exception notYet) {
                    // The quorum is still forming.
                }
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("the Kafka brokers did not form a cluster within 2 minutes; see "
                            + logs.resolve("kafka-1.log"));
                }
                Thread.sleep(500);
            }
        }
        EmbeddedKafka.createTopics(config.bootstrap(), adminSecurity, topics, config.platform().telemetryPartitions(),
                config.replication());
        if (config.kafkaSecure()) {
            try (Admin admin = Admin.create(adminClientProperties())) {
                KafkaAccess.provision(admin, adminSecurity.mechanism(),
                        KafkaAccess.rolePasswords(KafkaAccess.passwords(kafkaPasswordsFile())), topics,
                        config.platform().settings());
            }
        }
        say("Kafka       " + config.brokers() + " brokers at " + config.bootstrap() + " (KRaft; replication "
                + config.replication() + ", min.insync.replicas " + Math.max(1, config.replication() - 1)
                + (config.kafkaSecure() ? "; SASL/SCRAM over TLS only, a user with ACLs per component; CA certificate "
                + data.resolve("tls").resolve("kafka-ca.pem") + ", passwords in " + kafkaPasswordsFile()
                : "; plain text") + ")");
    }

    /**
     * The TLS material and SCRAM passwords of a secure cluster (made on its first start, kept in the data
     * directory), each role's kafka.* settings, and the node settings file the Kafka processes read.
     */
    private Path secureKafka() throws Exception {
        KafkaTls tls = KafkaTls.inDirectory(data.resolve("tls"));
        Map<String, String> passwords = KafkaAccess.passwords(kafkaPasswordsFile());
        String mechanism = config.platform().settings().required("kafka.sasl-mechanism");
        BrokerSecurity node = new BrokerSecurity(tls.keystore(), tls.storePassword(), tls.truststore(),
                tls.storePassword(), KafkaTls.NODE_PRINCIPAL, mechanism, KafkaAccess.BROKER_USER,
                passwords.get(KafkaAccess.BROKER_USER), KafkaAccess.ADMIN_USER, passwords.get(KafkaAccess.ADMIN_USER));
        Path file = conf.resolve("kafka-node-security.properties");
        node.save(file);
        adminSecurity = new KafkaSecurity(KafkaSecurity.Protocol.SASL_SSL, mechanism, KafkaAccess.ADMIN_USER,
                passwords.get(KafkaAccess.ADMIN_USER), tls.certificatePem().toString(), null);
        for (KafkaAccess.Role role : KafkaAccess.Role.values()) {
            Map<String, String> v = new LinkedHashMap<>();
            v.put("kafka.security-protocol", "sasl-ssl");
            v.put("kafka.sasl-mechanism", mechanism);
            v.put("kafka.username", role.user());
            v.put("kafka.password", passwords.get(role.user()));
            v.put("kafka.truststore", tls.certificatePem().toString());
            v.put("kafka.truststore-password", "");
            kafkaUsers.put(role, v);
        }
        return file;
    }

    private Path kafkaPasswordsFile() {
        return data.resolve("kafka-users.properties");
    }

    /** A role's kafka.* settings: its user, password and the CA certificate; none in plain text. */
    private Map<String, String> kafkaUser(KafkaAccess.Role role) {
        return kafkaUsers.getOrDefault(role, Map.of());
    }

    private Map<String, String> dashboardKafkaSettings(Settings s) {
        Map<String, String> v = new LinkedHashMap<>(KafkaSecurity.values(s));
        v.putAll(kafkaUser(KafkaAccess.Role.DASHBOARD));
        return v;
    }

    /**
     * Settings for an admin client of this cluster: the launcher's own (creates topics and users), also for the
     * failure tests' reconciliation. In a secure cluster it authenticates as the admin user, a super user.
     */
    public Map<String, Object> adminClientProperties() {
        Map<String, Object> p = new LinkedHashMap<>(adminSecurity.clientProperties());
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrap());
        return p;
    }

    private void startFlink() throws Exception {
        Path flinkConf = conf.resolve("flink");
        Files.createDirectories(flinkConf);
        Map<String, String> c = new LinkedHashMap<>();
        c.put("jobmanager.rpc.address", "127.0.0.1");
        c.put("jobmanager.rpc.port", String.valueOf(config.flinkRpcPort()));
        c.put("jobmanager.bind-host", "127.0.0.1");
        c.put("rest.address", "127.0.0.1");
        c.put("rest.bind-address", "127.0.0.1");
        c.put("rest.port", String.valueOf(config.flinkRestPort()));
        c.put("taskmanager.host", "127.0.0.1");
        c.put("taskmanager.bind-host", "127.0.0.1");
        c.putAll(FlinkProcesses.sessionSettings(data.resolve("flink-checkpoints").toUri().toString(),
                data.resolve("flink-tmp"), config.taskSlots(), config.taskManagerMemory()));
        // The JobManager and each TaskManager on the first free port from cluster.metrics-base-port.
        int metricsBase = metricsBasePort();
        if (metricsBase > 0) {
            c.putAll(FlinkProcesses.metricsReporter("127.0.0.1", metricsBase + "-" + (metricsBase + 9)));
        }
        Files.createDirectories(data.resolve("flink-tmp"));
        Files.writeString(flinkConf.resolve("config.yaml"), FlinkProcesses.configYaml(c, "./vigil cluster"));

        add(new ChildProcess("flink-jobmanager", FlinkProcesses.JOBMANAGER_MAIN,
                List.of("--configDir", flinkConf.toString()), FlinkProcesses.jobManagerJvm(data.resolve("flink-tmp")),
                Map.of(), logs, Duration.ofSeconds(20), flinkClasspath()));
        awaitRest(ov -> true, "the JobManager's REST API", Duration.ofMinutes(2), "flink-jobmanager");

        List<String> jvm = FlinkProcesses.taskManagerJvm(flinkConf, data.resolve("flink-tmp"));
        for (int i = 1; i <= config.taskManagers(); i++) {
            add(new ChildProcess("flink-taskmanager-" + i, FlinkProcesses.TASKMANAGER_MAIN,
                    FlinkProcesses.taskManagerArgs(flinkConf, "flink-taskmanager-" + i), jvm, Map.of(), logs,
                    Duration.ofSeconds(20), flinkClasspath()));
        }
        awaitRest(ov -> ov.path("taskmanagers").asInt() >= config.taskManagers(),
                config.taskManagers() + " TaskManagers registered", Duration.ofMinutes(2), "flink-");
        say("Flink       session cluster, REST API and job status at " + restUrl() + " (" + config.taskManagers()
                + " TaskManagers x " + config.taskSlots() + " slots)");
    }

    private void awaitRest(java.util.function.Predicate<com.fasterxml.jackson.databind.JsonNode> ready, String what,
                           Duration timeout, String processes) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            requireAlive(processes);
            try {
                if (ready.test(flinkRest("/overview"))) return;
            } catch (IOException notYet) {
                // Still starting.
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("Flink: no " + what + " within " + timeout + "; see " + logs);
            }
            Thread.sleep(500);
        }
    }

    /** Waits until the writers have joined their consumer group, so the first samples are not waiting on a rebalance. */
    private void awaitWritersJoined() throws Exception {
        String group = config.platform().settings().string("writer.group-id");
        try (Admin admin = Admin.create(adminClientProperties())) {
            Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
            while (Instant.now().isBefore(deadline)) {
                requireAlive("writer-");
                try {
                    var d = admin.describeConsumerGroups(List.of(group)).all().get(5, TimeUnit.SECONDS).get(group);
                    if (d.members().size() >= config.writers()) {
                        say("Writers     " + config.writers() + " processes in consumer group " + group);
                        return;
                    }
                } catch (Exception notYet) {
                    // The group does not exist yet.
                }
                Thread.sleep(500);
            }
        }
        throw new IllegalStateException("the writers did not join consumer group " + group + " within 2 minutes; see "
                + logs.resolve("writer-1.log"));
    }

    private void requireAlive(String prefix) {
        for (ClusterComponent c : started.all()) {
            if (c.name().startsWith(prefix) && c instanceof ChildProcess p && p.died()) {
                throw new IllegalStateException(p.name() + " exited while starting (" + p.status() + "); see "
                        + p.log());
            }
        }
    }

    /** The settings every component reads: the launcher's, with the cluster's Kafka and database filled in. */
    private Map<String, String> componentSettings(Settings s) {
        Map<String, String> all = new LinkedHashMap<>();
        for (String key : PlatformConfig.defaults().keySet()) all.put(key, s.string(key));
        all.put("kafka.bootstrap", config.bootstrap());
        all.put("db.url", jdbcUrl);
        all.put("db.user", dbUser);
        all.put("db.password", dbPassword);
        return all;
    }

    /** A properties file with one component's keys (readable by its owner only: it holds the database password). */
    private Path settingsFile(String name, Collection<String> keys, Map<String, String> values,
                              Map<String, String> overrides) throws IOException {
        Map<String, String> mine = this.overrides.getOrDefault(name, Map.of());
        Map<String, String> chosen = new LinkedHashMap<>();
        for (String key : keys) {
            chosen.put(key, mine.containsKey(key) ? mine.get(key)
                    : overrides.containsKey(key) ? overrides.get(key) : values.get(key));
        }
        return SettingsFile.write(conf.resolve(name + ".properties"), chosen,
                "Written by ./vigil cluster for " + name + "; keys as in the README's Configuration");
    }

    /** The console's settings, its {@code /metrics} on {@code cluster.metrics-base-port} + 40. */
    private Map<String, String> dashboardSettings(PlatformConfig pc) {
        Map<String, String> s = new LinkedHashMap<>(pc.dashboardSettings());
        s.remove("dashboard.metrics-address");
        if (metricsBasePort() > 0) s.put("dashboard.metrics-address", "127.0.0.1:" + (metricsBasePort() + 40));
        return s;
    }

    /** {@code cluster.metrics-base-port}: where this cluster's {@code /metrics} ports start; 0: none. */
    private int metricsBasePort() {
        return config.platform().settings().integer("cluster.metrics-base-port");
    }

    private ChildProcess child(String name, String mainClass, List<String> args, String heap) {
        return new ChildProcess(name, mainClass, args, List.of("-Xmx" + heap, "-XX:+UseSerialGC"), Map.of(), logs,
                Duration.ofSeconds(30));
    }

    private Path jobJar(String module, String artifact) throws IOException {
        Path dir = config.platform().dashboardJar().getParent().getParent().getParent().resolve(module)
                .resolve("target");
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                var jar = files.filter(f -> f.getFileName().toString().startsWith(artifact)
                        && f.getFileName().toString().endsWith("-flink-job.jar")).findFirst();
                if (jar.isPresent()) return jar.get();
            }
        }
        throw new IllegalStateException("no " + artifact + "-*-flink-job.jar in " + dir
                + " (build it with ./mvnw -DskipTests package)");
    }

    private void add(ClusterComponent c) throws Exception {
        started.add(c);
        if (c instanceof FlinkJob job) say("Job         " + job.name() + ": " + job.status());
    }

    private void track(ClusterComponent c) {
        started.track(c);
    }

    /** GET of a resource of the JobManager's REST API ({@code /overview}, {@code /jobs/<id>}, ...), as JSON. */
    public com.fasterxml.jackson.databind.JsonNode flinkRest(String path) throws IOException, InterruptedException {
        return FlinkJob.getJson(http, restUrl(), path);
    }

    String restUrl() {
        return "http://127.0.0.1:" + config.flinkRestPort();
    }

    private String dashboardBaseUrl() {
        String host = config.platform().dashboardAddress().equals("0.0.0.0") ? "127.0.0.1"
                : config.platform().dashboardAddress();
        return "http://" + host + ":" + config.platform().dashboardPort();
    }

    private void reportDeaths() {
        for (ClusterComponent c : started.all()) {
            if (c instanceof ChildProcess p && p.died()) {
                if (reportedDead.add(p.name() + "@" + p.pid())) {
                    say(p.name() + " " + p.status() + "; see " + p.log());
                }
            }
        }
    }

    /**
     * Stops the collectors (SIGTERM: each flushes and says how many records it published) and returns, by collector
     * id, the {@code (boot epoch, records published)} each reported.
     */
    public Map<String, long[]> stopCollectors() throws Exception {
        Map<String, long[]> published = new LinkedHashMap<>();
        java.util.regex.Pattern line = java.util.regex.Pattern.compile(
                "Collector (\\S+) \\(boot (\\d+)\\): published (\\d+) records");
        for (ClusterComponent c : started.all()) {
            if (c.name().startsWith("collector-") && c instanceof ChildProcess p) {
                p.close();
                for (String l : Files.readAllLines(p.log())) {
                    var m = line.matcher(l);
                    if (m.find()) {
                        published.put(m.group(1), new long[] {Long.parseLong(m.group(2)), Long.parseLong(m.group(3))});
                    }
                }
            }
        }
        return published;
    }

    /** One line per process: name and state. */
    public List<String> statusLines() {
        return started.statusLines();
    }

    /** Every component, in the order started. */
    public List<ClusterComponent> components() {
        return started.all();
    }

    /** A component by name ({@code kafka-2}, {@code flink-taskmanager-1}, {@code detection-job}, ...). */
    public ClusterComponent component(String name) {
        return started.get(name);
    }

    public ChildProcess process(String name) {
        return (ChildProcess) component(name);
    }

    public String bootstrapServers() {
        return config.bootstrap();
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    public String dbUser() {
        return dbUser;
    }

    public String dbPassword() {
        return dbPassword;
    }

    public Topics topics() {
        return topics;
    }

    public String dashboardUrl() {
        return dashboard == null ? null : dashboard.url();
    }

    public String flinkRestUrl() {
        return restUrl();
    }

    public Path logDir() {
        return logs;
    }

    private void say(String line) {
        console.println(line);
        console.flush();
    }

    /** Stops everything in reverse order of start; leaves no process and no port. */
    @Override
    public void close() {
        watcher.shutdownNow();
        started.close();
    }

}
