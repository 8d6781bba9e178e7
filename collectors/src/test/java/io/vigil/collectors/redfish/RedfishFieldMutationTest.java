package io.vigil.collectors.redfish;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vigil.collectors.OriginStamper;
import io.vigil.collectors.RecordSanitizer;
import io.vigil.collectors.redfish.RedfishClient.Deadline;
import io.vigil.collectors.redfish.RedfishClient.NotFound;
import io.vigil.model.Rejection;
import io.vigil.model.TelemetryRecord;
import io.vigil.model.TelemetryValidator;
import io.vigil.model.WireFormat;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * No missing or strange field can break the Redfish walk. For every tree the repository's tests serve (the DMTF
 * mockups and Vigil's own fixtures), for every resource the walk reads and every field in it (nested ones too), the
 * field is removed, set to null, turned into a string, into a negative and into a huge number, and the tree scraped
 * again. Each time:
 * <ul>
 *   <li>the scrape finishes (no exception leaves it);</li>
 *   <li>only the readings that come from that resource may change: every record of the unchanged tree that neither
 *       removing the resource nor touching all its values changes is published again, identical;</li>
 *   <li>every record, once the collector's sanitizer has dropped implausible values, is one the pipeline accepts;</li>
 *   <li>no Java exception type name reaches a message (the scrape's resource errors, the source's log lines).</li>
 * </ul>
 * The tree is served from memory (a {@link RedfishService} over the parsed files) so the tens of thousands of
 * scrapes take seconds; the HTTP client is tested on its own and with these trees served over HTTP elsewhere.
 */
class RedfishFieldMutationTest {

    static final long TS = 1_790_000_000_000L;
    static final Path MOCKUPS = Path.of(System.getProperty("vigil.testdata", "../../shared/testdata"), "redfish", "dmtf");
    static final Path FIXTURES = Path.of("src", "test", "resources", "redfish");
    static final TelemetryValidator VALIDATOR = new TelemetryValidator(
            java.time.Clock.fixed(Instant.ofEpochMilli(TS), ZoneOffset.UTC), Duration.ofMinutes(5));
    /** A Java type name: {@code SocketTimeoutException}, {@code java.lang.NullPointerException}, {@code Long.longValue()}. */
    static final Pattern TYPE_NAME = Pattern.compile("[A-Z][A-Za-z0-9]*(Exception|Error)\\b|java\\.|\\bLong\\.|\\bDouble\\.");

    enum Mutation {
        REMOVED, NULL, STRING, NEGATIVE, HUGE;

        void apply(ObjectNode parent, String field) {
            JsonNode v = parent.get(field);
            switch (this) {
                case REMOVED -> parent.remove(field);
                case NULL -> parent.putNull(field);
                case STRING -> parent.put(field, v.isValueNode() ? v.asText() : v.toString());
                case NEGATIVE -> parent.put(field, v.isNumber() ? -Math.abs(v.asDouble()) - 1 : -1);
                case HUGE -> parent.put(field, 1.0e300);
            }
        }
    }

