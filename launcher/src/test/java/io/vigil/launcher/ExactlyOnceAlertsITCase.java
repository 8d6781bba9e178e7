package io.vigil.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.collectors.OriginStamper;
import io.vigil.collectors.simulator.ClusterSimulator;
import io.vigil.collectors.simulator.Fault;
import io.vigil.collectors.simulator.FaultScript;
import io.vigil.collectors.simulator.ScheduledFault;
import io.vigil.collectors.simulator.SimulatorConfig;
import io.vigil.detection.DetectionJobMain;
import io.vigil.launcher.embedded.EmbeddedKafka;
import io.vigil.model.AlertEvent;
import io.vigil.model.AlertType;
import io.vigil.model.TelemetryRecord;
import io.vigil.model.Topics;
import io.vigil.model.WireFormat;
import io.vigil.model.config.Settings;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
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
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Exactly-once alerts, on real components: a KRaft broker, the production detection job ({@link DetectionJobMain}
 * with its transactional Kafka sink) on a Flink MiniCluster. The same telemetry runs twice, once undisturbed and once
 * with a failure injected mid-stream in the job's source operator, so the job restarts from its last checkpoint; a
 * {@code read_committed} consumer must then see exactly the alert events of the undisturbed run: none lost, none
 * twice, each detector's stream numbered without a gap.
 */
class ExactlyOnceAlertsITCase {

