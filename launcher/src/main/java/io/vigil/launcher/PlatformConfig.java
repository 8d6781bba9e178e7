package io.vigil.launcher;

import io.vigil.collectors.simulator.SimulatorMain;
import io.vigil.detection.DetectionJobMain;
import io.vigil.model.config.SettingSpecs;
import io.vigil.model.config.SettingSpecs.Range;
import io.vigil.model.config.Settings;
import io.vigil.storage.writer.WriterMain;
import java.nio.file.Path;
import java.util.Map;

/**
 * Settings of the embedded platform ({@code ./vigil demo}): the launcher's own keys plus those of every component
 * it runs, so one file (or one set of {@code VIGIL_*} variables) configures them all, with the same keys as the
 * distributed deployment.
 */
public record PlatformConfig(
        String externalKafka,
        int kafkaPort,
        String externalDbUrl,
        int dbPort,
        Path dataDir,
        boolean fresh,
        boolean simulatorEnabled,
        boolean dashboardEnabled,
        int dashboardPort,
        String dashboardAddress,
        Path dashboardJar,
        Path dashboardUsersFile,
        String dashboardAdminPassword,
        int faultControlPort,
        int parallelism,
        int telemetryPartitions,
        Settings settings) {

    /**
     * Every key the launcher knows: each component's (each defined once, in its own {@code settings()}), then the
     * launcher's and {@code ./vigil cluster}'s. The README's configuration table is this, rendered
     * ({@code ReadmeSettingsTest}).
     */
    public static SettingSpecs catalog() {
        SettingSpecs s = new SettingSpecs()
                .addAll(io.vigil.model.config.CommonSettings.kafkaSettings())
                .addAll(io.vigil.model.config.CommonSettings.databaseSettings())
                .addAll(SimulatorMain.settings())
                .addAll(DetectionJobMain.settings())
                .addAll(WriterMain.settings())
                .addAll(io.vigil.notify.NotificationJobMain.settings());
        // In the embedded mode these are empty: the launcher starts its own broker and database.
        s.override("kafka.bootstrap", "", "Kafka bootstrap servers (`--kafka`); empty: the launcher's own broker");
        s.override("db.url", "", "JDBC URL of PostgreSQL/TimescaleDB (`--db-url`); empty: the launcher's own "
                + "PostgreSQL");
        s.add("kafka.embedded-port", "9092", Range.integer(0, 65535),
                "port of the embedded broker (`--kafka-port`); `./vigil cluster`: "
                + "its first broker's");
        s.add("kafka.telemetry-partitions", "4", Range.integer(1, 256),
                "partitions of the telemetry topics the launcher creates");
        s.add("db.embedded-port", "15432", Range.integer(1, 65535), "port of the embedded PostgreSQL (`--db-port`)");
        s.add("data.dir", ".vigil/data", "where the embedded broker and database keep data (`--data-dir`)");
        s.add("data.fresh", "false", "delete `data.dir` first (`--fresh`)");
        s.add("simulator.enabled", "true", "run the simulator (`--no-simulator`)");
        s.add("simulator.control-port", "8079", Range.integer(0, 65535),
                "fault-injection endpoint on 127.0.0.1 (`--fault-port`; 0 picks "
                + "a free port)");
        s.add("dashboard.enabled", "true", "run the dashboard");
        s.add("dashboard.port", "8080", Range.integer(0, 65535), "the dashboard's port (`--dashboard-port`)");
        s.add("dashboard.address", "127.0.0.1", "the address the dashboard listens on (`--dashboard-address`)");
        s.add("dashboard.jar", "dashboard/target/vigil-dashboard.jar", "the dashboard's jar (built by "
                + "`./mvnw package`)");
        s.add("dashboard.users-file", ".vigil/users", "the dashboard's users and API tokens, written by "
                + "`./vigil user`; read again when it changes");
        s.add("dashboard.admin-password", "", "password of the built-in user `admin`; unset, `./vigil demo` "
                + "generates one and prints it");
        s.add("flink.parallelism", "2", Range.integer(1, 64),
                "parallelism of the detection job (the local MiniCluster's, or on "
                + "`./vigil cluster`'s session cluster)");
        s.add("metrics.detection-port", "9249", Range.integer(0, 65535),
                "Prometheus `/metrics` of the detection job: Vigil's counters as `vigil_*` (the router's "
                + "`vigil_accepted_late_total`, `vigil_rejected_late_total` and per collector "
                + "`vigil_rejected_late_by_source_total`, `vigil_stored_not_judged_total`, refusals by reason), "
                + "Flink's as `flink_*` (records, watermarks, checkpoints); 0: off");
        s.add("metrics.notifications-port", "9250", Range.integer(0, 65535),
                "Prometheus `/metrics` of the notification job (per delivery endpoint: `vigil_endpoint_in_flight`, "
                + "`vigil_endpoint_oldest_seconds`, `vigil_endpoint_failures`, `vigil_endpoint_failing`, "
                + "`vigil_endpoint_breaker`); 0: off");
        s.add("metrics.writer-port", "9251", Range.integer(0, 65535),
                "Prometheus `/metrics` of the writer (`vigil_writer_*`: records written, rejected by reason, "
                + "batches, write time, database up, consumer lag); 0: off");
        s.add("metrics.simulator-port", "9252", Range.integer(0, 65535),
                "Prometheus `/metrics` of the simulator (`vigil_simulator_*`: records published, active faults, "
                + "behind the clock); 0: off");
        s.add("metrics.kafka-port", "9254", Range.integer(0, 65535),
                "Prometheus `/metrics` of the embedded Kafka broker (`vigil_kafka_*`: records and bytes in and out, "
                + "failed requests, under-replicated and under-min-ISR partitions, offline partitions, active "
                + "controller); 0: off");
        s.add("metrics.dashboard-port", "9253", Range.integer(0, 65535),
                "Prometheus `/metrics` of the console (`vigil_dashboard_*`: live views, refresh read time, age "
                + "of the data shown, database pool), apart from its signed-in port; 0: off");
        s.addAll(io.vigil.model.config.DashboardSettings.settings());
        s.addAll(io.vigil.launcher.cluster.ClusterConfig.settings());
        s.addAll(io.vigil.launcher.container.ContainerConfig.settings());
        return s;
    }

    public static Map<String, String> defaults() {
        return catalog().defaults();
    }

    public static PlatformConfig from(Settings s, Path home) {
        Path dataDir = home.resolve(s.string("data.dir")).normalize();
        return new PlatformConfig(
                s.optional("kafka.bootstrap"),
                s.integer("kafka.embedded-port"),
                s.optional("db.url"),
                s.integer("db.embedded-port"),
                dataDir,
                s.bool("data.fresh"),
                s.bool("simulator.enabled"),
                s.bool("dashboard.enabled"),
                s.integer("dashboard.port"),
                s.string("dashboard.address"),
                home.resolve(s.string("dashboard.jar")).normalize(),
                home.resolve(s.string("dashboard.users-file")).normalize(),
                s.optional("dashboard.admin-password"),
                s.integer("simulator.control-port"),
                s.integer("flink.parallelism"),
                s.integer("kafka.telemetry-partitions"),
                s);
    }

    /**
     * The console's own settings as this run has them ({@link io.vigil.model.config.DashboardSettings}), those that
     * differ from their defaults, with its {@code /metrics} on {@code metrics.dashboard-port} (0: none).
     */
    public java.util.Map<String, String> dashboardSettings() {
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        for (SettingSpecs.Spec spec : io.vigil.model.config.DashboardSettings.settings().all()) {
            String v = settings.string(spec.key());
            if (!v.equals(spec.defaultValue())) out.put(spec.key(), v);
        }
        int metricsPort = settings.integer("metrics.dashboard-port");
        if (metricsPort > 0 && !out.containsKey("dashboard.metrics-address")) {
            out.put("dashboard.metrics-address", "127.0.0.1:" + metricsPort);
        }
        return out;
    }
}
