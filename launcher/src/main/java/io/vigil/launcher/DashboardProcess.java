package io.vigil.launcher;

import io.vigil.model.config.Settings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The dashboard in its own JVM, started from its Spring Boot jar. It runs apart because Spring Boot's dependency
 * set (Logback, kafka-clients 3.x) clashes with the broker's and Flink's; it also mirrors the distributed
 * deployment, where the dashboard is its own service. It exits by itself if this process dies.
 */
public final class DashboardProcess implements AutoCloseable {

    private final Process process;
    private final String url;

    private DashboardProcess(Process process, String url) {
        this.process = process;
        this.url = url;
    }

    public static DashboardProcess start(Path jar, String address, int port, String jdbcUrl, String user,
                                         String password, String kafkaBootstrap, String topicsPrefix,
                                         Map<String, String> kafkaSecurity, Path usersFile, String adminPassword,
                                         String inboxSecret, Path logFile) throws IOException {
        return start(jar, address, port, jdbcUrl, user, password, kafkaBootstrap, topicsPrefix, kafkaSecurity,
                usersFile, adminPassword, inboxSecret, Map.of(), logFile);
    }

    /**
     * @param settings the console's own settings ({@link io.vigil.model.config.DashboardSettings} keys), passed
     *                 on the command line; the others keep their defaults
     */
    public static DashboardProcess start(Path jar, String address, int port, String jdbcUrl, String user,
                                         String password, String kafkaBootstrap, String topicsPrefix,
                                         Map<String, String> kafkaSecurity, Path usersFile, String adminPassword,
                                         String inboxSecret, Map<String, String> settings, Path logFile)
            throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("dashboard jar not found at " + jar
                    + " (build it with ./mvnw -DskipTests package, or set dashboard.jar)");
        }
        Files.createDirectories(logFile.getParent());
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx512m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"));
        cmd.add("-jar");
        cmd.add(jar.toString());
        cmd.add("--server.address=" + address);
        cmd.add("--server.port=" + port);
        cmd.add("--spring.datasource.url=" + jdbcUrl);
        cmd.add("--spring.datasource.username=" + user);
        cmd.add("--vigil.parent-pid=" + ProcessHandle.current().pid());
        settings.forEach((key, value) -> cmd.add("--" + io.vigil.model.config.DashboardSettings.springProperty(key)
                + "=" + value));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        // The password goes through the environment, not the command line, so `ps` does not show it.
        pb.environment().put("VIGIL_DB_PASSWORD", password);
        // Operator actions (silences, acknowledgements) are published to Kafka.
        pb.environment().put("VIGIL_KAFKA_BOOTSTRAP", kafkaBootstrap);
        pb.environment().put("VIGIL_TOPICS_PREFIX", topicsPrefix);
        // The kafka.* security keys (KafkaSecurity), each as its environment variable: the password stays off `ps`.
        kafkaSecurity.forEach((key, value) -> pb.environment().put(Settings.envName(key), value == null ? "" : value));
        // Sign-in: the users file (./vigil user add) and the built-in admin's password, also kept off the command line.
        pb.environment().put("VIGIL_DASHBOARD_USERS_FILE", usersFile == null ? "" : usersFile.toString());
        pb.environment().put("VIGIL_DASHBOARD_ADMIN_PASSWORD", adminPassword == null ? "" : adminPassword);
        // The inbox's signing secret (shared with the notification job's routing), likewise off the command line.
        pb.environment().put("VIGIL_INBOX_SECRET", inboxSecret == null ? "" : inboxSecret);
        Process p = pb.start();
        String host = address.equals("0.0.0.0") ? "localhost" : address;
        return new DashboardProcess(p, "http://" + host + ":" + port);
    }

    public String url() {
        return url;
    }

    /** The dashboard JVM's process id (benchmarks read its CPU time). */
    public long pid() {
        return process.pid();
    }

    /** Waits until the dashboard's health endpoint answers UP. */
    public void awaitHealthy(Duration timeout, Path logFile) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("dashboard exited with code " + process.exitValue() + "; see " + logFile);
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/actuator/health"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().contains("\"UP\"")) {
                    return;
                }
            } catch (IOException notYet) {
                // Still starting.
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("dashboard did not become healthy within " + timeout + "; see " + logFile);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
