package io.vigil.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.detection.DetectionJobMain;
import io.vigil.model.Topics;
import io.vigil.notify.NotificationJobMain;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code deploy/kubernetes/} (never applied: no cluster where Vigil is developed) kept true to the code: valid YAML,
 * every topic Vigil uses declared with replication 3, Kafka of the clients' version, the job classes and the
 * settings keys the components know.
 */
class KubernetesManifestsTest {

    static List<Map<String, Object>> documents() throws Exception {
        List<Map<String, Object>> docs = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of("..", "deploy", "kubernetes"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                for (Object d : new Yaml().loadAll(Files.readString(f))) {
                    if (d != null) docs.add(cast(d));
                }
            }
        }
        return docs;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> cast(Object o) {
        return (Map<String, Object>) o;
    }

    static List<Map<String, Object>> ofKind(String kind) throws Exception {
        return documents().stream().filter(d -> kind.equals(d.get("kind"))).toList();
    }

    static String name(Map<String, Object> doc) {
        return (String) cast(doc.get("metadata")).get("name");
    }

    @Test
    void everyTopicVigilUsesIsDeclaredWithThreeReplicasOnKafkaOfTheClientsVersion() throws Exception {
        List<String> declared = ofKind("KafkaTopic").stream().map(KubernetesManifestsTest::name).toList();
        assertThat(declared).containsExactlyInAnyOrderElementsOf(Topics.defaults().all());
        assertThat(ofKind("KafkaTopic")).allSatisfy(t -> assertThat(cast(t.get("spec")).get("replicas")).isEqualTo(3));
        Map<String, Object> deadLetters = ofKind("KafkaTopic").stream()
                .filter(t -> name(t).equals(Topics.defaults().deadLetter())).findFirst().orElseThrow();
        assertThat(cast(cast(deadLetters.get("spec")).get("config")))
                .containsEntry("max.message.bytes", io.vigil.model.DeadLetter.MAX_RECORD_BYTES);
        Map<String, Object> kafka = cast(ofKind("Kafka").get(0).get("spec"));
        assertThat(cast(kafka.get("kafka")).get("version")).isEqualTo(AppInfoParser.getVersion());
        assertThat(cast(cast(kafka.get("kafka")).get("config"))).containsEntry("min.insync.replicas", 2);
    }

    @Test
    void theFlinkDeploymentsRunVigilsJobsAndTheSettingsUseKnownKeys() throws Exception {
        List<String> entryClasses = ofKind("FlinkDeployment").stream()
                .map(d -> (String) cast(cast(d.get("spec")).get("job")).get("entryClass")).toList();
        assertThat(entryClasses).containsExactlyInAnyOrder(DetectionJobMain.class.getName(),
                NotificationJobMain.class.getName());
        // Each component refuses keys that are not its own: each file holds only its component's.
        Map<String, Object> data = cast(ofKind("ConfigMap").get(0).get("data"));
        Map<String, Map<String, String>> owners = Map.of("detection.properties", DetectionJobMain.defaults(),
                "writer.properties", io.vigil.storage.writer.WriterMain.defaults(),
                "notifications.properties", NotificationJobMain.defaults());
        for (var e : owners.entrySet()) {
            Properties p = new Properties();
            p.load(new StringReader((String) data.get(e.getKey())));
            assertThat(p.stringPropertyNames()).as(e.getKey()).isNotEmpty()
                    .allSatisfy(k -> assertThat(e.getValue()).containsKey(k));
        }
        String flink = Files.readString(Path.of("..", "deploy", "kubernetes", "20-flink.yaml"));
        assertThat(flink).contains("/etc/vigil/detection.properties", "/etc/vigil/notifications.properties");
    }

