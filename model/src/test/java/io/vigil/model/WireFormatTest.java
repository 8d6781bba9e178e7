package io.vigil.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WireFormatTest {

    static final long NOW = 1_790_000_000_000L;
    final WireFormat wire = new WireFormat(new TelemetryValidator(
            Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC), Duration.ofMinutes(5)));

    static GpuSample gpu() {
        return GpuSample.builder().ts(NOW).cluster("c").row("A").rack("A01").host("h1").gpu(3).uuid("GPU-1")
                .gpuTempC(70.5).slowdownTempC(89.0).powerW(600.0).clockEventReasons(0x21L)
                .origin(new Origin("col", 5, 7)).build();
    }

    static Decoded decode(WireFormat w, String json) {
        return w.decode(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void gpuSampleRoundTripsAndLeavesAbsentFieldsOut() {
        String json = WireFormat.encodeToString(gpu());
        assertThat(json).startsWith("{").contains("\"schema\":\"vigil.gpu.v1\"")
                .contains("\"clockEventNames\":[\"GPU_IDLE\",\"SW_THERMAL_SLOWDOWN\"]")
                .doesNotContain("null").doesNotContain("tensorActivePct");
        Decoded d = wire.decode(json.getBytes(StandardCharsets.UTF_8));
        assertThat(d.rejection()).isNull();
        assertThat(d.record()).isEqualTo(gpu());
        assertThat(((GpuSample) d.record()).tensorActivePct()).isNull();
    }

    @Test
    void everyKindRoundTrips() {
        List<TelemetryRecord> records = List.of(gpu(),
                new PowerSample(NOW, "c", "A", "A01", null, PowerSample.Source.RACK_PDU, "pdu1", 30_000.0, 60_000.0,
                        List.of(43.0, 44.0, 42.5), new Origin("col", 5, 8)),
                new CoolingSample(NOW, "c", "A", null, CoolingSample.Source.CDU, "CDU-1", 30.0, 38.0, 420.0, 120.0,
                        false, null, null, null, List.of("A01", "A02"), new Origin("col", 5, 9)),
                new CoolingSample(NOW, "c", "C", "R12", CoolingSample.Source.CHASSIS, "n1/tray", 31.0, 44.0, 6.0, null,
                        true, null, null, null, null, new Origin("col", 5, 11), List.of(
                                new CoolingSample.LeakDetector("ColdPlate_2", CoolingSample.LeakDetector.State.CRITICAL),
                                new CoolingSample.LeakDetector("Manifold", CoolingSample.LeakDetector.State.OK))),
                new PowerSample(NOW, "c", "C", "R12", null, PowerSample.Source.PSU, "shelf/PSU_0", 3600.0, 5500.0,
                        null, new Origin("col", 5, 12), 3420.0, -48.0, 95.0),
                new JobEvent(NOW, "c", "job-1", JobEvent.Kind.START, "pretrain", "team-a",
                        List.of(new JobEvent.RankAllocation(0, "h1", 0, "GPU-0")), new Origin("col", 5, 10)),
                new AlertEvent("abc", AlertType.THERMAL, AlertEvent.Severity.WARNING, AlertEvent.State.FIRING,
                        Instant.ofEpochMilli(NOW), null, Map.of("host", "h1", "gpu", "3"), "hot",
                        Map.of("gpuTempC", 91.0), new Origin("det", 0, 1), Instant.ofEpochMilli(NOW + 3000)),
                new StepEvent("c", "job-1", 3, 120, NOW - 900, NOW, 610.0, 290.0, "h1", 3, new Origin("train", 0, 7)));
        for (TelemetryRecord r : records) {
            Decoded d = wire.decode(WireFormat.encode(r));
            assertThat(d.rejection()).as(r.schema().id()).isNull();
            assertThat(d.record()).isEqualTo(r);
        }
    }

    @Test
    void refusesBadInputWithAPreciseReason() {
        assertThat(decode(wire, "not json").rejection().reason()).isEqualTo(RejectReason.MALFORMED_JSON);
        assertThat(decode(wire, "[1,2]").rejection().reason()).isEqualTo(RejectReason.NOT_AN_OBJECT);
        assertThat(decode(wire, "{\"ts\":1}").rejection().reason()).isEqualTo(RejectReason.MISSING_SCHEMA);
        assertThat(decode(wire, "{\"schema\":\"vigil.nope.v9\"}").rejection().reason())
                .isEqualTo(RejectReason.UNKNOWN_SCHEMA);
        assertThat(decode(wire, "{\"schema\":\"vigil.gpu.v1\",\"ts\":" + NOW + ",\"cluster\":\"c\",\"gpu\":0}")
                .rejection()).satisfies(r -> {
                    assertThat(r.reason()).isEqualTo(RejectReason.MISSING_FIELD);
                    assertThat(r.detail()).contains("'host'");
                });
        assertThat(decode(wire, gpuJson("\"gpu\":\"zero\"")).rejection().reason()).isEqualTo(RejectReason.INVALID_FIELD);
        assertThat(decode(wire, gpuJson("\"gpuTempC\":NaN")).rejection().reason()).isEqualTo(RejectReason.NOT_A_NUMBER);
        assertThat(decode(wire, gpuJson("\"powerW\":-5")).rejection().reason()).isEqualTo(RejectReason.NEGATIVE_VALUE);
        assertThat(decode(wire, gpuJson("\"gpuTempC\":400")).rejection().reason()).isEqualTo(RejectReason.OUT_OF_RANGE);
        assertThat(decode(wire, gpuJson("\"gpuUtilPct\":101")).rejection().reason()).isEqualTo(RejectReason.OUT_OF_RANGE);
        assertThat(wire.decode(new byte[0]).rejection().reason()).isEqualTo(RejectReason.MALFORMED_JSON);
    }

    @Test
    void refusesTimestampsFarInTheFutureButAcceptsSmallSkew() {
        String soon = WireFormat.encodeToString(gpu().toBuilder().ts(NOW + Duration.ofMinutes(4).toMillis()).build());
        String far = WireFormat.encodeToString(gpu().toBuilder().ts(NOW + Duration.ofHours(2).toMillis()).build());
        assertThat(decode(wire, soon).isValid()).isTrue();
        Rejection r = decode(wire, far).rejection();
        assertThat(r.reason()).isEqualTo(RejectReason.FUTURE_TIMESTAMP);
        assertThat(r.detail()).contains("7200 s ahead");
    }

    @Test
    void refusesARecordOfAnotherKindOnATopicOfOneKind() {
        byte[] power = WireFormat.encode(new PowerSample(NOW, "c", null, null, "h1", PowerSample.Source.HOST_PSU,
                "psu", 900.0, null, null, null));
        assertThat(wire.decode(power, Schema.GPU).rejection().reason()).isEqualTo(RejectReason.WRONG_TOPIC);
        assertThat(wire.decode(power, Schema.POWER).isValid()).isTrue();
    }

    @Test
    void everyInputIsEitherValidOrRejectedWithTheOriginalBytesKept() {
        List<String> inputs = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            inputs.add(WireFormat.encodeToString(gpu().toBuilder().gpu(i % 8).ts(NOW - i).build()));
        }
        inputs.addAll(List.of("garbage", "{}", gpuJson("\"gpuTempC\":-100"), "\u00ff\u00fe"));
        int valid = 0;
        List<DeadLetter> rejected = new ArrayList<>();
        for (String in : inputs) {
            byte[] bytes = in.getBytes(StandardCharsets.ISO_8859_1);
            Decoded d = wire.decode(bytes);
            if (d.isValid()) {
                valid++;
            } else {
                rejected.add(DeadLetter.of(d.rejection(), "t", 0, 0L, Instant.ofEpochMilli(NOW), bytes));
            }
        }
        assertThat(valid).isEqualTo(50);
        assertThat(rejected).hasSize(4);
        assertThat(valid + rejected.size()).isEqualTo(inputs.size());
        DeadLetter binary = rejected.get(3);
        assertThat(binary.payload()).isNull();
        assertThat(java.util.Base64.getDecoder().decode(binary.payloadBase64()))
                .isEqualTo("\u00ff\u00fe".getBytes(StandardCharsets.ISO_8859_1));
        DeadLetter back = WireFormat.decodeDeadLetter(WireFormat.encode(rejected.get(0)));
        assertThat(back).isEqualTo(rejected.get(0));
    }

    @Test
    void aRecordAsLargeAsKafkaAllowsFitsInItsDeadLetterWithItsBytesKept() {
        byte[] huge = ("{\"schema\":\"vigil.gpu.v1\",\"junk\":\"" + "\\u0000".repeat(170_000) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        Decoded d = wire.decode(huge);
        assertThat(d.isValid()).isFalse();
        DeadLetter letter = DeadLetter.of(d.rejection(), "t", 0, 0L, Instant.ofEpochMilli(NOW), huge);
        // Too large for its text form as well: base64 only, the bytes intact, the letter within the topic's limit.
        assertThat(letter.payload()).isNull();
        assertThat(java.util.Base64.getDecoder().decode(letter.payloadBase64())).isEqualTo(huge);
        assertThat(WireFormat.encode(letter).length).isLessThan(DeadLetter.MAX_RECORD_BYTES);
        byte[] small = "garbage".getBytes(StandardCharsets.UTF_8);
        assertThat(DeadLetter.of(wire.decode(small).rejection(), "t", 0, 0L, Instant.ofEpochMilli(NOW), small).payload())
                .isEqualTo("garbage");
    }

    @Test
    void fingerprintIsStableAndIndependentOfLabelOrder() {
        String a = AlertEvent.fingerprint(AlertType.THERMAL, Map.of("host", "h1", "gpu", "3"));
        String b = AlertEvent.fingerprint(AlertType.THERMAL, new java.util.TreeMap<>(Map.of("gpu", "3", "host", "h1")));
        assertThat(a).isEqualTo(b).hasSize(16);
        assertThat(AlertEvent.fingerprint(AlertType.STRAGGLER, Map.of("host", "h1", "gpu", "3"))).isNotEqualTo(a);
        assertThat(AlertEvent.fingerprint(AlertType.THERMAL, Map.of("host", "h1", "gpu", "4"))).isNotEqualTo(a);
    }

    @Test
    void clockEventReasonsDecodeToNames() {
        assertThat(ClockEventReason.decode(0x1L | 0x40L | 0x100L))
                .containsExactly("GPU_IDLE", "HW_THERMAL_SLOWDOWN", "DISPLAY_CLOCK_SETTING");
        assertThat(ClockEventReason.decode(0)).isEmpty();
        assertThat(ClockEventReason.decode(0x8000L)).isEmpty();
    }

    private static String gpuJson(String extra) {
        return "{\"schema\":\"vigil.gpu.v1\",\"ts\":" + NOW + ",\"cluster\":\"c\",\"host\":\"h\",\"gpu\":0," + extra + "}";
    }

    @Test
    void theGpuFastPathReadsWhatTheGenericPathReads() {
        WireFormat wire = new WireFormat(TelemetryValidator.withSystemClock());
        GpuSample full = gpu();
        List<String> records = List.of(
                WireFormat.encodeToString(full),
                WireFormat.encodeToString(full.toBuilder().migInstance(2).pod("p").namespace("ns").container("c")
                        .state(GpuSample.GpuState.LOST).clockEventReasons(null).origin(null).build()),
                // every out-of-band field, as a BMC's sample carries them
                WireFormat.encodeToString(full.toBuilder().source(GpuSample.Source.REDFISH).serial("1654925000100")
                        .driverVersion("580.105.08").coreVoltageV(0.85).dramActivePct(41.0).powerThrottleSeconds(12.5)
                        .thermalThrottleSeconds(0.0).hwThrottleSeconds(1.5).swThrottleSeconds(180.0).pcieReplays(7L)
                        .pcieCorrectableErrors(3L).pcieUncorrectableErrors(1L).remappedRowsCorrectable(2L)
                        .remappedRowsUncorrectable(0L).rowRemapPending(true).rowRemapFailed(false).build()),
                "{\"ts\":" + NOW + ",\"cluster\":\"c\",\"host\":\"h\",\"gpu\":1,\"source\":\"SATELLITE\",\"schema\":\"vigil.gpu.v1\"}",
                // names that disagree with the mask are kept as sent; unknown fields and nested objects skipped
                "{\"ts\":" + NOW + ",\"cluster\":\"c\",\"host\":\"h\",\"gpu\":1,\"clockEventReasons\":32,"
                        + "\"clockEventNames\":[\"X\"],\"extra\":{\"a\":[1,2]},\"powerW\":7,\"schema\":\"vigil.gpu.v1\"}",
                // a number as a string: the generic path coerces it, so the fast path must step aside
                "{\"ts\":" + NOW + ",\"cluster\":\"c\",\"host\":\"h\",\"gpu\":1,\"powerW\":\"7.5\",\"schema\":\"vigil.gpu.v1\"}",
                "{\"ts\":" + NOW + ",\"cluster\":\"c\",\"host\":\"h\",\"gpu\":1,\"gpuTempC\":NaN,\"schema\":\"vigil.gpu.v1\"}",
                "{\"cluster\":\"c\",\"host\":\"h\",\"gpu\":1,\"schema\":\"vigil.gpu.v1\"}",
                "{\"ts\":" + NOW + ",\"cluster\":\"c\",\"host\":\"h\",\"gpu\":1,\"state\":\"MELTED\",\"schema\":\"vigil.gpu.v1\"}");
        for (String json : records) {
            byte[] bytes = json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            Decoded fast = wire.decode(bytes, Schema.GPU);
            Decoded generic = wire.decode(bytes, null);
            assertThat(fast.isValid()).as(json).isEqualTo(generic.isValid());
            if (fast.isValid()) {
                assertThat(fast.record()).as(json).isEqualTo(generic.record());
            } else {
                assertThat(fast.rejection().reason()).as(json).isEqualTo(generic.rejection().reason());
            }
        }
    }
}
