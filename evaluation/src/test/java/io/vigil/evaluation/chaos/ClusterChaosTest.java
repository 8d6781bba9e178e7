package io.vigil.evaluation.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterChaosTest {

    @Test
    void percentilesAreNearestRank() {
        List<Long> sorted = java.util.stream.LongStream.rangeClosed(1, 200).boxed().toList();
        assertThat(ClusterChaos.percentile(sorted, 0.5)).isEqualTo(100);
        assertThat(ClusterChaos.percentile(sorted, 0.99)).isEqualTo(198);
        assertThat(ClusterChaos.percentile(sorted, 1.0)).isEqualTo(200);
        assertThat(ClusterChaos.percentile(List.of(7L), 0.99)).isEqualTo(7);
        assertThat(ClusterChaos.percentile(List.of(), 0.5)).isEqualTo(-1);
    }
}
