package io.vigil.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.collectors.kafka.KafkaTelemetryPublisher;
import io.vigil.evaluation.field.FieldFleet;
import io.vigil.evaluation.field.FieldWorkload;
import io.vigil.evaluation.field.FieldWorkload.Fault;
import io.vigil.evaluation.field.FieldWorkload.Job;
import io.vigil.evaluation.field.FieldWorkload.Nuisances;
import io.vigil.evaluation.field.FieldWorkload.Reason;
import io.vigil.evaluation.field.FieldWorkload.Shape;
import io.vigil.launcher.Platform;
import io.vigil.launcher.PlatformConfig;
import io.vigil.model.AlertEvent;
import io.vigil.model.AlertType;
import io.vigil.model.Decoded;
import io.vigil.model.TelemetryRecord;
import io.vigil.model.WireFormat;
import io.vigil.model.config.Settings;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import io.vigil.testsupport.KafkaRecords;
import org.junit.jupiter.api.Test;

/**
 * One recording, replayed through a real broker into the running detection job ({@code ./vigil demo
 * --no-simulator}: broker with 4 telemetry partitions, Flink, the production job) three times: at the pace it was
 * recorded (1×), 30× faster (a collector's spool draining, a job catching up), and all at once (as fast as the
 * producer sends). Each replay is its own cluster, stamped after the one before, so one replay's time never makes
 * another's late. The alerts (type, entity, start within 5 s of the same moment of the recording) must be the same.
 * The recording is the field fleet's: 8 hosts, a synchronous and a bimodal job, clock offsets of up to ±3 s, bursty
 * reporters, omitted fields, and three faults: a GPU losing 15 % of its clock with no reason given, a cold plate
 * 10 °C warmer than usual, a host down for 30 s.
 */
class KafkaReplayITCase {

    static final int LENGTH_S = 150;

    static FieldWorkload workload() {
        List<Job> jobs = List.of(new Job("job-a", 0, 4, 0, 20, 0, 0, 900, false, Shape.UNIFORM),
                new Job("job-b", 4, 3, 0, 15, 0, 0, 700, true, Shape.BIMODAL));
        return new FieldWorkload(8, jobs, Nuisances.all(), List.of(
                new Fault(Fault.Kind.THROTTLED_GPU, 1, 3, null, 50, 80, 0.15, 0, Reason.NONE),
                new Fault(Fault.Kind.COLD_PLATE, 5, 6, null, 60, 70, 10, 0, null),
                new Fault(Fault.Kind.HOST_DOWN, 7, -1, null, 70, 30)));
    }

    @Test
    void aRecordingGivesTheSameAlertsAtOneTimesThirtyTimesAndAllAtOnce() throws Exception {
        Map<String, String> o = new HashMap<>();
        o.put("kafka.embedded-port", String.valueOf(io.vigil.testsupport.FreePorts.free()));
        o.put("db.embedded-port", String.valueOf(io.vigil.testsupport.FreePorts.free()));
        o.put("data.dir", Path.of("target", "it-data-" + UUID.randomUUID()).toString());
        o.put("simulator.enabled", "false");
        o.put("dashboard.enabled", "false");
        o.put("detection.checkpoint-interval", "1s");
        o.put("detection.repage-quiet", "0s"); // each detector episode as its own page, as the scorecard counts
        // The replays after the first are stamped ahead of the wall clock (each after the one before).
        o.put("detection.max-future-skew", "15m");
        PlatformConfig config = PlatformConfig.from(Settings.load(PlatformConfig.catalog(), null, Map.of(), o),
                Path.of("").toAbsolutePath());
        try (Platform platform = Platform.start(config, new PrintStream(System.out, true, StandardCharsets.UTF_8));
             KafkaTelemetryPublisher publisher = new KafkaTelemetryPublisher(platform.bootstrapServers(),
                     platform.topics(), Map.of())) {
            List<AlertEvent> alerts = new CopyOnWriteArrayList<>();
            Thread reader = alertReader(platform, alerts);
            Map<String, Long> starts = new HashMap<>();
            try {
                long t0 = System.currentTimeMillis() + 2_000;
                starts.put("replay-1x", t0);
                replay(publisher, "replay-1x", t0, 1);
                // The next replays begin where the last one's time ended, so no replay is late for another.
                t0 += (LENGTH_S + 10) * 1000L;
                starts.put("replay-30x", t0);
                replay(publisher, "replay-30x", t0, 30);
                t0 += (LENGTH_S + 10) * 1000L;
                starts.put("replay-burst", t0);
                replay(publisher, "replay-burst", t0, 0);
                // A minute of another cluster's samples carries event time past the last replay's end.
                tail(publisher, t0 + (LENGTH_S + 1) * 1000L, 90);
                long deadline = System.currentTimeMillis() + 120_000;
                while (System.currentTimeMillis() < deadline && alerts.stream().noneMatch(a ->
                        "replay-burst".equals(a.labels().get("cluster")) && a.type() == AlertType.SILENT
                                && a.state() == AlertEvent.State.RESOLVED)) {
                    Thread.sleep(1_000);
                }
                Thread.sleep(5_000); // the rest of the last checkpoint's alerts
            } finally {
                reader.interrupt();
                reader.join(10_000);
            }
            Map<String, List<String>> found = new HashMap<>();
            for (String cluster : starts.keySet()) found.put(cluster, episodes(alerts, cluster, starts.get(cluster)));
            System.out.println("Alerts per replay: " + found);
            List<String> real = found.get("replay-1x");
            // The faults were found at all: the straggler, the cold plate and the silent host.
            assertThat(real).anyMatch(k -> k.startsWith("STRAGGLER rank=11 gpu=3 host=R01-n2"))
                    .anyMatch(k -> k.startsWith("THERMAL") && k.contains("gpu=6 host=R02-n2 check=cold-plate"))
                    .anyMatch(k -> k.startsWith("SILENT host=R02-n4"));
            for (String other : List.of("replay-30x", "replay-burst")) {
                assertThat(sameEpisodes(found.get(other), real)).as(other + " " + found.get(other) + " vs 1x " + real)
                        .isTrue();
            }
            assertThat(deadLetters(platform)).as("nothing dead-lettered").isEmpty();
        }
    }

