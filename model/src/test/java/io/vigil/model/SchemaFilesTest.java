package io.vigil.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The JSON Schemas in docs/schema describe what the code writes, so third parties can rely on them. */
class SchemaFilesTest {

    static final Path DIR = Path.of("..", "docs", "schema");
    static final long NOW = 1_790_000_000_000L;

    static JsonSchema load(String fileName) throws Exception {
        return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                .getSchema(Files.readString(DIR.resolve(fileName)));
    }

    static Set<ValidationMessage> validate(String fileName, Object record) throws Exception {
        JsonNode node = WireFormat.mapper().readTree(WireFormat.encode(record));
        return load(fileName).validate(node);
    }

    @Test
    void everyKindHasASchemaFile() {
        for (Schema s : Schema.values()) {
            assertThat(DIR.resolve(s.schemaFileName())).as(s.id()).isRegularFile();
        }
        assertThat(DIR.resolve("vigil.deadletter.v1.schema.json")).isRegularFile();
    }

    @Test
    void recordsWrittenByVigilValidate() throws Exception {
        Origin o = new Origin("col", 1, 2);
        Map<Schema, Object> samples = Map.of(
                Schema.GPU, WireFormatTest.gpu(),
                Schema.POWER, new PowerSample(NOW, "c", "A", "A01", null, PowerSample.Source.RACK_PDU, "pdu", 1.0, 2.0,
                        List.of(1.0), o),
                Schema.COOLING, new CoolingSample(NOW, "c", "A", "A01", CoolingSample.Source.RACK_AIR, "air", null, null,
                        null, null, null, 24.0, 35.0, List.of(9000.0), null, o),
                Schema.JOB, new JobEvent(NOW, "c", "j", JobEvent.Kind.END, null, null, List.of(), o),
                Schema.ALERT, new AlertEvent("f", AlertType.SYNC_STALL, AlertEvent.Severity.CRITICAL,
                        AlertEvent.State.RESOLVED, Instant.ofEpochMilli(NOW), Instant.ofEpochMilli(NOW + 1),
                        Map.of("job", "j"), "s", Map.of("x", 1.0), o, Instant.ofEpochMilli(NOW)),
                Schema.STEP, new StepEvent("c", "j", 1, 2, NOW - 500, NOW, 400.0, null, "h", 0, o));
        for (var e : samples.entrySet()) {
            assertThat(validate(e.getKey().schemaFileName(), e.getValue())).as(e.getKey().id()).isEmpty();
        }
        // The out-of-band fields: a BMC's GPU sample, a power supply, per-detector leak states.
        assertThat(validate(Schema.GPU.schemaFileName(), WireFormatTest.gpu().toBuilder()
                .source(GpuSample.Source.REDFISH).serial("s").driverVersion("d").coreVoltageV(0.8).dramActivePct(40.0)
                .powerThrottleSeconds(1.0).thermalThrottleSeconds(2.0).hwThrottleSeconds(3.0).swThrottleSeconds(4.0)
                .pcieReplays(5L).pcieCorrectableErrors(6L).pcieUncorrectableErrors(7L).remappedRowsCorrectable(8L)
                .remappedRowsUncorrectable(9L).rowRemapPending(true).rowRemapFailed(false).build())).isEmpty();
        assertThat(validate(Schema.POWER.schemaFileName(), new PowerSample(NOW, "c", null, "R1", null,
                PowerSample.Source.PSU, "psu", 3600.0, 5500.0, null, o, 3420.0, -48.0, 95.0))).isEmpty();
        assertThat(validate(Schema.COOLING.schemaFileName(), new CoolingSample(NOW, "c", null, "R1",
                CoolingSample.Source.CHASSIS, "tray", null, null, null, null, true, null, null, null, null, o,
                List.of(new CoolingSample.LeakDetector("d", CoolingSample.LeakDetector.State.WARNING))))).isEmpty();
        DeadLetter letter = DeadLetter.of(new Rejection(RejectReason.MALFORMED_JSON, "x"), "t", 0, 1L,
                Instant.ofEpochMilli(NOW), "oops".getBytes());
        assertThat(validate("vigil.deadletter.v1.schema.json", letter)).isEmpty();
        assertThat(validate(Schema.JOB.schemaFileName(), new JobEvent(NOW, "c", "j", JobEvent.Kind.START, "n", "t",
                List.of(new JobEvent.RankAllocation(0, "h", 0, null)), o, "acct", "ns"))).isEmpty();
        Instant now = Instant.ofEpochMilli(NOW);
        assertThat(validate("vigil.notification.v1.schema.json", new NotificationAttempt("id", 1, "pd", "pagerduty",
                "pagerduty[0]", "inc", now, NotificationAttempt.Action.TRIGGER, NotificationAttempt.Outcome.DELIVERED,
                now, 12, 202, null, "THERMAL", "critical", "ml", "hot"))).isEmpty();
        assertThat(validate("vigil.silence.v1.schema.json", new Silence("s", Silence.Kind.MAINTENANCE,
                List.of(LabelMatcher.parse("rack=\"r1\"")), null, now, now.plusSeconds(60), "ana", "work", now)))
                .isEmpty();
    }

