package io.vigil.collectors.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.collectors.OriginStamper;
import io.vigil.collectors.TelemetrySink;
import io.vigil.model.GpuSample;
import io.vigil.model.TelemetryRecord;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ShardedSinkTest {

    static final class ListSink implements TelemetrySink {
        final List<TelemetryRecord> records = new ArrayList<>();
        public void publish(TelemetryRecord r) { records.add(r); }
        public void flush() {}
        public void close() {}
    }

    @Test
    void threeShardsPublishEveryRecordOnceEachWithAGapFreeOriginStream() {
        SimulatorConfig config = SimulatorConfig.defaults().withHosts(10);
        ClusterSimulator whole = new ClusterSimulator(config, FaultScript.none(), new OriginStamper("all", 1), 1_000);
        whole.withStepEvents(true);
        List<TelemetryRecord> everything = new ArrayList<>(whole.jobStarts());
        for (int i = 0; i < 3; i++) everything.addAll(whole.step());

        List<ListSink> shards = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            ClusterSimulator sim = new ClusterSimulator(config, FaultScript.none(), new OriginStamper("x", 1), 1_000);
            sim.withStepEvents(true);
            ListSink out = new ListSink();
            ShardedSink sink = new ShardedSink(out, new OriginStamper("collector-" + s, 7), sim.topology(), s, 3);
            sim.jobStarts().forEach(sink::publish);
            for (int i = 0; i < 3; i++) sim.step().forEach(sink::publish);
            shards.add(out);
            assertThat(out.records).extracting(r -> r.origin().sequence())
                    .containsExactlyElementsOf(java.util.stream.LongStream.range(0, out.records.size()).boxed().toList());
            String id = "collector-" + s;
            assertThat(out.records).allSatisfy(r -> assertThat(r.origin().collector()).isEqualTo(id));
        }
        assertThat(shards).allSatisfy(s -> assertThat(s.records).isNotEmpty());
        assertThat(shards.stream().mapToInt(s -> s.records.size()).sum()).isEqualTo(everything.size());
        // The same records, apart from the origin: every GPU sample of the whole site in exactly one shard.
        Set<String> gpus = new HashSet<>();
        for (ListSink s : shards) {
            for (TelemetryRecord r : s.records) {
                if (r instanceof GpuSample g) assertThat(gpus.add(g.host() + "/" + g.gpu() + "@" + g.ts())).isTrue();
            }
        }
        assertThat(gpus).hasSize((int) everything.stream().filter(r -> r instanceof GpuSample).count());
        // Facility records and job events go to the first shard.
        assertThat(shards.get(1).records).allSatisfy(r -> assertThat(r).isInstanceOfAny(GpuSample.class,
                io.vigil.model.StepEvent.class, io.vigil.model.PowerSample.class));
    }

    @Test
    void aShardOutsideTheCountIsRefused() {
        ClusterTopology topology = ClusterTopology.build(SimulatorConfig.defaults());
        assertThatThrownBy(() -> new ShardedSink(new ListSink(), new OriginStamper("c", 1), topology, 2, 2))
                .hasMessageContaining("0 <= index < count");
    }
}
