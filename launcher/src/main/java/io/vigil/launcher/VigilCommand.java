package io.vigil.launcher;

import io.vigil.model.config.Settings;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/** The {@code ./vigil} command line. */
public final class VigilCommand {

    static final String USAGE = """
            Usage: ./vigil <command> [options]

            Commands:
              demo      run the whole platform on this machine (Kafka, PostgreSQL, Flink, simulator, dashboard)
              cluster   the distributed topology in miniature, every part its own process: 3 Kafka brokers, a
                        Flink session cluster (JobManager, 2 TaskManagers) running the jobs, 2 writers,
                        PostgreSQL, the dashboard and 2 collectors; the options of demo, and
                        --collectors N, --writers N, --task-managers N, --flink-port N (REST API, default 8081),
                        --kafka-security sasl-ssl (SASL/SCRAM over TLS only, a Kafka user with ACLs per component)
              collect   run a collector: ./vigil collect --config FILE [--once] [--output -]
              scorecard run the labelled detection scenarios (the simulator's and the field fleet's) through the
                        detection job, with the static-threshold baseline beside it, and print precision, recall, F1,
                        latency, pages and page precision [--json] [--sensitivity] [--soak-hours H];
                        --arrival: the suite as real time, a backlog, shuffled partitions and a restart from a
                        savepoint halfway, alerts compared; --generated N [--seed S]
                        [--arrival-modes real_time,backlog,shuffled,restart]: N scenarios drawn from a declared
                        space, recall as a curve over each fault's size, page precision, false pages per 1,000
                        GPU-hours and arrival invariance
              chaos     the failure scenarios, each on a fresh ./vigil cluster: a TaskManager killed -9 (R1); 5 of
                        them, then the JobManager (R2); the leading broker (R3); two of three brokers for 2 min
                        (R4); Kafka down 5 min and a collector killed -9 during it (R5); PostgreSQL (R6); one of
                        a real Alertmanager pair for 10 min, on-call's pages judged (R7); hostile records (R8); a
                        collector's clock 10 min fast (R9); twice the load for 10 min (R10); prints records in,
                        stored, dead-lettered, lost, duplicated and recovery time
                        [--json] [--scenarios R1,..] [--hosts N] [--run-seconds S] [--kafka-security sasl-ssl]
              bench     ./vigil bench detection [--json] [--gpus N] [--seconds S] [--load-seconds S]: the detection
                        job's throughput, alert latency under load, checkpoint and state size on this machine;
                        ./vigil bench notifications [--json] [--black-hole]: notification latency, direct and
                        through a real Alertmanager, at 1,000 incidents a minute; with --black-hole, a webhook's
                        latency alone and beside an endpoint that never answers;
                        ./vigil bench storage [--json] [--gpus N] [--seconds S]: ingest, bytes per sample and a
                        capacity query against VictoriaMetrics on the same samples;
                        ./vigil bench dashboard [--json] [--gpus N] [--sessions N] [--seconds S]: the overview
                        of 16,384 simulated GPUs at 1 Hz with 5 signed-in browser sessions (server CPU, bytes
                        per session, browser time per update);
                        ./vigil bench site [--json] [--hosts N] [--minutes M] [--sessions N]: a whole site
                        (2,048 hosts, 16,384 GPUs at 1 Hz, faults throughout) for M minutes (30) with N sessions
                        (5): sample → stored and sample → alert lag p50/p99, CPU per process, kept up or not;
                        ./vigil bench cluster [--json] [--hosts N] [--seconds S]: the whole path on
                        ./vigil cluster (collectors, 3 brokers, Flink, writers, PostgreSQL): records/s, end-to-end
                        lag, CPU per stage and the cores each stage needs for 100,000 GPUs;
                        ./vigil bench collectors [bmc-fleet]: the collectors' benchmarks (bmc-fleet: only
                        the 500-BMC Redfish run)
              user      dashboard users and API tokens (the users file, dashboard.users-file):
                        ./vigil user add NAME --role viewer|operator|admin [--password-stdin]
                        ./vigil user token NAME --role viewer|operator|admin   (prints a new API token once)
                        ./vigil user remove NAME | ./vigil user list
              help      show this text

            Options of demo:
              --config FILE         settings file (Java properties; keys as in README 'Configuration')
              --kafka HOST:PORT     use this Kafka cluster instead of the embedded broker
              --kafka-port N        port of the embedded broker (default 9092)
              --db-url JDBC-URL     use this PostgreSQL/TimescaleDB instead of the embedded one
              --db-port N           port of the embedded PostgreSQL (default 15432)
              --data-dir DIR        where the embedded broker and database keep data (default .vigil/data)
              --fresh               delete the data directory first
              --no-simulator        start without the simulator; outside producers feed Kafka
              --no-faults           run the simulator without the scripted faults
              --fault-port N        port of the simulator's fault-injection endpoint on 127.0.0.1 (default 8079)
              --hosts N             simulated hosts, 8 GPUs each (default 64)
              --speed X             simulated time runs X times faster than real time (default 1)
              --dashboard-port N    dashboard port (default 8080)
              --dashboard-address A address the dashboard listens on (default 127.0.0.1)
              --notify-config FILE  notification routing file (YAML, see docs/notify-routing.example.yml);
                                    without it, incidents go to the dashboard's inbox (Notifications page)

            Every setting can also be given as an environment variable: db.url as VIGIL_DB_URL, and so on.
            """;

