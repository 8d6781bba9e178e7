package io.vigil.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * Vigil's wire format: one JSON object per Kafka record, with a {@code schema} field naming its kind and version
 * (see {@link Schema} and {@code docs/schema/}). Absent fields are left out, never written as null or zero.
 *
 * <p>{@link #decode} never throws on bad input: it returns a {@link Decoded} carrying the record or the reason it
 * was refused, after {@link TelemetryValidator} has checked it.
 */
public final class WireFormat {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            // Accept NaN/Infinity tokens so that they are refused with a precise reason, not as malformed JSON.
            .enable(JsonParser.Feature.ALLOW_NON_NUMERIC_NUMBERS)
            // Readers ignore fields they do not know, so producers can add fields within a schema version.
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .addModule(new SimpleModule("vigil-instant")
                    .addSerializer(Instant.class, ToStringSerializer.instance)
                    .addDeserializer(Instant.class, new InstantDeserializer()))
            .build();

    private final TelemetryValidator validator;

    public WireFormat(TelemetryValidator validator) {
        this.validator = validator;
    }

    /** The shared, configured mapper; thread-safe once built. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static byte[] encode(Object record) {
        try {
            return MAPPER.writeValueAsBytes(record);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot encode " + record.getClass().getSimpleName(), e);
        }
    }

    public static String encodeToString(Object record) {
        try {
            return MAPPER.writeValueAsString(record);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot encode " + record.getClass().getSimpleName(), e);
        }
    }

    /** Decodes and validates one record of any known kind. */
    public Decoded decode(byte[] bytes) {
        return decode(bytes, null);
    }

    /**
     * Decodes and validates one record; with {@code expected} set, a record of another kind is refused as
     * {@link RejectReason#WRONG_TOPIC} (a power sample on the GPU topic would otherwise be silently misrouted).
     */
    public Decoded decode(byte[] bytes, Schema expected) {
        if (bytes == null || bytes.length == 0) {
            return Decoded.rejected(RejectReason.MALFORMED_JSON, "empty record");
        }
        if (expected != null && declares(bytes, expected)) {
            // Fast path, the common case: a record that declares its topic's schema binds straight to its type,
            // without an intermediate tree (half the cost). Anything unusual falls through to the careful path,
            // which names the problem precisely.
            try {
                TelemetryRecord record;
                if (expected == Schema.GPU) {
                    try (JsonParser parser = MAPPER.getFactory().createParser(bytes)) {
                        record = GpuSampleReader.read(parser);
                    }
                } else {
                    record = MAPPER.readValue(bytes, expected.type());
                }
                if (record != null) {
                    Rejection rejection = validator.validate(record);
                    return rejection == null ? Decoded.valid(record) : new Decoded(null, rejection);
                }
            } catch (IOException | IllegalArgumentException e) {
                // fall through
            }
        }
        JsonNode tree;
        try {
            tree = MAPPER.readTree(bytes);
        } catch (IOException e) {
            return Decoded.rejected(RejectReason.MALFORMED_JSON, firstLine(e.getMessage()));
        }
        if (tree == null || !tree.isObject()) {
            return Decoded.rejected(RejectReason.NOT_AN_OBJECT, "a record must be one JSON object");
        }
        JsonNode schemaNode = tree.get("schema");
        if (schemaNode == null || !schemaNode.isTextual()) {
            return Decoded.rejected(RejectReason.MISSING_SCHEMA, "field 'schema' (e.g. \"vigil.gpu.v1\") is missing");
        }
        Schema schema = Schema.byId(schemaNode.asText());
        if (schema == null) {
            return Decoded.rejected(RejectReason.UNKNOWN_SCHEMA, "unknown schema '" + schemaNode.asText() + "'");
        }
        if (expected != null && schema != expected) {
            return Decoded.rejected(RejectReason.WRONG_TOPIC,
                    "schema " + schema.id() + " does not belong on the topic for " + expected.id());
        }
        TelemetryRecord record;
        try {
            record = MAPPER.treeToValue(tree, schema.type());
        } catch (IOException | IllegalArgumentException e) {
            return Decoded.rejected(RejectReason.INVALID_FIELD, firstLine(e.getMessage()));
        }
        Rejection rejection = validator.validate(record);
        return rejection == null ? Decoded.valid(record) : new Decoded(null, rejection);
    }

    /** Whether the bytes contain {@code "schema":"<id>"}, as Vigil's encoder writes it. */
    static boolean declares(byte[] bytes, Schema schema) {
        byte[] needle = schema.declaration();
        // From the end: Vigil's encoder writes the schema last.
        outer:
        for (int i = bytes.length - needle.length; i >= 0; i--) {
            for (int j = 0; j < needle.length; j++) {
                if (bytes[i + j] != needle[j]) continue outer;
            }
            return true;
        }
        return false;
    }

    /** Reads a dead-letter record (for tools and tests). */
    public static DeadLetter decodeDeadLetter(byte[] bytes) {
        try {
            return MAPPER.readValue(bytes, DeadLetter.class);
        } catch (IOException e) {
            throw new UncheckedIOException("not a dead-letter record", e);
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    private static final class InstantDeserializer extends com.fasterxml.jackson.databind.JsonDeserializer<Instant> {
        @Override
        public Instant deserialize(JsonParser p, com.fasterxml.jackson.databind.DeserializationContext ctxt)
                throws IOException {
            if (p.currentToken().isNumeric()) {
                return Instant.ofEpochMilli(p.getLongValue());
            }
            try {
                return Instant.parse(p.getText());
            } catch (java.time.format.DateTimeParseException e) {
                throw ctxt.weirdStringException(p.getText(), Instant.class, "expected an RFC 3339 timestamp");
            }
        }
    }
}
