package io.vigil.model;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The record kinds of the wire format, each with its {@code schema} id and its JSON Schema file under
 * {@code docs/schema/}. A record whose {@code schema} is not listed here is rejected as {@link RejectReason#UNKNOWN_SCHEMA}.
 */
public enum Schema {
    GPU("vigil.gpu.v1", GpuSample.class),
    POWER("vigil.power.v1", PowerSample.class),
    COOLING("vigil.cooling.v1", CoolingSample.class),
    JOB("vigil.job.v1", JobEvent.class),
    STEP("vigil.step.v1", StepEvent.class),
    ALERT("vigil.alert.v1", AlertEvent.class);

    private static final Map<String, Schema> BY_ID =
            Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(Schema::id, Function.identity()));

    private final String id;
    private final Class<? extends TelemetryRecord> type;
    private final byte[] declaration;

    Schema(String id, Class<? extends TelemetryRecord> type) {
        this.id = id;
        this.type = type;
        this.declaration = ("\"schema\":\"" + id + "\"").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** The bytes {@code "schema":"<id>"}, as Vigil's encoder writes them (for a fast check). */
    byte[] declaration() {
        return declaration;
    }

    @JsonValue
    public String id() {
        return id;
    }

    public Class<? extends TelemetryRecord> type() {
        return type;
    }

    /** File name of this kind's JSON Schema under {@code docs/schema/}. */
    public String schemaFileName() {
        return id + ".schema.json";
    }

    public static Schema byId(String id) {
        return BY_ID.get(id);
    }

    @Override
    public String toString() {
        return id;
    }
}