    static Configuration restarts() {
        Configuration c = new Configuration();
        c.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        c.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 20);
        c.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(500));
        return c;
    }

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).setConfiguration(restarts()).build());

    static EmbeddedKafka kafka;
    static List<TelemetryRecord> input;

    @BeforeAll
    static void start() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        kafka = EmbeddedKafka.start(Path.of("target", "eo-" + UUID.randomUUID()).toAbsolutePath(), port);
        input = simulate();
    }

    @AfterAll
    static void stop() {
        if (kafka != null) kafka.close();
    }

    /** Five minutes of a 64-GPU cluster with a cold plate failing, a straggler and a CDU losing flow. */
    static List<TelemetryRecord> simulate() {
        SimulatorConfig config = new SimulatorConfig("eo", 1, 2, 4, 8, 1, 2, Duration.ofSeconds(1), 1000, 5, "eo-sim");
        FaultScript script = new FaultScript(List.of(
                new ScheduledFault(Duration.ofSeconds(40), Duration.ofSeconds(90), new Fault.GpuThermalRunaway("A01-n2", 2)),
                new ScheduledFault(Duration.ofSeconds(60), Duration.ofSeconds(90), new Fault.Straggler("job-1", 3)),
                new ScheduledFault(Duration.ofSeconds(150), Duration.ofSeconds(90), new Fault.CduFlowLoss("CDU-1"))));
        // Recent timestamps: the broker deletes records older than its retention (6 h) at its first check, 30 s after
        // it starts, which would take this test's early alerts with it.
        ClusterSimulator sim = new ClusterSimulator(config, script, new OriginStamper("eo-sim", 0),
                System.currentTimeMillis() / 1000 * 1000 - 600_000);
        List<TelemetryRecord> out = new ArrayList<>(sim.jobStarts());
        for (int s = 0; s < 300; s++) out.addAll(sim.step());
        return out;
    }

    /** An alert event by its origin stream and number in it: a detector's own gap-free sequence per entity. */
    record AlertKey(String origin, long seq, String fingerprint, AlertType type, AlertEvent.State state,
                    long startsAt, Long endsAt) {
        boolean fromDetector() {
            return !origin.startsWith("correlator:");
        }
    }

    @Test
    void aRestartFromACheckpointNeitherRepeatsNorLosesAnAlertEvent() throws Exception {
        List<AlertKey> reference = run("ref.", false);
        List<AlertKey> recovered = run("failed.", true);
        assertThat(FailOnce.FAILED).isTrue();

        assertThat(reference).extracting(AlertKey::type).contains(AlertType.THERMAL, AlertType.STRAGGLER,
                AlertType.COOLING);
        for (List<AlertKey> run : List.of(reference, recovered)) {
            String name = run == reference ? "undisturbed run" : "run with the failure";
            assertThat(run).as(name).doesNotHaveDuplicates();
            // Each origin's events are numbered 1..n without a gap: none lost, none repeated.
            Map<String, List<Long>> byOrigin = new HashMap<>();
            run.forEach(k -> byOrigin.computeIfAbsent(k.origin(), o -> new ArrayList<>()).add(k.seq()));
            byOrigin.forEach((origin, seqs) -> assertThat(seqs).as(name + ": " + origin + " reference "
                            + reference.stream().filter(k -> k.origin().equals(origin)).toList() + " this run "
                            + run.stream().filter(k -> k.origin().equals(origin)).toList())
                    .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, seqs.size()).boxed().toList()));
        }
        // The detectors' events are the same with and without the failure (the correlator's incident updates depend
        // on the order in which detectors' alerts meet, so they are only checked for gaps and repeats above).
        assertThat(recovered.stream().filter(AlertKey::fromDetector).toList())
                .containsExactlyInAnyOrderElementsOf(reference.stream().filter(AlertKey::fromDetector).toList());
    }

    /** Publishes the input paced (30 s of event time per second), runs the job, returns the committed alerts. */
    /** Reads Kafka records as the job does, but throws once, mid-stream: the job fails and restarts. */
    static final class FailOnce extends io.vigil.detection.kafka.KafkaWiring.RawDeserializer {
        static final java.util.concurrent.atomic.AtomicBoolean FAILED = new java.util.concurrent.atomic.AtomicBoolean();

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record,
                                org.apache.flink.util.Collector<io.vigil.detection.ingest.RawTelemetry> out) {
            if (record.topic().endsWith("telemetry.gpu") && record.offset() >= 4_000 && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure at " + record.topic() + "/" + record.partition()
                        + "@" + record.offset());
            }
            super.deserialize(record, out);
        }
    }

    List<AlertKey> run(String prefix, boolean failMidStream) throws Exception {
        Topics topics = new Topics(prefix);
        EmbeddedKafka.createTopics(kafka.bootstrapServers(), topics, 2);
        Map<String, String> overrides = new HashMap<>();
        overrides.put("kafka.bootstrap", kafka.bootstrapServers());
        overrides.put("topics.prefix", prefix);
        overrides.put("detection.group-id", prefix + "detection");
        overrides.put("detection.checkpoint-interval", "1s");
        overrides.put("detection.transactional-id-prefix", prefix + "detection");
        Settings settings = Settings.load(DetectionJobMain.settings(), null, Map.of(), overrides);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        JobClient job = failMidStream
                ? DetectionJobMain.start(env, DetectionJobMain.JobSettings.from(settings), new FailOnce())
                : DetectionJobMain.start(env, DetectionJobMain.JobSettings.from(settings));

        Thread producer = new Thread(() -> publish(topics), "eo-producer");
        producer.start();
        producer.join();
        List<AlertKey> alerts = awaitQuiet(topics);
        job.cancel().get();
        return alerts;
    }

    void publish(Topics topics) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            long second = Long.MIN_VALUE;
            for (TelemetryRecord r : input) {
                if (r.eventTimeMs() / 1000 != second) {
                    second = r.eventTimeMs() / 1000;
                    producer.flush();
                    Thread.sleep(33);
                }
                producer.send(new ProducerRecord<>(topics.topicFor(r.schema()), key(r), WireFormat.encode(r)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Keyed by host (or device), as collectors do, so one source's records stay in order. */
    static byte[] key(TelemetryRecord r) {
        String k = r instanceof io.vigil.model.GpuSample g ? g.host()
                : r instanceof io.vigil.model.PowerSample p ? p.device()
                : r instanceof io.vigil.model.CoolingSample c ? c.device() : "jobs";
        return k.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Reads the alert topic, as a read_committed consumer, until nothing new has come for 10 s after the first. */
    static List<AlertKey> awaitQuiet(Topics topics) throws Exception {
        return awaitQuiet(topics, "read_committed");
    }

    static List<AlertKey> awaitQuiet(Topics topics, String isolation) throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        List<AlertKey> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            TopicPartition tp = new TopicPartition(topics.alerts(), 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long quietSince = System.nanoTime();
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            // Quiet: nothing new for 10 s after the first alert (the job holds time for a while after its start,
            // until its partitions have all delivered, so the first alerts may take longer than that).
            while ((out.isEmpty() || System.nanoTime() - quietSince < Duration.ofSeconds(10).toNanos())
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    AlertEvent a = WireFormat.mapper().readValue(r.value(), AlertEvent.class);
                    out.add(new AlertKey(a.origin().collector(), a.origin().sequence(), a.fingerprint(), a.type(),
                            a.state(), a.startsAt().toEpochMilli(), a.endsAt() == null ? null : a.endsAt().toEpochMilli()));
                    quietSince = System.nanoTime();
                }
            }
        }
        return out;
    }
}