    @Test
    void notificationAndSilenceEnumsListEveryConstant() throws Exception {
        JsonNode n = WireFormat.mapper().readTree(Files.readString(DIR.resolve("vigil.notification.v1.schema.json")));
        assertThat(WireFormat.mapper().convertValue(n.at("/properties/action/enum"), List.class))
                .containsExactlyInAnyOrder(java.util.Arrays.stream(NotificationAttempt.Action.values()).map(Enum::name).toArray());
        assertThat(WireFormat.mapper().convertValue(n.at("/properties/outcome/enum"), List.class))
                .containsExactlyInAnyOrder(java.util.Arrays.stream(NotificationAttempt.Outcome.values()).map(Enum::name).toArray());
        JsonNode s = WireFormat.mapper().readTree(Files.readString(DIR.resolve("vigil.silence.v1.schema.json")));
        assertThat(WireFormat.mapper().convertValue(s.at("/properties/kind/enum"), List.class))
                .containsExactlyInAnyOrder(java.util.Arrays.stream(Silence.Kind.values()).map(Enum::name).toArray());
    }

    @Test
    void schemasRejectWhatTheValidatorRejects() throws Exception {
        JsonNode negativePower = WireFormat.mapper().readTree(
                "{\"schema\":\"vigil.gpu.v1\",\"ts\":1,\"cluster\":\"c\",\"host\":\"h\",\"gpu\":0,\"powerW\":-1}");
        JsonNode missingHost = WireFormat.mapper().readTree(
                "{\"schema\":\"vigil.gpu.v1\",\"ts\":1,\"cluster\":\"c\",\"gpu\":0}");
        JsonSchema gpu = load(Schema.GPU.schemaFileName());
        assertThat(gpu.validate(negativePower)).isNotEmpty();
        assertThat(gpu.validate(missingHost)).isNotEmpty();
    }

    @Test
    void schemaEnumsListEveryEnumConstant() throws Exception {
        JsonNode alert = WireFormat.mapper().readTree(Files.readString(DIR.resolve(Schema.ALERT.schemaFileName())));
        List<String> types = WireFormat.mapper().convertValue(alert.at("/properties/type/enum"), List.class);
        assertThat(types).containsExactlyInAnyOrder(
                java.util.Arrays.stream(AlertType.values()).map(Enum::name).toArray(String[]::new));
        JsonNode dead = WireFormat.mapper().readTree(Files.readString(DIR.resolve("vigil.deadletter.v1.schema.json")));
        List<String> reasons = WireFormat.mapper().convertValue(dead.at("/properties/reason/enum"), List.class);
        JsonNode power = WireFormat.mapper().readTree(Files.readString(DIR.resolve(Schema.POWER.schemaFileName())));
        assertThat(WireFormat.mapper().convertValue(power.at("/properties/source/enum"), List.class))
                .containsExactlyInAnyOrder(java.util.Arrays.stream(PowerSample.Source.values()).map(Enum::name).toArray());
        JsonNode gpu = WireFormat.mapper().readTree(Files.readString(DIR.resolve(Schema.GPU.schemaFileName())));
        assertThat(WireFormat.mapper().convertValue(gpu.at("/properties/source/enum"), List.class))
                .containsExactlyInAnyOrder(java.util.Arrays.stream(GpuSample.Source.values()).map(Enum::name).toArray());
        assertThat(reasons).containsExactlyInAnyOrder(
                java.util.Arrays.stream(RejectReason.values()).map(Enum::name).toArray(String[]::new));
    }
}
