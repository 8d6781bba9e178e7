package io.vigil.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.launcher.container.ContainerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code docker-compose.yml} kept true to the image and the code between runs of {@code deploy/compose-smoke} (which
 * runs it, in CI): every role the entry point knows, three Kafka nodes in {@code kafka.bootstrap}'s order, the
 * volumes where {@link ContainerConfig} keeps data, nothing published beyond the loopback address, and no default
 * credential.
 */
class ComposeFileTest {

    static final Path COMPOSE = Path.of("..", "docker-compose.yml");

    @SuppressWarnings("unchecked")
    static Map<String, Map<String, Object>> services() throws Exception {
        Map<String, Object> compose = new Yaml().load(Files.readString(COMPOSE));
        return (Map<String, Map<String, Object>>) compose.get("services");
    }

    static Map<String, Object> service(String name) throws Exception {
        Map<String, Object> s = services().get(name);
        assertThat(s).as("service " + name).isNotNull();
        return s;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> environment(Map<String, Object> service) {
        return (Map<String, Object>) service.getOrDefault("environment", Map.of());
    }

    @SuppressWarnings("unchecked")
    static List<String> list(Map<String, Object> service, String key) {
        return (List<String>) service.getOrDefault(key, List.of());
    }

    @Test
    void everyVigilServiceRunsARoleOfTheImagesEntryPoint() throws Exception {
        String entrypoint = Files.readString(Path.of("..", "deploy", "docker", "vigil-entrypoint"));
        int vigil = 0;
        for (var e : services().entrySet()) {
            if (!"vigil:0.1.0".equals(e.getValue().get("image"))) continue;
            vigil++;
            List<String> command = list(e.getValue(), "command");
            assertThat(command).as(e.getKey()).hasSize(1);
            assertThat(entrypoint).as(e.getKey()).containsPattern("(?m)^\\s+(\\S+\\|)?" + Pattern.quote(command.get(0))
                    + "(\\|\\S+)?\\)");
            assertThat(e.getValue().get("build")).as(e.getKey() + " builds the image here").isNotNull();
        }
        assertThat(vigil).isEqualTo(10);
        assertThat(service("postgres").get("build")).isNotNull();
    }

    @Test
    void threeKafkaNodesEachTheirOwnPlaceInTheBootstrapListWithTheirLogOnAVolume() throws Exception {
        String bootstrap = "kafka1:9092,kafka2:9092,kafka3:9092";
        for (var e : services().entrySet()) {
            Object b = environment(e.getValue()).get("VIGIL_KAFKA_BOOTSTRAP");
            if (b != null) assertThat(b).as(e.getKey()).isEqualTo(bootstrap);
        }
        ContainerConfig defaults = ContainerConfig.from(io.vigil.model.config.Settings.load(PlatformConfig.catalog(),
                null, Map.of(), Map.of()));
        for (int node = 1; node <= 3; node++) {
            Map<String, Object> s = service("kafka" + node);
            assertThat(list(s, "command")).containsExactly("kafka-node");
            assertThat(environment(s)).containsEntry("VIGIL_CONTAINER_KAFKA_NODE_ID", String.valueOf(node));
            assertThat(bootstrap.split(",")[node - 1]).startsWith("kafka" + node + ":");
            assertThat(list(s, "volumes")).containsExactly("kafka" + node + "-data:" + defaults.kafkaDir());
        }
    }

    @Test
    void theFlinkProcessesAndTheJobSupervisorShareTheCheckpointVolume() throws Exception {
        ContainerConfig defaults = ContainerConfig.from(io.vigil.model.config.Settings.load(PlatformConfig.catalog(),
                null, Map.of(), Map.of()));
        for (String name : List.of("jobmanager", "taskmanager", "jobs")) {
            assertThat(list(service(name), "volumes")).as(name)
                    .contains("flink-checkpoints:" + defaults.checkpointsDir());
        }
        Map<String, Object> jobs = service("jobs");
        String routing = String.valueOf(environment(jobs).get("VIGIL_NOTIFY_ROUTING_FILE"));
        assertThat(list(jobs, "volumes")).contains("./deploy/notify-routing.compose.yml:" + routing + ":ro");
        assertThat(Files.readString(Path.of("..", "deploy", "notify-routing.compose.yml")))
                .contains("http://dashboard:8080/api/v1/inbox").contains("secret_env: VIGIL_INBOX_SECRET");
        // The client checks the routing's secret before it submits; the TaskManagers sign with it; the inbox checks it.
        for (String name : List.of("jobs", "taskmanager", "dashboard")) {
            assertThat(String.valueOf(environment(service(name)).get("VIGIL_INBOX_SECRET"))).as(name)
                    .startsWith("${VIGIL_INBOX_SECRET:?");
        }
    }

    @Test
    void onlyTheDashboardFlinkTheFaultEndpointAndMetricsArePublishedAndOnlyOnLoopback() throws Exception {
        List<String> published = new ArrayList<>();
        for (var e : services().entrySet()) {
            for (String port : list(e.getValue(), "ports")) {
                assertThat(port).as(e.getKey()).startsWith("${VIGIL_PUBLISH_ADDRESS:-127.0.0.1}:");
                published.add(e.getKey() + "=" + port.substring(port.indexOf("}:") + 2));
            }
        }
        assertThat(published).containsExactlyInAnyOrder("dashboard=8080:8080", "jobmanager=8081:8081",
                "simulator=8079:8079", "taskmanager=9249:9249", "jobmanager=9250:9249", "writer=9251:9251",
                "simulator=9252:9252", "dashboard=9253:9253", "prometheus=9090:9090", "kafka1=9254:9254",
                "kafka2=9255:9254", "kafka3=9256:9254", "jobs=9257:9257");
        assertThat(environment(service("simulator"))).containsEntry("VIGIL_SIMULATOR_FAULT_ENDPOINT", "0.0.0.0:8079")
                .containsEntry("VIGIL_SIMULATOR_METRICS_ADDRESS", "0.0.0.0:9252");
        // Each /metrics where the component serves it: the settings' keys, and Flink's reporter on 9249.
        assertThat(environment(service("writer"))).containsEntry("VIGIL_WRITER_METRICS_ADDRESS", "0.0.0.0:9251");
        assertThat(environment(service("dashboard"))).containsEntry("VIGIL_DASHBOARD_METRICS_ADDRESS", "0.0.0.0:9253");
        assertThat(io.vigil.storage.writer.WriterMain.settings().all()).anyMatch(x -> x.key().equals("writer.metrics-address"));
        assertThat(io.vigil.collectors.simulator.SimulatorMain.settings().all())
                .anyMatch(x -> x.key().equals("simulator.metrics-address"));
        assertThat(io.vigil.launcher.cluster.FlinkProcesses.metricsReporter("0.0.0.0", "9249"))
                .containsEntry("metrics.reporter.vigil.port", "9249");
    }

    /** Prometheus scrapes every process that serves /metrics, by its service name and the port it serves on. */
    @Test
    @SuppressWarnings("unchecked")
    void prometheusScrapesEveryProcessOnItsMetricsPort() throws Exception {
        Map<String, Object> prometheus = new org.yaml.snakeyaml.Yaml().load(
                Files.readString(COMPOSE.resolveSibling("deploy").resolve("prometheus").resolve("prometheus.yml")));
        List<String> targets = new ArrayList<>();
        for (Object job : (List<Object>) prometheus.get("scrape_configs")) {
            for (Object sc : (List<Object>) ((Map<String, Object>) job).get("static_configs")) {
                targets.addAll((List<String>) ((Map<String, Object>) sc).get("targets"));
            }
        }
        assertThat(targets).containsExactlyInAnyOrder("taskmanager:9249", "jobmanager:9249", "writer:9251",
                "simulator:9252", "dashboard:9253", "kafka1:" + ContainerConfig.KAFKA_METRICS_PORT,
                "kafka2:" + ContainerConfig.KAFKA_METRICS_PORT, "kafka3:" + ContainerConfig.KAFKA_METRICS_PORT,
                "jobs:" + ContainerConfig.JOBS_METRICS_PORT, "postgres-exporter:9187", "127.0.0.1:9090");
        assertThat(targets).allSatisfy(t -> {
            String host = t.substring(0, t.indexOf(':'));
            if (!host.equals("127.0.0.1")) assertThat(services()).as(t).containsKey(host);
        });
        assertThat((List<String>) prometheus.get("rule_files")).containsExactly("/etc/prometheus/vigil-rules.yml");
        assertThat(Files.readString(COMPOSE.resolveSibling(".dockerignore"))).contains("!deploy/prometheus");
    }

    @Test
    void noCredentialHasADefault() throws Exception {
        String text = Files.readString(COMPOSE);
        Matcher m = Pattern.compile("(PASSWORD|SECRET)[A-Z_]*: (.*)").matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
            assertThat(m.group(2)).as(m.group()).matches("\\$\\{VIGIL_[A-Z_]+:\\?.+\\}");
        }
        assertThat(n).isGreaterThanOrEqualTo(5);
    }
}
