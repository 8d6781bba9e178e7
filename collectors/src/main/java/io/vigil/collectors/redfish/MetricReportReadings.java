package io.vigil.collectors.redfish;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The readings a service publishes in {@code TelemetryService/MetricReports}, regrouped by the resource they
 * describe. Each {@code MetricValue} names its source as {@code MetricProperty} — a resource path and a JSON
 * pointer into it ({@code /redfish/v1/Chassis/Tray_1/Power#/PowerControl/0/PowerConsumedWatts}) — so the values of
 * one resource can be put back together as a partial document of that resource. Where a property appears more than
 * once (several reports, or a report holding a series), the value with the newest {@code Timestamp} wins, else the
 * last one listed.
 *
 * <p>A resource covered here is read from the reports instead of by its own request: a few report GETs replace a
 * walk of every metrics resource, which is what the service offers them for.
 */
final class MetricReportReadings {

    private record Value(long at, int order, JsonNode value) {}

    private final Map<String, ObjectNode> documents = new HashMap<>();

    /** Adds the values of one {@code MetricReport}. */
    void add(JsonNode report) {
        Map<String, Map<String, Value>> latest = new HashMap<>();
        int order = 0;
        for (JsonNode v : report.path("MetricValues")) {
            String property = v.path("MetricProperty").asText(null);
            if (property == null || !property.contains("#/")) continue;
            String path = property.substring(0, property.indexOf('#'));
            String pointer = property.substring(property.indexOf('#') + 1);
            JsonNode value = v.get("MetricValue");
            if (value == null || value.isNull()) continue;
            long at = time(v.path("Timestamp").asText(null));
            Value candidate = new Value(at, order++, value);
            latest.computeIfAbsent(path, p -> new HashMap<>()).merge(pointer, candidate,
                    (a, b) -> b.at >= a.at ? b : a);
        }
        latest.forEach((path, values) -> values.forEach((pointer, v) -> put(path, pointer, v.value)));
    }

    /** The partial document of {@code path} the reports hold, if any. */
    Optional<JsonNode> document(String path) {
        return Optional.ofNullable(documents.get(path));
    }

    int resources() {
        return documents.size();
    }

    private void put(String path, String pointer, JsonNode value) {
        ObjectNode doc = documents.computeIfAbsent(path, p -> JsonNodeFactory.instance.objectNode().put("@odata.id", p));
        String[] parts = pointer.substring(1).split("/");
        JsonNode node = doc;
        for (int i = 0; i < parts.length; i++) {
            String key = parts[i].replace("~1", "/").replace("~0", "~");
            boolean last = i == parts.length - 1;
            boolean nextIsIndex = !last && parts[i + 1].matches("\\d+");
            if (node instanceof ObjectNode o) {
                if (last) {
                    o.set(key, value);
                } else {
                    JsonNode child = o.get(key);
                    if (child == null || !(child.isContainerNode())) {
                        child = nextIsIndex ? o.putArray(key) : o.putObject(key);
                    }
                    node = child;
                }
            } else if (node instanceof ArrayNode a && key.matches("\\d+")) {
                int index = Integer.parseInt(key);
                if (index > 1024) return;
                while (a.size() <= index) a.addNull();
                if (last) {
                    a.set(index, value);
                } else {
                    JsonNode child = a.get(index);
                    if (child == null || !child.isContainerNode()) {
                        child = nextIsIndex ? JsonNodeFactory.instance.arrayNode() : JsonNodeFactory.instance.objectNode();
                        a.set(index, child);
                    }
                    node = child;
                }
            } else {
                return;
            }
        }
    }

    private static long time(String iso) {
        if (iso == null) return Long.MIN_VALUE;
        try {
            return OffsetDateTime.parse(iso).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            return Long.MIN_VALUE;
        }
    }
}