    /**
     * Publishes the recording as cluster {@code cluster}, stamped from {@code t0}, at {@code speed} times the pace it
     * was recorded at (each record when its arrival comes; 0: all at once).
     */
    static void replay(KafkaTelemetryPublisher publisher, String cluster, long t0, int speed) throws Exception {
        FieldFleet fleet = new FieldFleet(cluster, workload(), t0, 42).lengthSeconds(LENGTH_S);
        long wallStart = System.currentTimeMillis();
        List<FieldFleet.Delivery> pending = new ArrayList<>();
        for (int s = 0; s < LENGTH_S; s++) {
            pending.addAll(fleet.step(s));
            pending.sort(java.util.Comparator.comparingLong(FieldFleet.Delivery::arrivalMs));
            long horizon = t0 + (s + 1) * 1000L;
            while (!pending.isEmpty() && pending.get(0).arrivalMs() <= horizon) {
                FieldFleet.Delivery d = pending.remove(0);
                if (speed > 0) {
                    long due = wallStart + (d.arrivalMs() - t0) / speed;
                    long wait = due - System.currentTimeMillis();
                    if (wait > 0) Thread.sleep(wait);
                }
                publisher.publish(d.record());
            }
        }
        for (FieldFleet.Delivery d : pending) publisher.publish(d.record());
        publisher.flush();
    }

    /** One idle host of another cluster, {@code seconds} of it from {@code from}, sent at once. */
    static void tail(KafkaTelemetryPublisher publisher, long from, int seconds) {
        for (int s = 0; s < seconds; s++) {
            for (int g = 0; g < 8; g++) {
                TelemetryRecord r = io.vigil.testsupport.GpuSamples.healthy("tail-n1", g, from + s * 1000L)
                        .cluster("replay-tail").jobId(null).rank(null).build();
                publisher.publish(r);
            }
        }
        publisher.flush();
    }

    /**
     * A replay's alert episodes: type, identity labels and start (seconds into the recording), sorted. What starts in
     * the recording's last 10 s is left out: its hosts all falling silent at its end is the end of the recording, and
     * whether that is judged depends on what is sent after it, not on how it was sent.
     */
    static List<String> episodes(List<AlertEvent> alerts, String cluster, long t0) {
        TreeSet<String> out = new TreeSet<>();
        for (AlertEvent a : alerts) {
            if (!cluster.equals(a.labels().get("cluster")) || a.state() != AlertEvent.State.FIRING) continue;
            if (a.type() == AlertType.DATA_QUALITY) continue;
            StringBuilder k = new StringBuilder(a.type().name());
            for (String l : List.of("rank", "gpu", "host", "device", "check")) {
                if (a.labels().containsKey(l)) k.append(' ').append(l).append('=').append(a.labels().get(l));
            }
            long start = (a.startsAt().toEpochMilli() - t0) / 1000;
            if (start >= LENGTH_S - 10) continue;
            k.append(" @").append(start);
            out.add(k.toString());
        }
        return List.copyOf(out);
    }

    /** Whether the two lists pair up: the same key, starts within 5 s. */
    static boolean sameEpisodes(List<String> a, List<String> b) {
        if (a.size() != b.size()) return false;
        List<String> pool = new ArrayList<>(b);
        for (String x : a) {
            String key = x.substring(0, x.lastIndexOf(" @"));
            long start = Long.parseLong(x.substring(x.lastIndexOf('@') + 1));
            String partner = pool.stream().filter(y -> y.substring(0, y.lastIndexOf(" @")).equals(key)
                    && Math.abs(Long.parseLong(y.substring(y.lastIndexOf('@') + 1)) - start) <= 5).findFirst()
                    .orElse(null);
            if (partner == null) return false;
            pool.remove(partner);
        }
        return true;
    }

    /** The dead letters' reasons and details, as committed to the dead-letter topic. */
    static List<String> deadLetters(Platform platform) {
        List<String> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : KafkaRecords.readCommitted(platform.bootstrapServers(),
                platform.topics().deadLetter())) {
            var d = WireFormat.decodeDeadLetter(r.value());
            out.add(d.reason() + ": " + d.detail());
        }
        return out;
    }

    private static Thread alertReader(Platform platform, List<AlertEvent> into) {
        WireFormat wire = new WireFormat(io.vigil.model.TelemetryValidator.withSystemClock());
        return KafkaRecords.follow(platform.bootstrapServers(), platform.topics().alerts(), r -> {
            Decoded d = wire.decode(r.value());
            if (d.record() instanceof AlertEvent a) into.add(a);
        });
    }
}