    /** The containers of a Deployment's or DaemonSet's pod template. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> containers(Map<String, Object> workload) {
        Map<String, Object> pod = cast(cast(cast(workload.get("spec")).get("template")).get("spec"));
        return (List<Map<String, Object>>) pod.get("containers");
    }

    /**
     * Every container of Vigil's own workloads: every capability dropped (the GPU agent keeps only SYS_PTRACE),
     * no privilege escalation, a read-only root filesystem with /tmp on a volume, non-root but for the agent,
     * requests and limits, and probes; /metrics on the port the NetworkPolicy opens to Prometheus.
     */
    @Test
    @SuppressWarnings("unchecked")
    void everyContainerIsConfinedLimitedProbedAndScrapedOnlyByPrometheus() throws Exception {
        List<Map<String, Object>> workloads = new ArrayList<>(ofKind("Deployment"));
        workloads.addAll(ofKind("DaemonSet"));
        assertThat(workloads).extracting(KubernetesManifestsTest::name)
                .containsExactlyInAnyOrder("vigil-writer", "vigil-dashboard", "vigil-gpu-agent");
        for (Map<String, Object> w : workloads) {
            for (Map<String, Object> c : containers(w)) {
                String what = name(w) + "/" + c.get("name");
                Map<String, Object> sc = cast(c.get("securityContext"));
                assertThat(sc).as(what).containsEntry("readOnlyRootFilesystem", true)
                        .containsEntry("allowPrivilegeEscalation", false);
                assertThat(cast(sc.get("capabilities")).get("drop")).as(what).isEqualTo(List.of("ALL"));
                if (name(w).equals("vigil-gpu-agent")) {
                    assertThat(cast(sc.get("capabilities")).get("add")).as(what).isEqualTo(List.of("SYS_PTRACE"));
                } else {
                    assertThat(sc).as(what).containsEntry("runAsNonRoot", true).containsEntry("runAsUser", 10001);
                    assertThat(cast(sc.get("capabilities"))).as(what).doesNotContainKey("add");
                }
                assertThat((List<Map<String, Object>>) c.get("volumeMounts")).as(what)
                        .anySatisfy(m -> assertThat(m).containsEntry("mountPath", "/tmp"));
                Map<String, Object> resources = cast(c.get("resources"));
                assertThat(cast(resources.get("requests"))).as(what).containsKeys("cpu", "memory");
                assertThat(cast(resources.get("limits"))).as(what).containsKeys("cpu", "memory");
                assertThat(c).as(what).containsKeys("readinessProbe", "livenessProbe");
                List<Map<String, Object>> ports = (List<Map<String, Object>>) c.get("ports");
                assertThat(ports).as(what).anySatisfy(p -> assertThat(p).containsEntry("name", "metrics"));
            }
        }
        // The writer and the dashboard serve /metrics on the ports their settings say.
        String vigil = Files.readString(Path.of("..", "deploy", "kubernetes", "30-vigil.yaml"));
        assertThat(vigil).contains("{name: VIGIL_WRITER_METRICS_ADDRESS, value: \"0.0.0.0:9251\"}",
                "{name: VIGIL_DASHBOARD_METRICS_ADDRESS, value: \"0.0.0.0:9253\"}");
        // Flink: non-root, Vigil's reporter, fixed ports for the NetworkPolicy.
        for (Map<String, Object> d : ofKind("FlinkDeployment")) {
            Map<String, Object> spec = cast(d.get("spec"));
            assertThat(cast(cast(cast(spec.get("podTemplate")).get("spec")).get("securityContext")))
                    .containsEntry("runAsNonRoot", true);
            assertThat(cast(spec.get("flinkConfiguration"))).containsEntry("metrics.reporter.vigil.factory.class",
                    io.vigil.launcher.metrics.PrometheusEndpointReporterFactory.class.getName())
                    .containsKeys("jobmanager.rpc.port", "blob.server.port", "taskmanager.rpc.port",
                            "taskmanager.data.port");
        }
        // Ingress denied by default; the Flink REST API (8081) opened only to the operator's namespace.
        List<Map<String, Object>> policies = ofKind("NetworkPolicy");
        assertThat(policies).anySatisfy(p -> {
            assertThat(name(p)).isEqualTo("default-deny-ingress");
            assertThat(cast(cast(p.get("spec")).get("podSelector"))).isEmpty();
            assertThat(cast(p.get("spec"))).doesNotContainKey("ingress");
        });
        for (Map<String, Object> p : policies) {
            for (Object rule : (List<Object>) cast(p.get("spec")).getOrDefault("ingress", List.of())) {
                Map<String, Object> r = cast(rule);
                boolean rest = ((List<Map<String, Object>>) r.get("ports")).stream()
                        .anyMatch(port -> Integer.valueOf(8081).equals(port.get("port")));
                if (rest) {
                    assertThat(String.valueOf(r.get("from"))).as(name(p)).contains("flink-operator")
                            .doesNotContain("podSelector");
                }
            }
        }
    }

