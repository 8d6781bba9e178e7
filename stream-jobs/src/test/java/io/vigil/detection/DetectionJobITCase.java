package io.vigil.detection;

import static io.vigil.testsupport.GpuSamples.T0;
import static io.vigil.testsupport.GpuSamples.healthy;
import static io.vigil.testsupport.GpuSamples.throttled;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.detection.ingest.RawTelemetry;
import io.vigil.model.AlertEvent;
import io.vigil.model.AlertType;
import io.vigil.model.DeadLetter;
import io.vigil.model.GpuSample;
import io.vigil.model.RejectReason;
import io.vigil.model.Topics;
import io.vigil.model.WireFormat;
import io.vigil.testsupport.CollectingSink;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The production graph ({@link DetectionJob}) on a real Flink MiniCluster, fed a bounded telemetry stream. */
class DetectionJobITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    static final Topics TOPICS = Topics.defaults();

    @Test
    void hotGpuFiresOnceResolvesAndExplainsItsStragglerWhileBadRecordsAreDeadLettered() throws Exception {
        List<RawTelemetry> input = new ArrayList<>();
        long offset = 0;
        // 4 GPUs for 90 s; h1/gpu2 throttles from 20 s to 50 s, then cools down.
        for (int s = 0; s < 90; s++) {
            long ts = T0 + s * 1000L;
            for (int g = 0; g < 4; g++) {
                GpuSample sample = g == 2 && s >= 20 && s < 50 ? throttled("h1", g, ts, 90).build()
                        : healthy("h1", g, ts).build();
                input.add(new RawTelemetry(TOPICS.gpu(), 0, offset++, WireFormat.encode(sample)));
            }
            if (s == 30) {
                input.add(new RawTelemetry(TOPICS.gpu(), 0, offset++, "{\"schema\":".getBytes(StandardCharsets.UTF_8)));
                input.add(new RawTelemetry(TOPICS.gpu(), 0, offset++,
                        WireFormat.encode(healthy("h1", 0, ts).gpuTempC(300.0).build())));
            }

        }
        CollectingSink<AlertEvent> alerts = new CollectingSink<>();
        CollectingSink<DeadLetter> deadLetters = new CollectingSink<>();
        detect(input, alerts, deadLetters, T0 + 100_000);

        List<AlertEvent> thermal = alerts.collected().stream().filter(a -> a.type() == AlertType.THERMAL).toList();
        assertThat(thermal).extracting(AlertEvent::state)
                .containsExactly(AlertEvent.State.FIRING, AlertEvent.State.RESOLVED);
        assertThat(thermal).allSatisfy(a -> assertThat(a.labels()).containsEntry("host", "h1").containsEntry("gpu", "2")
                .containsEntry("root", "true").containsEntry("incident", a.fingerprint()));
        assertThat(thermal.get(0).startsAt().toEpochMilli()).isEqualTo(T0 + 20_000);
        assertThat(thermal.get(1).endsAt().toEpochMilli()).isEqualTo(T0 + 54_000);
        // Its throttled clock made rank 2 a straggler: attached to the thermal incident, not paged on its own.
        List<AlertEvent> stragglers = alerts.collected().stream().filter(a -> a.type() == AlertType.STRAGGLER).toList();
        assertThat(stragglers).extracting(AlertEvent::state)
                .containsExactly(AlertEvent.State.FIRING, AlertEvent.State.RESOLVED);
        assertThat(stragglers).allSatisfy(a -> assertThat(a.labels()).containsEntry("rank", "2")
                .containsEntry("root", "false").containsEntry("incident", thermal.get(0).fingerprint()));
        assertThat(alerts.collected()).hasSize(4);
        assertThat(deadLetters.collected()).extracting(DeadLetter::reason)
                .containsExactlyInAnyOrder(RejectReason.MALFORMED_JSON, RejectReason.OUT_OF_RANGE);
    }

    @Test
    void aGpuOnlyItsBmcReportsIsJudgedAndAGpuReportedBothWaysPagesOnce() throws Exception {
        List<RawTelemetry> input = new ArrayList<>();
        long offset = 0;
        // tray-1: four GPUs seen only by their BMC, every 10 s; gpu2 over its slowdown temperature from 120 s.
        // h2: four GPUs seen in band every second and by the BMC every 10 s (same UUIDs); gpu1 hot from 120 s.
        for (int s = 0; s < 300; s++) {
            long ts = T0 + s * 1000L;
            for (int g = 0; g < 4; g++) {
                GpuSample.Builder inBand = g == 1 && s >= 120 && s < 200 ? throttled("h2", g, ts, 95) : healthy("h2", g, ts);
                input.add(new RawTelemetry(TOPICS.gpu(), 0, offset++, WireFormat.encode(inBand.build())));
                if (s % 10 != 0) continue;
                input.add(new RawTelemetry(TOPICS.gpu(), 1, offset++, WireFormat.encode(bmc("h2", g, ts,
                        g == 1 && s >= 120 && s < 200 ? 95.0 : 65.0))));
                input.add(new RawTelemetry(TOPICS.gpu(), 1, offset++, WireFormat.encode(bmc("tray-1", g, ts,
                        g == 2 && s >= 120 && s < 200 ? 95.0 : 65.0))));
            }
        }
        CollectingSink<AlertEvent> alerts = new CollectingSink<>();
        detect(input, alerts, new CollectingSink<>(), T0 + 310_000);

        List<AlertEvent> firing = alerts.collected().stream().filter(a -> a.state() == AlertEvent.State.FIRING
                && a.type() == AlertType.THERMAL).toList();
        assertThat(firing).as("one THERMAL per hot GPU, whatever reports it")
                .extracting(a -> a.labels().get("host") + "/" + a.labels().get("gpu"))
                .containsExactlyInAnyOrder("tray-1/2", "h2/1");
        assertThat(alerts.collected()).as("a BMC's 10 s rhythm is not silence")
                .noneMatch(a -> a.type() == AlertType.SILENT);
    }

    /** The production graph over {@code input}, in order, with its clock at {@code clockMs}. */
    static void detect(List<RawTelemetry> input, CollectingSink<AlertEvent> alerts, CollectingSink<DeadLetter> dead,
                       long clockMs) throws Exception {
        List<RawTelemetry> data = List.copyOf(input);
        DataGeneratorSource<RawTelemetry> source = new DataGeneratorSource<>(
                (GeneratorFunction<Long, RawTelemetry>) i -> data.get(i.intValue()), data.size(),
                TypeInformation.of(RawTelemetry.class));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        new DetectionJob(source, alerts, dead, DetectionConfig.defaults(),
                Clock.fixed(Instant.ofEpochMilli(clockMs), ZoneOffset.UTC)).build(env);
        env.execute("detection-it");
    }

    static GpuSample bmc(String host, int g, long ts, double tempC) {
        return healthy(host, g, ts).source(GpuSample.Source.REDFISH).jobId(null).rank(null).gpuTempC(tempC)
                .slowdownTempC(null).shutdownTempC(null).clockEventReasons(null).build();
    }
}
