package io.vigil.detection.ingest;

import static io.vigil.testsupport.GpuSamples.T0;
import static io.vigil.testsupport.GpuSamples.healthy;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.DeadLetter;
import io.vigil.model.GpuSample;
import io.vigil.model.PowerSample;
import io.vigil.model.RejectReason;
import io.vigil.model.Topics;
import io.vigil.model.WireFormat;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

class TelemetryDecoderTest {

    final Topics topics = Topics.defaults();

    @Test
    void everyRecordIsValidOrDeadLetteredWithItsReasonAndOrigin() throws Exception {
        Clock clock = Clock.fixed(Instant.ofEpochMilli(T0), ZoneOffset.UTC);
        try (OneInputStreamOperatorTestHarness<RawTelemetry, GpuSample> h = ProcessFunctionTestHarnesses.forProcessFunction(
                new TelemetryDecoder(topics, clock, Duration.ofMinutes(5)))) {
            List<RawTelemetry> in = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                in.add(raw(topics.gpu(), i, WireFormat.encode(healthy("h1", i % 8, T0 - i * 1000L).build())));
            }
            in.add(raw(topics.power(), 20, WireFormat.encode(new PowerSample(T0, "c", null, null, "h1",
                    PowerSample.Source.HOST_PSU, "psu", 5000.0, null, null, null))));
            in.add(raw(topics.gpu(), 21, "{broken".getBytes(StandardCharsets.UTF_8)));
            in.add(raw(topics.gpu(), 22, WireFormat.encode(healthy("h1", 0, T0).powerW(-3.0).build())));
            in.add(raw(topics.gpu(), 23, WireFormat.encode(healthy("h1", 0, T0 + 3_600_000).build())));
            in.add(raw(topics.power(), 24, WireFormat.encode(healthy("h1", 0, T0).build())));
            for (RawTelemetry r : in) {
                h.processElement(r, 0);
            }
            List<GpuSample> valid = h.extractOutputValues();
            List<DeadLetter> dead = h.getSideOutput(TelemetryDecoder.DEAD_LETTERS).stream()
                    .map(StreamRecord::getValue).collect(Collectors.toList());
            int power = h.getSideOutput(TelemetryDecoder.POWER).size();
            assertThat(valid).hasSize(20);
            assertThat(power).isEqualTo(1);
            assertThat(valid.size() + power + dead.size()).isEqualTo(in.size());
            assertThat(dead).extracting(DeadLetter::reason).containsExactly(RejectReason.MALFORMED_JSON,
                    RejectReason.NEGATIVE_VALUE, RejectReason.FUTURE_TIMESTAMP, RejectReason.WRONG_TOPIC);
            assertThat(dead.get(0).sourceTopic()).isEqualTo(topics.gpu());
            assertThat(dead.get(0).sourceOffset()).isEqualTo(21L);
            assertThat(dead.get(0).payload()).isEqualTo("{broken");
        }
    }

    private static RawTelemetry raw(String topic, long offset, byte[] bytes) {
        return new RawTelemetry(topic, 0, offset, bytes);
    }
}
