package io.vigil.evaluation.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterBenchmarkTest {

    static ClusterBenchmark.Stage stage(String name, double cores, double gpuRecordsPerSecond) {
        return new ClusterBenchmark.Stage(name, 1, cores, gpuRecordsPerSecond, gpuRecordsPerSecond,
                gpuRecordsPerSecond / cores, 100_000 / (gpuRecordsPerSecond / cores), "");
    }

    static ClusterBenchmark.Result result(int gpus, List<ClusterBenchmark.Stage> stages) {
        return new ClusterBenchmark.Result(gpus, 120, 0, 0, 0, 0, 0, 0, 0, 0, stages, "");
    }

    @Test
    void theMarginalCostSplitsAStagesCoresIntoAFixedPartAndACostPerRecord() {
        // Kafka: 0.5 cores idle, 0.0001 cores per record/s → 0.6 at 1,000 records/s, 0.9 at 4,000.
        // Writers: no fixed part, 10,000 records/s per core.
        var low = result(1024, List.of(stage("kafka", 0.6, 1000), stage("writers", 0.1, 1000)));
        var high = result(4096, List.of(stage("kafka", 0.9, 4000), stage("writers", 0.4, 4000)));
        List<ClusterBenchmark.Marginal> m = ClusterBenchmark.marginal(low, high);
        assertThat(m).extracting(ClusterBenchmark.Marginal::stage).containsExactly("kafka", "writers");
        assertThat(m.get(0).fixedCores()).isCloseTo(0.5, within(1e-9));
        assertThat(m.get(0).gpuRecordsPerMarginalCoreSecond()).isCloseTo(10_000, within(0.1));
        assertThat(m.get(0).coresFor100kGpus()).isCloseTo(10.5, within(0.1));
        assertThat(m.get(1).fixedCores()).isCloseTo(0, within(1e-9));
        assertThat(m.get(1).coresFor100kGpus()).isCloseTo(10, within(0.1));
    }

    @Test
    void aStageThatDidNotGrowWithTheLoadHasNoLine() {
        var low = result(1024, List.of(stage("flink", 0.7, 1000)));
        var high = result(4096, List.of(stage("flink", 0.6, 4000)));
        ClusterBenchmark.Marginal m = ClusterBenchmark.marginal(low, high).get(0);
        assertThat(m.coresFor100kGpus()).isNaN();
        assertThat(m.fixedCores()).isNaN();
    }
}
