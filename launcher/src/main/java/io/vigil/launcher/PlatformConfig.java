package io.vigil.launcher;

import io.vigil.collectors.simulator.SimulatorMain;
import io.vigil.detection.DetectionJobMain;
import io.vigil.model.config.Settings;
import io.vigil.storage.writer.WriterMain;
import java.nio.file.Path;
import java.util.LinkedHashMap;
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

    public static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.putAll(SimulatorMain.defaults());
        d.putAll(DetectionJobMain.defaults());
        d.putAll(WriterMain.defaults());
        d.putAll(io.vigil.notify.NotificationJobMain.defaults());
        // In the embedded mode these are empty: the launcher starts its own broker and database.
        d.put("kafka.bootstrap", "");
        d.put("db.url", "");
        d.put("kafka.embedded-port", "9092");
        d.put("kafka.telemetry-partitions", "4");
        d.put("db.embedded-port", "15432");
        d.put("data.dir", ".vigil/data");
        d.put("data.fresh", "false");
        d.put("simulator.enabled", "true");
        d.put("simulator.control-port", "8079");
        d.put("dashboard.enabled", "true");
        d.put("dashboard.port", "8080");
        d.put("dashboard.address", "127.0.0.1");
        d.put("dashboard.jar", "dashboard/target/vigil-dashboard.jar");
        d.put("dashboard.users-file", ".vigil/users");
        d.put("dashboard.admin-password", "");
        d.put("flink.parallelism", "2");
        d.putAll(io.vigil.launcher.cluster.ClusterConfig.defaults());
        return d;
    }

    public static PlatformConfig from(Settings s, Path home) {
        Path dataDir = home.resolve(s.string("data.dir")).normalize();
        return new PlatformConfig(
                s.optional("kafka.bootstrap"),
                s.integer("kafka.embedded-port", 0, 65535),
                s.optional("db.url"),
                s.integer("db.embedded-port", 1, 65535),
                dataDir,
                s.bool("data.fresh"),
                s.bool("simulator.enabled"),
                s.bool("dashboard.enabled"),
                s.integer("dashboard.port", 0, 65535),
                s.string("dashboard.address"),
                home.resolve(s.string("dashboard.jar")).normalize(),
                home.resolve(s.string("dashboard.users-file")).normalize(),
                s.optional("dashboard.admin-password"),
                s.integer("simulator.control-port", 0, 65535),
                s.integer("flink.parallelism", 1, 64),
                s.integer("kafka.telemetry-partitions", 1, 256),
                s);
    }
}