    private static final Map<String, String> VALUE_FLAGS = Map.ofEntries(
            Map.entry("--kafka", "kafka.bootstrap"),
            Map.entry("--kafka-port", "kafka.embedded-port"),
            Map.entry("--db-url", "db.url"),
            Map.entry("--db-port", "db.embedded-port"),
            Map.entry("--data-dir", "data.dir"),
            Map.entry("--hosts", "simulator.hosts"),
            Map.entry("--speed", "simulator.speed"),
            Map.entry("--dashboard-port", "dashboard.port"),
            Map.entry("--dashboard-address", "dashboard.address"),
            Map.entry("--fault-port", "simulator.control-port"),
            Map.entry("--notify-config", "notify.routing-file"),
            Map.entry("--collectors", "cluster.collectors"),
            Map.entry("--writers", "cluster.writers"),
            Map.entry("--task-managers", "cluster.task-managers"),
            Map.entry("--flink-port", "cluster.flink-rest-port"),
            Map.entry("--kafka-security", "cluster.kafka-security"));

    private static final Map<String, Map.Entry<String, String>> SWITCHES = Map.of(
            "--fresh", Map.entry("data.fresh", "true"),
            "--no-simulator", Map.entry("simulator.enabled", "false"),
            "--no-faults", Map.entry("simulator.fault-script", "none"));

    private VigilCommand() {}

    public static void main(String[] args) {
        PrintStream out = System.out;
        if (args.length == 0 || List.of("help", "--help", "-h").contains(args[0])) {
            out.print(USAGE);
            return;
        }
        if (args[0].equals("collect")) {
            // With --output - stdout carries only the JSON records, one per line: the console log goes to stderr
            // (log4j2.xml reads this property when the first logger is made, which is after this line).
            if (System.getProperty("vigil.log.console") == null) System.setProperty("vigil.log.console", "SYSTEM_ERR");
            int code;
            try {
                code = io.vigil.collectors.CollectCommand.run(java.util.Arrays.copyOfRange(args, 1, args.length),
                        System.getenv(), out, System.err);
            } catch (Exception e) {
                System.err.println("vigil collect: " + (e.getMessage() == null ? "failed" : e.getMessage()));
                code = 1;
            }
            org.apache.logging.log4j.LogManager.shutdown();
            System.exit(code);
            return;
        }
        if (args[0].equals("scorecard") || args[0].equals("bench") || args[0].equals("chaos")) {
            // Evaluation lives in its own module (vigil-evaluation); ./vigil starts it, not the launcher.
            System.err.println("vigil: '" + args[0] + "' runs from the evaluation module: use ./vigil " + args[0]);
            System.exit(2);
            return;
        }
        if (args[0].equals("cluster")) {
            runCluster(args, out);
            return;
        }
        if (!args[0].equals("demo")) {
            System.err.println("vigil: unknown command '" + args[0] + "'\n");
            System.err.print(USAGE);
            System.exit(2);
        }
        Path home = Path.of(System.getProperty("vigil.home", ".")).toAbsolutePath().normalize();
        PlatformConfig config;
        try {
            config = parse(args, home);
            Preflight.check(config); // before anything starts: settings, fault script, ports
        } catch (IllegalArgumentException | io.vigil.model.config.Settings.ConfigException e) {
            System.err.println("vigil demo: " + e.getMessage());
            System.exit(2);
            return;
        }
        Platform platform;
        try {
            platform = Platform.start(config, out);
        } catch (Exception e) {
            System.err.println("vigil demo: could not start: " + e.getMessage());
            System.err.println("(details in " + config.dataDir().resolve("logs/vigil.log") + ")");
            org.slf4j.LoggerFactory.getLogger(VigilCommand.class).error("Start failed", e);
            System.exit(1);
            return;
        }
        out.println("Parts:");
        platform.statusLines().forEach(out::println);
        runUntilStopped(out, "Vigil", platform, "ready: Vigil is running. Dashboard "
                + (platform.dashboardUrl() == null ? "off"
                        : platform.dashboardUrl() + " (user admin, password " + (config.dashboardAdminPassword() == null
                        ? platform.adminPassword() : "from dashboard.admin-password") + ")")
                + ", Kafka " + platform.bootstrapServers() + ", PostgreSQL " + platform.jdbcUrl()
                + ". Press Ctrl-C to stop.");
    }

