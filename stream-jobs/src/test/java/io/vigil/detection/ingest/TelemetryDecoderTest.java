package io.vigil.detection.ingest;

import static io.vigil.testsupport.GpuSamples.T0;
import static io.vigil.testsupport.GpuSamples.healthy;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.AlertEvent;
import io.vigil.model.AlertType;
import io.vigil.model.DeadLetter;
import io.vigil.model.GpuSample;
import io.vigil.model.PowerSample;
import io.vigil.model.RejectReason;
import io.vigil.model.StepEvent;
import io.vigil.model.TelemetryRecord;
import io.vigil.model.Topics;
import io.vigil.model.WireFormat;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.junit.jupiter.api.Test;

class TelemetryDecoderTest {

    final Topics topics = Topics.defaults();

    @Test
    void everyRecordIsValidOrDeadLetteredWithItsReasonAndOrigin() throws Exception {
        Clock clock = Clock.fixed(Instant.ofEpochMilli(T0), ZoneOffset.UTC);
        try (OneInputStreamOperatorTestHarness<RawTelemetry, SourcedRecord> h = new OneInputStreamOperatorTestHarness<>(
                new ProcessOperator<>(new TelemetryDecoder(topics, clock, Duration.ofMinutes(5))))) {
            // The job's output type: the harness would otherwise take the first record's class for all of them.
            h.setup(TypeInformation.of(SourcedRecord.class).createSerializer(new SerializerConfigImpl()));
            h.open();
            List<RawTelemetry> in = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                in.add(raw(topics.gpu(), i, WireFormat.encode(healthy("h1", i % 8, T0 - i * 1000L).build())));
            }
            in.add(raw(topics.power(), 20, WireFormat.encode(new PowerSample(T0, "c", null, null, "h1",
                    PowerSample.Source.HOST_PSU, "psu", 5000.0, null, null, null))));
            in.add(raw(topics.steps(), 21, WireFormat.encode(new StepEvent("c", "job-1", 3, 10, T0 - 800, T0, 600.0,
                    200.0, "h1", 3, null))));
            in.add(raw(topics.gpu(), 22, "{broken".getBytes(StandardCharsets.UTF_8)));
            in.add(raw(topics.gpu(), 23, WireFormat.encode(healthy("h1", 0, T0).powerW(-3.0).build())));
            in.add(raw(topics.gpu(), 24, WireFormat.encode(healthy("h1", 0, T0 + 3_600_000).build())));
            in.add(raw(topics.power(), 25, WireFormat.encode(healthy("h1", 0, T0).build())));
            in.add(raw(topics.steps(), 26, WireFormat.encode(new StepEvent("c", "job-1", 3, 11, T0, T0 - 5, null,
                    null, null, null, null))));
            in.add(raw("custom", 27, WireFormat.encode(new AlertEvent("f", AlertType.XID, AlertEvent.Severity.INFO,
                    AlertEvent.State.FIRING, Instant.ofEpochMilli(T0), null, Map.of(), "s", Map.of(), null, null))));
            for (RawTelemetry r : in) {
                h.processElement(r, 0);
            }
            List<TelemetryRecord> valid = h.extractOutputValues().stream().map(SourcedRecord::record).toList();
            assertThat(h.extractOutputValues().get(0).topic()).isEqualTo(topics.gpu());
            List<DeadLetter> dead = h.getSideOutput(TelemetryDecoder.DEAD_LETTERS).stream()
                    .map(StreamRecord::getValue).collect(Collectors.toList());
            assertThat(valid).hasSize(22);
            assertThat(valid.stream().filter(r -> r instanceof GpuSample)).hasSize(20);
            assertThat(valid.stream().filter(r -> r instanceof StepEvent)).hasSize(1);
            assertThat(valid.size() + dead.size()).isEqualTo(in.size());
            assertThat(dead).extracting(DeadLetter::reason).containsExactly(RejectReason.MALFORMED_JSON,
                    RejectReason.NEGATIVE_VALUE, RejectReason.FUTURE_TIMESTAMP, RejectReason.WRONG_TOPIC,
                    RejectReason.INVALID_FIELD, RejectReason.WRONG_TOPIC);
            assertThat(dead.get(0).sourceTopic()).isEqualTo(topics.gpu());
            assertThat(dead.get(0).sourceOffset()).isEqualTo(22L);
            assertThat(dead.get(0).payload()).isEqualTo("{broken");
        }
    }

    private static RawTelemetry raw(String topic, long offset, byte[] bytes) {
        return new RawTelemetry(topic, 0, offset, bytes);
    }
}
