package io.vigil.evaluation.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import io.vigil.model.Topics;
import io.vigil.model.WireFormat;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Counts, by origin, what became of every record the collectors published: stored in PostgreSQL (once, or more
 * often), dead-lettered, or lost; and reads the alert topic as a {@code read_committed} consumer for repeated
 * alert events.
 */
final class Reconciliation {

    /** Stored rows with an origin, across the tables the writer fills from the telemetry topics. */
    static final String STORED_ORIGINS = "SELECT origin_collector, origin_boot_ms, origin_seq FROM gpu_sample "
            + "UNION ALL SELECT origin_collector, origin_boot_ms, origin_seq FROM power_sample "
            + "UNION ALL SELECT origin_collector, origin_boot_ms, origin_seq FROM cooling_sample "
            + "UNION ALL SELECT origin_collector, origin_boot_ms, origin_seq FROM job_event";

    record Counts(long recordsIn, long stored, long deadLettered, long lost, long duplicated,
                  Map<String, long[]> perCollector) {}

    record Alerts(long distinct, long duplicates) {}

    private Reconciliation() {}

    /**
     * @param published by collector id, {@code (boot epoch, records published)}
     * @param kafka     an admin client's settings for the cluster
     */
    static Counts telemetry(Map<String, long[]> published, String jdbcUrl, String user, String password,
                            Map<String, Object> kafka, Topics topics) throws Exception {
        Map<String, BitSet> stored = new HashMap<>();
        long rows = 0;
        try (Connection c = DriverManager.getConnection(jdbcUrl, user, password);
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery(STORED_ORIGINS)) {
            while (rs.next()) {
                String key = rs.getString(1) + "@" + rs.getLong(2);
                long seq = rs.getLong(3);
                if (rs.wasNull() || seq > Integer.MAX_VALUE) continue;
                rows++;
                stored.computeIfAbsent(key, k -> new BitSet()).set((int) seq);
            }
        }
        Map<String, BitSet> dead = new HashMap<>();
        Set<String> deadSources = new HashSet<>();
        forEach(kafka, topics.deadLetter(), "read_uncommitted", r -> {
            var letter = WireFormat.decodeDeadLetter(r.value());
            // The detection job and the writer both refuse a bad record: count it once, by where it came from.
            if (!deadSources.add(letter.sourceTopic() + "/" + letter.sourcePartition() + "/" + letter.sourceOffset())) {
                return;
            }
            JsonNode origin = origin(letter.payload());
            if (origin == null) return;
            String key = origin.path("collector").asText() + "@" + origin.path("bootEpochMs").asLong();
            dead.computeIfAbsent(key, k -> new BitSet()).set((int) origin.path("sequence").asLong());
        });
        // What each collector process published: its clean stop says how much. A boot of a known collector that
        // said nothing was killed (R5); what it published is then what reached Kafka from its spool, up to the
        // highest sequence seen (a record still in its memory at the kill, not yet in the spool, is not counted).
        Map<String, long[]> streams = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : published.entrySet()) {
            streams.put(e.getKey(), new long[] {e.getValue()[0], e.getValue()[1]});
        }
        Set<String> boots = new java.util.TreeSet<>(stored.keySet());
        boots.addAll(dead.keySet());
        for (String key : boots) {
            String collector = key.substring(0, key.lastIndexOf('@'));
            long boot = Long.parseLong(key.substring(key.lastIndexOf('@') + 1));
            long[] clean = published.get(collector);
            if (clean == null || clean[0] == boot) continue;
            int highest = Math.max(stored.getOrDefault(key, new BitSet()).length(),
                    dead.getOrDefault(key, new BitSet()).length());
            streams.put(collector + " (boot " + boot + ", killed)", new long[] {boot, highest});
        }
        long in = 0, kept = 0, deadOnly = 0, lost = 0;
        Map<String, long[]> per = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : streams.entrySet()) {
            String name = e.getKey();
            String collector = name.contains(" (boot ") ? name.substring(0, name.indexOf(" (boot ")) : name;
            String key = collector + "@" + e.getValue()[0];
            int n = (int) e.getValue()[1];
            BitSet s = stored.getOrDefault(key, new BitSet());
            BitSet d = (BitSet) dead.getOrDefault(key, new BitSet()).clone();
            d.andNot(s);
            BitSet seen = (BitSet) s.clone();
            seen.or(d);
            long storedHere = s.get(0, n).cardinality();
            long deadHere = d.get(0, n).cardinality();
            long lostHere = n - seen.get(0, n).cardinality();
            per.put(e.getKey(), new long[] {n, storedHere, deadHere, lostHere});
            in += n;
            kept += storedHere;
            deadOnly += deadHere;
            lost += lostHere;
        }
        long distinct = stored.values().stream().mapToLong(BitSet::cardinality).sum();
        return new Counts(in, kept, deadOnly, lost, rows - distinct, per);
    }

    /**
     * Per-GPU order on the GPU topic: within each partition, every origin stream's records for one key (one GPU)
     * must come in sequence order. Returns {records read, out of order, sent again}: a record whose sequence was
     * already seen (a spool replaying what Kafka had taken just before a kill) is a repeat, not a reordering; the
     * writer stores it once.
     */
    static long[] gpuOrder(Map<String, Object> kafka, Topics topics) {
        Map<String, Long> last = new HashMap<>();
        Map<String, BitSet> seen = new HashMap<>();
        long[] counts = new long[3];
        forEach(kafka, topics.gpu(), "read_uncommitted", r -> {
            JsonNode origin = origin(new String(r.value(), java.nio.charset.StandardCharsets.UTF_8));
            if (origin == null) return;
            counts[0]++;
            String stream = r.partition() + "|" + (r.key() == null ? "" : new String(r.key(),
                    java.nio.charset.StandardCharsets.UTF_8)) + "|" + origin.path("collector").asText() + "@"
                    + origin.path("bootEpochMs").asLong();
            long seq = origin.path("sequence").asLong();
            BitSet s = seen.computeIfAbsent(stream, k -> new BitSet());
            if (seq <= Integer.MAX_VALUE && s.get((int) seq)) {
                counts[2]++;
                return;
            }
            if (seq <= Integer.MAX_VALUE) s.set((int) seq);
            Long prev = last.put(stream, seq);
            if (prev != null && seq < prev) counts[1]++;
        });
        return counts;
    }

    /**
     * Dead letters of records no collector published (no origin, or the hostile producer's), by reason, each source
     * record counted once.
     */
    static Map<String, Long> hostileDeadLetters(Map<String, Object> kafka, Topics topics) {
        Map<String, Long> byReason = new java.util.TreeMap<>();
        Set<String> sources = new HashSet<>();
        forEach(kafka, topics.deadLetter(), "read_uncommitted", r -> {
            var letter = WireFormat.decodeDeadLetter(r.value());
            if (!sources.add(letter.sourceTopic() + "/" + letter.sourcePartition() + "/" + letter.sourceOffset())) {
                return;
            }
            JsonNode origin = origin(letter.payload());
            if (origin == null || HostileProducer.COLLECTOR.equals(origin.path("collector").asText())) {
                byReason.merge(letter.reason().name(), 1L, Long::sum);
            }
        });
        return byReason;
    }

    /** Alert events on the alert topic, read_committed, by their origin: distinct and repeated. */
    static Alerts alerts(Map<String, Object> kafka, Topics topics) {
        Set<String> seen = new HashSet<>();
        long[] dup = new long[1];
        forEach(kafka, topics.alerts(), "read_committed", r -> {
            try {
                JsonNode origin = WireFormat.mapper().readTree(r.value()).path("origin");
                if (!seen.add(origin.path("collector").asText() + "#" + origin.path("bootEpochMs").asLong() + "#"
                        + origin.path("sequence").asLong())) {
                    dup[0]++;
                }
            } catch (java.io.IOException e) {
                // Not an alert event: not ours to count.
            }
        });
        return new Alerts(seen.size(), dup[0]);
    }

    private static JsonNode origin(String payload) {
        if (payload == null) return null;
        try {
            JsonNode o = WireFormat.mapper().readTree(payload).path("origin");
            return o.isMissingNode() || o.isNull() ? null : o;
        } catch (java.io.IOException e) {
            return null;
        }
    }

    /**
     * Hands every record of {@code topic}, up to its end offsets at the time of the call, to {@code each}, one at a
     * time (a million dead letters need not fit in memory together). Fails if the end is not reached in 15 minutes.
     */
    static void forEach(Map<String, Object> kafka, String topic, String isolation,
                        java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> each) {
        Properties p = new Properties();
        p.putAll(kafka);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = retried(() -> consumer.partitionsFor(topic, Duration.ofSeconds(30))).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = retried(() -> consumer.endOffsets(parts, Duration.ofSeconds(30)));
            long deadline = System.currentTimeMillis() + Duration.ofMinutes(15).toMillis();
            while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end " + end
                            + " in 15 minutes");
                }
                consumer.poll(Duration.ofMillis(500)).forEach(each);
            }
        }
    }

    /**
     * A metadata or offsets request, tried for up to five minutes: after every broker was killed, partitions come
     * back one by one while the brokers recover their logs, and a reconciliation must wait for them, not give up.
     */
    private static <T> T retried(java.util.function.Supplier<T> request) {
        long deadline = System.currentTimeMillis() + Duration.ofMinutes(5).toMillis();
        while (true) {
            try {
                return request.get();
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                if (System.currentTimeMillis() > deadline) throw e;
            }
        }
    }
}