    /** Prints {@code ready}, then waits for Ctrl-C (SIGINT/SIGTERM), when {@code running} is stopped. */
    private static void runUntilStopped(PrintStream out, String what, AutoCloseable running, String ready) {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println("Stopping " + what + "...");
            try {
                running.close();
            } catch (Exception e) {
                out.println("While stopping: " + e);
            }
            out.println("Stopped.");
            stopped.countDown();
            org.apache.logging.log4j.LogManager.shutdown();
        }, "vigil-shutdown"));
        out.println(ready);
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code ./vigil cluster}: up until Ctrl-C, then everything down in reverse order. */
    private static void runCluster(String[] args, PrintStream out) {
        Path home = Path.of(System.getProperty("vigil.home", ".")).toAbsolutePath().normalize();
        io.vigil.launcher.cluster.ClusterConfig config;
        try {
            config = io.vigil.launcher.cluster.ClusterConfig.from(parse(args, home));
            Preflight.check(config);
        } catch (IllegalArgumentException | io.vigil.model.config.Settings.ConfigException e) {
            System.err.println("vigil cluster: " + e.getMessage());
            System.exit(2);
            return;
        }
        String adminPassword = config.platform().dashboardAdminPassword() != null
                ? config.platform().dashboardAdminPassword() : Platform.generatedPassword();
        io.vigil.launcher.cluster.LocalCluster cluster;
        try {
            cluster = io.vigil.launcher.cluster.LocalCluster.start(config, out, adminPassword);
        } catch (Exception e) {
            System.err.println("vigil cluster: could not start: " + e.getMessage());
            org.slf4j.LoggerFactory.getLogger(VigilCommand.class).error("Cluster start failed", e);
            System.exit(1);
            return;
        }
        out.println("Processes:");
        cluster.statusLines().forEach(out::println);
        runUntilStopped(out, "the cluster", cluster, "ready: Vigil cluster is running. Dashboard "
                + (cluster.dashboardUrl() == null ? "off" : cluster.dashboardUrl() + " (user admin, password "
                + (config.platform().dashboardAdminPassword() == null ? adminPassword
                : "from dashboard.admin-password") + ")") + ", Kafka " + cluster.bootstrapServers()
                + ", Flink " + cluster.flinkRestUrl() + ", PostgreSQL " + cluster.jdbcUrl() + ". Press Ctrl-C to stop.");
    }

    /** Flags override the environment, which overrides the file, which overrides the defaults. */
    static PlatformConfig parse(String[] args, Path home) {
        Map<String, String> overrides = new LinkedHashMap<>();
        Path file = null;
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (SWITCHES.containsKey(a)) {
                var e = SWITCHES.get(a);
                overrides.put(e.getKey(), e.getValue());
            } else if (a.equals("--config") || VALUE_FLAGS.containsKey(a)) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(a + " needs a value");
                }
                String v = args[++i];
                if (a.equals("--config")) {
                    file = Path.of(v);
                } else {
                    overrides.put(VALUE_FLAGS.get(a), v);
                }
            } else {
                throw new IllegalArgumentException("unknown option '" + a + "' (see ./vigil help)");
            }
        }
        try {
            Settings s = Settings.load(PlatformConfig.catalog(), file, System.getenv(), overrides);
            return PlatformConfig.from(s, home);
        } catch (Settings.ConfigException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }
}