    static Stream<Path> trees() throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path root : List.of(FIXTURES, MOCKUPS)) {
            assertThat(root).as("Redfish trees expected at %s (shared test data beside the repository)", root)
                    .isDirectory();
            try (Stream<Path> s = Files.list(root)) {
                s.filter(p -> Files.isRegularFile(p.resolve("index.json"))).sorted().forEach(out::add);
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("trees")
    void everyFieldOfEveryResourceReadCanBeMissingOrStrange(Path tree) throws Exception {
        Map<String, JsonNode> docs = load(tree);
        Scrape baseline = scrape(docs);
        assertThat(baseline.records).as("the unchanged tree gives readings").isNotEmpty();
        List<String> violations = new ArrayList<>();
        int variants = 0;
        for (String path : baseline.requested) {
            JsonNode doc = docs.get(path);
            if (doc == null) continue;
            Set<String> dependent = dependentOn(docs, path, baseline);
            for (FieldRef field : fields(doc)) {
                for (Mutation m : Mutation.values()) {
                    JsonNode copy = doc.deepCopy();
                    m.apply(field.in(copy), field.name);
                    Map<String, JsonNode> variant = new HashMap<>(docs);
                    variant.put(path, copy);
                    variants++;
                    String what = path + " " + field + " " + m;
                    Scrape s;
                    try {
                        s = scrape(variant);
                    } catch (Exception | Error e) {
                        violations.add(what + ": the scrape failed: " + e);
                        continue;
                    }
                    for (String r : baseline.records) {
                        if (!dependent.contains(r) && !s.records.contains(r)) {
                            violations.add(what + ": changed a reading from elsewhere: " + r);
                        }
                    }
                    for (String line : s.messages) {
                        if (TYPE_NAME.matcher(line).find()) violations.add(what + ": a type name in \"" + line + "\"");
                    }
                    violations.addAll(s.refused.stream().map(r -> what + ": " + r).toList());
                }
            }
        }
        System.out.printf("%s: %d resources read, %d variants scraped%n", tree.getFileName(), baseline.requested.size(),
                variants);
        assertThat(violations).as("%d variants of %s", variants, tree.getFileName()).isEmpty();
        assertThat(variants).isGreaterThan(50);
    }

    /**
     * The records that come from {@code path}: those that change when it is gone (404), when every value in it is
     * touched (each number moved, each string extended, each boolean flipped), when only its numbers are moved, or
     * when the objects at one depth are replaced by a number (an excerpt or link that becomes a plain reading).
     */
    private Set<String> dependentOn(Map<String, JsonNode> docs, String path, Scrape baseline) {
        Set<String> dependent = new HashSet<>();
        List<Map<String, JsonNode>> probes = new ArrayList<>();
        Map<String, JsonNode> without = new HashMap<>(docs);
        without.remove(path);
        probes.add(without);
        JsonNode touched = docs.get(path).deepCopy();
        touchAll(touched, false);
        JsonNode numbers = docs.get(path).deepCopy();
        touchAll(numbers, true);
        for (JsonNode probe : List.of(touched, numbers)) {
            Map<String, JsonNode> variant = new HashMap<>(docs);
            variant.put(path, probe);
            probes.add(variant);
        }
        for (int depth = 0; depth < 4; depth++) {
            JsonNode flat = docs.get(path).deepCopy();
            if (!flatten(flat, depth)) break;
            Map<String, JsonNode> variant = new HashMap<>(docs);
            variant.put(path, flat);
            probes.add(variant);
        }
        for (Map<String, JsonNode> variant : probes) {
            Set<String> after = scrape(variant).records;
            for (String r : baseline.records) {
                if (!after.contains(r)) dependent.add(r);
            }
        }
        return dependent;
    }

    private static void touchAll(JsonNode node, boolean numbersOnly) {
        if (node instanceof ObjectNode o) {
            List<String> names = new ArrayList<>();
            o.fieldNames().forEachRemaining(names::add);
            for (String n : names) {
                JsonNode v = o.get(n);
                if (v.isNumber()) o.put(n, v.asDouble() + 0.5);
                else if (v.isTextual() && !numbersOnly) o.put(n, v.asText() + "~");
                else if (v.isBoolean() && !numbersOnly) o.put(n, !v.asBoolean());
                else touchAll(v, numbersOnly);
            }
        } else if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                JsonNode v = a.get(i);
                if (v.isNumber()) a.set(i, v.asDouble() + 0.5);
                else if (v.isTextual() && !numbersOnly) a.set(i, a.textNode(v.asText() + "~"));
                else touchAll(v, numbersOnly);
            }
        }
    }

    /** Replaces every object-valued field {@code depth} levels down by a number; false when there is none. */
    private static boolean flatten(JsonNode node, int depth) {
        boolean any = false;
        if (node instanceof ObjectNode o) {
            List<String> names = new ArrayList<>();
            o.fieldNames().forEachRemaining(names::add);
            for (String n : names) {
                JsonNode v = o.get(n);
                if (depth == 0 && v.isObject()) {
                    o.put(n, 4321.5);
                    any = true;
                } else if (depth > 0) {
                    any |= flatten(v, depth - 1);
                }
            }
        } else if (node instanceof ArrayNode a) {
            for (JsonNode v : a) any |= flatten(v, depth);
        }
        return any;
    }

    /** A field: the path of object keys and array indexes to its parent object, and its name. */
    record FieldRef(List<Object> parent, String name) {
        ObjectNode in(JsonNode root) {
            JsonNode n = root;
            for (Object step : parent) n = step instanceof Integer i ? n.get(i) : n.get((String) step);
            return (ObjectNode) n;
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder();
            for (Object s : parent) b.append('/').append(s);
            return b.append('/').append(name).toString();
        }
    }

    static List<FieldRef> fields(JsonNode doc) {
        List<FieldRef> out = new ArrayList<>();
        collect(doc, new ArrayList<>(), out::add);
        return out;
    }

    private static void collect(JsonNode node, List<Object> at, Consumer<FieldRef> out) {
        if (node instanceof ObjectNode o) {
            o.fieldNames().forEachRemaining(name -> {
                out.accept(new FieldRef(List.copyOf(at), name));
                at.add(name);
                collect(o.get(name), at, out);
                at.remove(at.size() - 1);
            });
        } else if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                at.add(i);
                collect(a.get(i), at, out);
                at.remove(at.size() - 1);
            }
        }
    }

    record Scrape(Set<String> records, Set<String> requested, List<String> messages, List<String> refused) {}

    /** One scrape of the tree by a fresh source (nothing kept from another variant). */
    static Scrape scrape(Map<String, JsonNode> docs) {
        Set<String> requested = ConcurrentHashMap.newKeySet();
        RedfishService service = new RedfishService() {
            @Override
            public URI base() {
                return URI.create("memory:/bmc");
            }

            @Override
            public Duration timeout() {
                return Duration.ofSeconds(5);
            }

            @Override
            public JsonNode get(String path, Deadline deadline) throws NotFound {
                String key = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
                key = key.length() > 1 && key.endsWith("/") ? key.substring(0, key.length() - 1) : key;
                requested.add(key);
                JsonNode doc = docs.get(key);
                if (doc == null) throw new NotFound(path);
                return doc;
            }

            @Override
            public List<Object> getAll(List<String> paths, Deadline deadline) {
                List<Object> out = new ArrayList<>();
                for (String p : paths) {
                    try {
                        out.add(get(p, deadline));
                    } catch (NotFound e) {
                        out.add(e);
                    }
                }
                return out;
            }
        };
        RedfishSource source = new RedfishSource(service, new RedfishSource.Placement("dc1", null, null, "n1"),
                new OriginStamper("test", 1), InstantSource.fixed(Instant.ofEpochMilli(TS)), Duration.ofSeconds(10),
                RedfishSource.Discovery.walkEverything());
        List<TelemetryRecord> records;
        List<String> messages = new ArrayList<>();
        try (CapturedLog log = CapturedLog.of(RedfishSource.class)) {
            records = source.scrape();
            messages.addAll(log.lines());
        } catch (io.vigil.collectors.Source.ScrapeException e) {
            records = List.of();
            messages.add(e.getMessage());
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        messages.addAll(source.lastResourceErrors());
        RecordSanitizer sanitizer = new RecordSanitizer();
        List<String> refused = new ArrayList<>();
        Set<String> normalized = new LinkedHashSet<>();
        for (TelemetryRecord r : records) {
            TelemetryRecord clean = sanitizer.clean(r);
            Rejection why = VALIDATOR.validate(clean);
            if (why != null) refused.add("published a record the pipeline refuses (" + why.detail() + "): " + clean);
            normalized.add(normalize(r));
        }
        return new Scrape(normalized, new LinkedHashSet<>(requested), messages, refused);
    }

    /** A record as JSON without its origin stamp (sequence numbers shift when another record comes or goes). */
    static String normalize(TelemetryRecord r) {
        ObjectNode json = (ObjectNode) WireFormat.mapper().valueToTree(r);
        json.remove("origin");
        return json.toString();
    }

    static Map<String, JsonNode> load(Path tree) throws IOException {
        Map<String, JsonNode> docs = new HashMap<>();
        try (Stream<Path> files = Files.walk(tree)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.getFileName().toString().equals("index.json"))::iterator) {
                String rel = tree.relativize(f.getParent()).toString().replace('\\', '/');
                docs.put(rel.isEmpty() ? "/redfish/v1" : "/redfish/v1/" + rel,
                        WireFormat.mapper().readTree(Files.readAllBytes(f)));
            }
        }
        return docs;
    }
}