    @Test
    void theGpuAgentSeesTheHostsProcessesAndItsGpus() throws Exception {
        Map<String, Object> agent = ofKind("DaemonSet").get(0);
        Map<String, Object> pod = cast(cast(cast(agent.get("spec")).get("template")).get("spec"));
        assertThat(pod).containsEntry("hostPID", true).containsEntry("runtimeClassName", "nvidia");
    }

    /**
     * Each component's KafkaUser grants exactly what {@code ./vigil cluster --kafka-security sasl-ssl} grants it
     * ({@link io.vigil.launcher.cluster.KafkaAccess}, which {@code KafkaSecurityITCase} runs against a broker), and
     * every component connects to the SCRAM-over-TLS listener as that user.
     */
    @Test
    void theKafkaUsersHaveTheAclsOfKafkaAccessAndTheComponentsUseThem() throws Exception {
        io.vigil.model.config.Settings defaults = io.vigil.model.config.Settings.load(PlatformConfig.catalog(), null,
                Map.of(), Map.of());
        for (io.vigil.launcher.cluster.KafkaAccess.Role role : io.vigil.launcher.cluster.KafkaAccess.Role.values()) {
            Map<String, Object> user = ofKind("KafkaUser").stream().filter(u -> name(u).equals(role.user()))
                    .findFirst().orElseThrow(() -> new AssertionError("no KafkaUser " + role.user()));
            java.util.Set<String> declared = new java.util.TreeSet<>();
            for (Object o : (List<?>) cast(cast(user.get("spec")).get("authorization")).get("acls")) {
                Map<String, Object> acl = cast(o);
                Map<String, Object> resource = cast(acl.get("resource"));
                for (Object op : (List<?>) acl.get("operations")) {
                    declared.add(resource.get("type") + " " + resource.get("name") + " " + resource.get("patternType")
                            + " " + op);
                }
            }
            java.util.Set<String> granted = new java.util.TreeSet<>();
            for (var b : io.vigil.launcher.cluster.KafkaAccess.acls(role, Topics.defaults(), defaults)) {
                String type = switch (b.pattern().resourceType()) {
                    case TOPIC -> "topic";
                    case GROUP -> "group";
                    case TRANSACTIONAL_ID -> "transactionalId";
                    default -> b.pattern().resourceType().name();
                };
                String pattern = b.pattern().patternType() == org.apache.kafka.common.resource.PatternType.PREFIXED
                        ? "prefix" : "literal";
                String op = b.entry().operation().name().charAt(0)
                        + b.entry().operation().name().substring(1).toLowerCase(java.util.Locale.ROOT);
                granted.add(type + " " + b.pattern().name() + " " + pattern + " " + op);
            }
            assertThat(declared).as(role.user()).isEqualTo(granted);
        }
        Map<String, Object> kafka = cast(cast(ofKind("Kafka").get(0).get("spec")).get("kafka"));
        assertThat((List<?>) kafka.get("listeners")).singleElement().satisfies(l -> {
            assertThat(cast(l)).containsEntry("tls", true);
            assertThat(cast(cast(l).get("authentication"))).containsEntry("type", "scram-sha-512");
        });
        assertThat(cast(kafka.get("authorization"))).containsEntry("type", "simple");
        Map<String, Object> data = cast(ofKind("ConfigMap").get(0).get("data"));
        for (String file : List.of("detection.properties", "writer.properties", "notifications.properties")) {
            Properties p = new Properties();
            p.load(new StringReader((String) data.get(file)));
            assertThat(p.getProperty("kafka.security-protocol")).as(file).isEqualTo("sasl-ssl");
            assertThat(p.getProperty("kafka.bootstrap")).as(file).endsWith(":9093");
            io.vigil.model.config.KafkaSecurity.of("sasl-ssl", null, p.getProperty("kafka.username"), "secret", null,
                    null);
        }
    }
}
