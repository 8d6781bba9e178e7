package io.vigil.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vigil.launcher.embedded.EmbeddedKafka;
import io.vigil.model.AlertEvent;
import io.vigil.model.AlertType;
import io.vigil.model.JobEvent;
import io.vigil.model.LabelMatcher;
import io.vigil.model.NotificationAttempt;
import io.vigil.model.Origin;
import io.vigil.model.Silence;
import io.vigil.model.Topics;
import io.vigil.model.WireFormat;
import io.vigil.model.config.Settings;
import io.vigil.notify.NotificationJobMain;
import io.vigil.notify.routing.RoutingConfig;
import io.vigil.testsupport.AlertmanagerProcess;
import io.vigil.testsupport.ReceiverStub;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The notification job on real components: a KRaft broker, the production job ({@link NotificationJobMain}) on a
 * Flink MiniCluster, a real Alertmanager HA pair, and local HTTP servers standing in for PagerDuty, Slack and a
 * webhook. Alerts enter as detection writes them, on the alerts topic; silences and acknowledgements as the
 * dashboard writes them, on the silences topic.
 */
class NotificationsITCase {

    /** How long the stand-in PagerDuty refuses everything in the outage test (a site would see minutes). */
    static final Duration OUTAGE = Duration.parse(System.getProperty("vigil.test.receiver-outage", "PT20S"));

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4)
            .setConfiguration(ExactlyOnceAlertsITCase.restarts()).build());

    static EmbeddedKafka kafka;
    static KafkaProducer<byte[], byte[]> producer;
    static Path work;

    @BeforeAll
    static void start() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        work = Path.of("target", "notify-" + UUID.randomUUID()).toAbsolutePath();
        kafka = EmbeddedKafka.start(work.resolve("kafka"), port);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    @AfterAll
    static void stop() {
        if (producer != null) producer.close();
        if (kafka != null) kafka.close();
    }

    static Topics topics(String name) throws Exception {
        Topics t = new Topics(name + "-" + UUID.randomUUID().toString().substring(0, 8) + ".");
        EmbeddedKafka.createTopics(kafka.bootstrapServers(), t, 1);
        return t;
    }

    static JobClient startJob(Topics topics, String routingYaml, Configuration flinkConf) throws Exception {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("kafka.bootstrap", kafka.bootstrapServers());
        values.put("topics.prefix", topics.prefix());
        values.put("notify.group-id", topics.prefix() + "notify");
        values.put("notify.dashboard-url", "http://vigil.test:8080");
        values.put("notify.checkpoint-interval", "1s");
        values.put("notify.retry-initial", "200ms");
        values.put("notify.retry-max", "2s");
        Settings settings = Settings.load(NotificationJobMain.settings(), null, Map.of(), values);
        StreamExecutionEnvironment env = flinkConf == null ? StreamExecutionEnvironment.getExecutionEnvironment()
                : StreamExecutionEnvironment.getExecutionEnvironment(flinkConf);
        return NotificationJobMain.start(env,
                NotificationJobMain.JobSettings.from(settings, RoutingConfig.parse(routingYaml, "test routing")));
    }

    static void publish(String topic, String key, Object record) throws Exception {
        producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), WireFormat.encode(record))).get();
    }

    static AlertEvent alert(AlertType type, AlertEvent.State state, String incident, boolean root, Instant startsAt,
                            Map<String, String> entity, String summary) {
        Map<String, String> l = new LinkedHashMap<>(entity);
        l.put("cluster", "it");
        String fp = AlertEvent.fingerprint(type, l);
        l.put("incident", incident == null ? fp : incident);
        l.put("root", String.valueOf(root));
        return new AlertEvent(fp, type, type == AlertType.STRAGGLER ? AlertEvent.Severity.WARNING
                : AlertEvent.Severity.CRITICAL, state, startsAt,
                state == AlertEvent.State.RESOLVED ? Instant.now() : null, l, summary, Map.of("flowLpm", 12.0),
                new Origin("it", 0, 1), startsAt);
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(200);
        }
    }

    static JsonNode json(String body) {
        try {
            return WireFormat.mapper().readTree(body);
        } catch (Exception e) {
            throw new IllegalStateException(body, e);
        }
    }

    /** Everything the job wrote to the notifications topic so far. */
    static List<NotificationAttempt> attempts(Topics topics) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<NotificationAttempt> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(topics.notifications()));
            long idleSince = System.nanoTime();
            while (System.nanoTime() - idleSince < Duration.ofSeconds(2).toNanos()) {
                var records = c.poll(Duration.ofMillis(200));
                for (ConsumerRecord<byte[], byte[]> r : records) out.add(NotificationAttempt.decode(r.value()));
                if (!records.isEmpty()) idleSince = System.nanoTime();
            }
        }
        return out;
    }

    @Test
    void anAlertmanagerPairGetsEveryIncidentAndOnCallIsToldOnceAndThenOfTheResolution() throws Exception {
        try (ReceiverStub onCall = new ReceiverStub()) {
            List<AlertmanagerProcess> pair = AlertmanagerProcess.startPair(work.resolve("pair"),
                    onCallBehindAlertmanager(onCall));
            try (AlertmanagerProcess am0 = pair.get(0); AlertmanagerProcess am1 = pair.get(1)) {
                Topics topics = topics("am");
                JobClient job = startJob(topics, """
                        route:
                          receiver: site
                          group_wait: 1s
                        receivers:
                          - name: site
                            alertmanager_configs:
                              - urls: ['%s', '%s']
                                resend_interval: 2s
                        """.formatted(am0.url(), am1.url()), null);
                try {
                    AlertEvent root = alert(AlertType.COOLING, AlertEvent.State.FIRING, null, true, Instant.now(),
                            Map.of("device", "CDU-1", "racks", "A01,A02"), "CDU-1 lost 60% of its flow");
                    publish(topics.alerts(), root.fingerprint(), root);
                    publish(topics.alerts(), "child", alert(AlertType.THERMAL, AlertEvent.State.FIRING,
                            root.fingerprint(), false, Instant.now(), Map.of("host", "A01-n1", "gpu", "2", "rack",
                                    "A01", "scope", "gpu"), "GPU 2 hot"));
                    await("both Alertmanagers to hold the incident", Duration.ofSeconds(60), () -> {
                        try {
                            return am0.alerts().contains(root.fingerprint()) && am1.alerts().contains(root.fingerprint());
                        } catch (Exception e) {
                            return false;
                        }
                    });
                    await("the firing notification", Duration.ofSeconds(60), () -> onCall.requests().stream()
                            .anyMatch(r -> json(r.body()).path("status").asText().equals("firing")));
                    // Several refreshes later (every 2 s), the pair still told on-call once: Alertmanager recognises
                    // the same alert by its label set, and the cluster deduplicates between its members.
                    Thread.sleep(20_000);
                    publish(topics.alerts(), root.fingerprint(), alert(AlertType.COOLING, AlertEvent.State.RESOLVED,
                            null, true, root.startsAt(), Map.of("device", "CDU-1", "racks", "A01,A02"), "recovered"));
                    await("the resolved notification", Duration.ofSeconds(60), () -> onCall.requests().stream()
                            .anyMatch(r -> json(r.body()).path("status").asText().equals("resolved")));
                    Thread.sleep(3000);
                    List<JsonNode> bodies = onCall.requests().stream().map(r -> json(r.body())).toList();
                    assertThat(bodies).extracting(n -> n.path("status").asText()).containsExactly("firing", "resolved");
                    JsonNode alert = bodies.get(0).path("alerts").path(0);
                    assertThat(alert.path("labels").path("alertname").asText()).isEqualTo("COOLING");
                    assertThat(alert.path("labels").path("incident").asText()).isEqualTo(root.fingerprint());
                    assertThat(alert.path("annotations").path("description").asText()).contains("THERMAL");
                    assertThat(alert.path("generatorURL").asText()).isEqualTo("http://vigil.test:8080/incidents/"
                            + root.fingerprint());
                    assertThat(attempts(topics)).filteredOn(x -> x.action() == NotificationAttempt.Action.TRIGGER)
                            .extracting(NotificationAttempt::target)
                            .containsExactlyInAnyOrder("alertmanager[0]#0", "alertmanager[0]#1");
                } finally {
                    job.cancel().get();
                }
            }
        }
    }

    /** An Alertmanager configuration sending every incident, grouped by itself, to {@code onCall}'s webhook. */
    static String onCallBehindAlertmanager(ReceiverStub onCall) {
        return """
                route:
                  receiver: oncall
                  group_by: ['incident']
                  group_wait: 1s
                  group_interval: 1s
                  repeat_interval: 1h
                receivers:
                  - name: oncall
                    webhook_configs:
                      - url: '%s/am'
                        send_resolved: true
                """.formatted(onCall.url());
    }

    static boolean holds(AlertmanagerProcess am, String fingerprint) {
        try {
            return am.alive() && am.alerts().contains(fingerprint);
        } catch (Exception e) {
            return false;
        }
    }

    /**
     * One instance of the pair killed -9 mid-incident, for longer than a refresh's {@code endsAt} (four resend
     * intervals): the survivor is refreshed all along, so it never lets the alert expire and on-call is never told
     * it resolved while it is open; restarted, the killed instance is given the open incident again and pages no
     * one twice; the real resolution reaches on-call once.
     */
    @Test
    void oneAlertmanagerDownNeitherStarvesItsTwinNorResolvesTheIncident() throws Exception {
        try (ReceiverStub onCall = new ReceiverStub()) {
            List<AlertmanagerProcess> pair = AlertmanagerProcess.startPair(work.resolve("down"),
                    onCallBehindAlertmanager(onCall));
            AlertmanagerProcess am1 = pair.get(1);
            AlertmanagerProcess am1Again = null;
            try (AlertmanagerProcess am0 = pair.get(0)) {
                Topics topics = topics("amdown");
                JobClient job = startJob(topics, """
                        route:
                          receiver: site
                          group_wait: 1s
                        receivers:
                          - name: site
                            alertmanager_configs:
                              - urls: ['%s', '%s']
                                resend_interval: 2s
                        """.formatted(am0.url(), am1.url()), null);
                try {
                    AlertEvent root = alert(AlertType.COOLING, AlertEvent.State.FIRING, null, true, Instant.now(),
                            Map.of("device", "CDU-7", "racks", "C01"), "CDU-7 lost 50% of its flow");
                    publish(topics.alerts(), root.fingerprint(), root);
                    AlertmanagerProcess first = am1;
                    await("both Alertmanagers to hold the incident", Duration.ofSeconds(60),
                            () -> holds(am0, root.fingerprint()) && holds(first, root.fingerprint()));
                    await("the firing notification", Duration.ofSeconds(60), () -> onCall.requests().stream()
                            .anyMatch(r -> json(r.body()).path("status").asText().equals("firing")));

                    am1.kill();
                    long killedAt = System.currentTimeMillis();
                    // Three times the 8 s a refresh is valid for: had the survivor's refreshes waited behind the dead
                    // instance's retries, it would have let the alert expire and told on-call it resolved.
                    while (System.currentTimeMillis() - killedAt < 24_000) {
                        assertThat(holds(am0, root.fingerprint())).as("the survivor holds the open incident").isTrue();
                        Thread.sleep(1000);
                    }
                    am1Again = am1.restart();
                    AlertmanagerProcess restarted = am1Again;
                    await("the restarted instance to be given the open incident again", Duration.ofSeconds(60),
                            () -> holds(restarted, root.fingerprint()));
                    Thread.sleep(5000); // past group_wait and a gossip round: a second page would have come by now
                    assertThat(onCall.requests()).extracting(r -> json(r.body()).path("status").asText())
                            .as("on-call while the incident is open, through the outage and the restart")
                            .containsExactly("firing");

                    publish(topics.alerts(), root.fingerprint(), alert(AlertType.COOLING, AlertEvent.State.RESOLVED,
                            null, true, root.startsAt(), Map.of("device", "CDU-7", "racks", "C01"), "recovered"));
                    await("the resolved notification", Duration.ofSeconds(60), () -> onCall.requests().stream()
                            .anyMatch(r -> json(r.body()).path("status").asText().equals("resolved")));
                    await("both instances to have let the incident go", Duration.ofSeconds(30),
                            () -> !holds(am0, root.fingerprint()) && !holds(restarted, root.fingerprint()));
                    Thread.sleep(3000);
                    assertThat(onCall.requests()).extracting(r -> json(r.body()).path("status").asText())
                            .containsExactly("firing", "resolved");
                    List<NotificationAttempt> sent = attempts(topics);
                    assertThat(sent).filteredOn(x -> x.action() == NotificationAttempt.Action.RESOLVE
                                    && x.outcome() == NotificationAttempt.Outcome.DELIVERED)
                            .extracting(NotificationAttempt::target)
                            .containsExactlyInAnyOrder("alertmanager[0]#0", "alertmanager[0]#1");
                    assertThat(sent).as("the survivor's refreshes during the outage")
                            .filteredOn(x -> x.target().equals("alertmanager[0]#0")
                                    && x.outcome() == NotificationAttempt.Outcome.DELIVERED
                                    && x.at().toEpochMilli() > killedAt
                                    && x.at().toEpochMilli() < killedAt + 24_000)
                            .hasSizeGreaterThanOrEqualTo(5);
                } finally {
                    job.cancel().get();
                }
            } finally {
                am1.close();
                if (am1Again != null) am1Again.close();
            }
        }
    }

    static final String ROUTING = """
            route:
              receiver: default
              group_wait: 1s
              group_interval: 2s
              repeat_interval: 3s
              routes:
                - matchers: ['type=~"COOLING|POWER"']
                  receiver: facilities
                  repeat_interval: 1h
                - matchers: ['team="ml"']
                  receiver: ml
                  repeat_interval: 1h
            receivers:
              - name: default
                webhook_configs: [{url: '%1$s/default', secret: s3cret}]
              - name: facilities
                pagerduty_configs: [{routing_key: PDKEY, url: '%2$s/v2/enqueue'}]
              - name: ml
                slack_configs: [{webhook_url: '%3$s/services/T/B/X'}]
            """;

    @Test
    void incidentsReachTheirOwnersOnceThroughAnOutageSilencesAndAcknowledgements() throws Exception {
        try (ReceiverStub hook = new ReceiverStub(); ReceiverStub pd = new ReceiverStub();
             ReceiverStub slack = new ReceiverStub()) {
            Topics topics = topics("route");
            long outageEnds = System.currentTimeMillis() + OUTAGE.toMillis();
            pd.answer(r -> System.currentTimeMillis() < outageEnds ? new ReceiverStub.Answer(503, Map.of())
                    : ReceiverStub.Answer.ok());
            publish(topics.jobs(), "job-7", new JobEvent(System.currentTimeMillis(), "it", "job-7", JobEvent.Kind.START,
                    "train", "ml", List.of(), new Origin("it", 0, 1)));
            JobClient job = startJob(topics, ROUTING.formatted(hook.url(), pd.url(), slack.url()), null);
            try {
                Instant now = Instant.now();
                AlertEvent cdu = alert(AlertType.COOLING, AlertEvent.State.FIRING, null, true, now,
                        Map.of("device", "CDU-2", "racks", "B01"), "CDU-2 lost flow");
                AlertEvent straggler = alert(AlertType.STRAGGLER, AlertEvent.State.FIRING, null, true, now,
                        Map.of("job", "job-7", "rank", "5"), "rank 5 slow");
                AlertEvent hot = alert(AlertType.THERMAL, AlertEvent.State.FIRING, null, true, now,
                        Map.of("host", "C01-n1", "gpu", "0", "rack", "C01", "scope", "gpu"), "GPU 0 hot");
                // Planned work on C02 before anything happens there: it pages nobody and is recorded.
                publish(topics.silences(), "mnt-1", new Silence("mnt-1", Silence.Kind.MAINTENANCE,
                        List.of(LabelMatcher.parse("rack=\"C02\"")), null, now.minusSeconds(1), now.plusSeconds(600),
                        "ops", "re-cabling", now));
                AlertEvent planned = alert(AlertType.THERMAL, AlertEvent.State.FIRING, null, true, now,
                        Map.of("host", "C02-n1", "gpu", "1", "rack", "C02", "scope", "gpu"), "GPU 1 hot");
                for (AlertEvent a : List.of(cdu, straggler, hot, planned)) publish(topics.alerts(), a.fingerprint(), a);

                await("the straggler on the team's Slack", Duration.ofSeconds(60), () -> !slack.requests().isEmpty());
                await("the thermal page on the default webhook", Duration.ofSeconds(60), () -> !hook.requests().isEmpty());
                // Repeats every 3 s until someone acknowledges.
                await("a repeat", Duration.ofSeconds(60), () -> hook.requests().size() >= 2);
                publish(topics.silences(), "ack", new Silence("ack-1", Silence.Kind.ACK, List.of(), hot.fingerprint(),
                        Instant.now(), null, "ana", null, Instant.now()));
                Thread.sleep(2000);
                int afterAck = hook.requests().size();
                Thread.sleep(8000);
                assertThat(hook.requests()).as("no repeats once acknowledged").hasSize(afterAck);

                // A silence created mid-incident stops its repeats without a restart.
                AlertEvent hot2 = alert(AlertType.THERMAL, AlertEvent.State.FIRING, null, true, Instant.now(),
                        Map.of("host", "C03-n1", "gpu", "4", "rack", "C03", "scope", "gpu"), "GPU 4 hot");
                publish(topics.alerts(), hot2.fingerprint(), hot2);
                await("the second thermal page", Duration.ofSeconds(60), () -> hook.requests().stream()
                        .anyMatch(r -> r.body().contains(hot2.fingerprint())));
                publish(topics.silences(), "sil-1", new Silence("sil-1", Silence.Kind.SILENCE,
                        List.of(LabelMatcher.parse("host=\"C03-n1\"")), null, Instant.now(),
                        Instant.now().plusSeconds(600), "ana", "known, fixing", Instant.now()));
                Thread.sleep(2000);
                long hot2Pages = hook.requests().stream().filter(r -> r.body().contains(hot2.fingerprint())).count();
                Thread.sleep(8000);
                assertThat(hook.requests().stream().filter(r -> r.body().contains(hot2.fingerprint())).count())
                        .as("no repeats once silenced").isEqualTo(hot2Pages);

                await("PagerDuty back and the CDU trigger accepted", OUTAGE.plusSeconds(60),
                        () -> pd.requests().stream().anyMatch(r -> r.atMs() >= outageEnds));
                for (AlertEvent a : List.of(cdu, straggler, hot, planned)) {
                    AlertEvent end = new AlertEvent(a.fingerprint(), a.type(), a.severity(), AlertEvent.State.RESOLVED,
                            a.startsAt(), Instant.now(), a.labels(), a.summary(), a.evidence(), a.origin(), Instant.now());
                    publish(topics.alerts(), a.fingerprint(), end);
                }
                await("every resolution", Duration.ofSeconds(60), () ->
                        pd.requests().stream().anyMatch(r -> r.body().contains("\"resolve\""))
                                && slack.requests().stream().anyMatch(r -> r.body().contains("Resolved"))
                                && hook.requests().stream().anyMatch(r -> r.body().contains("\"resolved\"")));

                // PagerDuty: through the outage, every try carried the one dedup key; exactly one trigger was
                // accepted, and the resolution came after it.
                List<JsonNode> pdBodies = pd.requests().stream().map(r -> json(r.body())).toList();
                assertThat(pdBodies).extracting(n -> n.path("dedup_key").asText()).containsOnly(
                        "vigil-" + cdu.fingerprint() + "-" + cdu.startsAt().toEpochMilli());
                List<ReceiverStub.Request> accepted = pd.requests().stream().filter(r -> r.atMs() >= outageEnds).toList();
                assertThat(accepted).extracting(r -> json(r.body()).path("event_action").asText())
                        .containsExactly("trigger", "resolve");
                assertThat(pd.requests().get(0).body()).contains("PDKEY");
                // Slack: the team's straggler only, a page and its resolution.
                assertThat(slack.requests()).hasSize(2);
                assertThat(slack.requests().get(0).body()).contains("STRAGGLER").doesNotContain("COOLING");
                // The default webhook: signed, the thermal incident only, never the one under maintenance.
                assertThat(hook.requests()).allSatisfy(r -> assertThat(io.vigil.model.WebhookSignature.check("s3cret",
                        r.body().getBytes(StandardCharsets.UTF_8), r.header("X-Vigil-Signature"),
                        r.atMs() / 1000, 5)).isEqualTo(io.vigil.model.WebhookSignature.Check.VALID));
                assertThat(hook.requests()).allSatisfy(r -> assertThat(r.body()).doesNotContain(planned.fingerprint()));

                List<NotificationAttempt> log = attempts(topics);
                assertThat(log).filteredOn(x -> x.incident().equals(planned.fingerprint()))
                        .extracting(NotificationAttempt::outcome).containsExactly(NotificationAttempt.Outcome.MAINTENANCE);
                assertThat(log).filteredOn(x -> x.incident().equals(cdu.fingerprint())
                                && x.outcome() == NotificationAttempt.Outcome.RETRYING)
                        .as("the outage's failed tries are in the log").isNotEmpty();
                assertThat(log).filteredOn(x -> x.incident().equals(straggler.fingerprint()))
                        .extracting(NotificationAttempt::team).containsOnly("ml");
            } finally {
                job.cancel().get();
            }
        }
    }

    @Test
    void aJobRestoredFromItsCheckpointDoesNotPageAgainAndStillResolves() throws Exception {
        try (ReceiverStub hook = new ReceiverStub(); ReceiverStub pd = new ReceiverStub();
             ReceiverStub slack = new ReceiverStub()) {
            Topics topics = topics("restore");
            Path checkpoints = work.resolve("checkpoints-" + UUID.randomUUID());
            Configuration conf = new Configuration();
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
            conf.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                    ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
            String routing = ROUTING.formatted(hook.url(), pd.url(), slack.url())
                    .replace("repeat_interval: 3s", "repeat_interval: 1h");
            JobClient first = startJob(topics, routing, conf);
            AlertEvent cdu = alert(AlertType.COOLING, AlertEvent.State.FIRING, null, true, Instant.now(),
                    Map.of("device", "CDU-9", "racks", "D01"), "CDU-9 lost flow");
            AlertEvent hot = alert(AlertType.THERMAL, AlertEvent.State.FIRING, null, true, Instant.now(),
                    Map.of("host", "D02-n1", "gpu", "3", "rack", "D02", "scope", "gpu"), "GPU 3 hot");
            publish(topics.alerts(), cdu.fingerprint(), cdu);
            publish(topics.alerts(), hot.fingerprint(), hot);
            await("the pages", Duration.ofSeconds(60), () -> !pd.requests().isEmpty() && !hook.requests().isEmpty());
            Thread.sleep(4000); // checkpoints (every 1 s) now hold the incident as paged
            first.cancel().get();

            Path latest = new CheckpointStore(checkpoints).latest().orElseThrow();
            Configuration restore = conf.clone();
            restore.set(StateRecoveryOptions.SAVEPOINT_PATH, latest.toUri().toString());
            JobClient second = startJob(topics, routing, restore);
            try {
                Thread.sleep(5000);
                for (AlertEvent a : List.of(cdu, hot)) {
                    publish(topics.alerts(), a.fingerprint(), new AlertEvent(a.fingerprint(), a.type(),
                            a.severity(), AlertEvent.State.RESOLVED, a.startsAt(), Instant.now(), a.labels(),
                            a.summary(), a.evidence(), a.origin(), Instant.now()));
                }
                await("the resolutions", Duration.ofSeconds(60),
                        () -> pd.requests().stream().anyMatch(r -> r.body().contains("\"resolve\""))
                                && hook.requests().stream().anyMatch(r -> r.body().contains("\"resolved\"")));
                assertThat(pd.requests()).extracting(r -> json(r.body()).path("event_action").asText())
                        .containsExactly("trigger", "resolve");
                // A plain webhook cannot deduplicate: a trigger in flight at the checkpoint would come again, with
                // the same notification id. Here the checkpoints after the delivery hold it as delivered.
                List<String> hookIds = hook.requests().stream().map(r -> r.header("X-Vigil-Notification-Id")).toList();
                System.out.println("Webhook deliveries across the restore: " + hookIds);
                assertThat(hookIds).hasSize(2);
                assertThat(hookIds.get(0)).endsWith("/trigger");
                assertThat(hookIds.get(1)).endsWith("/resolve");
                assertThat(Files.exists(latest)).isTrue();
            } finally {
                second.cancel().get();
            }
        }
    }
}
