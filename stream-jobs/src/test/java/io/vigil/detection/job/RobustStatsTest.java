package io.vigil.detection.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RobustStatsTest {

    @Test
    void anEmptyCohortHasNoStatistics() {
        RobustStats s = RobustStats.of(new double[4], 0, 0.01, 0.1);
        assertThat(s.count).isZero();
        assertThat(s.median).isNaN();
        assertThat(s.sigma).isNaN();
    }

    @Test
    void medianOfOddAndEvenCountsAndOnlyTheFirstNValues() {
        assertThat(RobustStats.of(new double[] {5, 1, 3}, 3, 0, 0).median).isEqualTo(3.0);
        assertThat(RobustStats.of(new double[] {4, 1, 3, 2}, 4, 0, 0).median).isEqualTo(2.5);
        assertThat(RobustStats.of(new double[] {9, 1, 100, -50}, 2, 0, 0).median).isEqualTo(5.0);
    }

    @Test
    void madIsScaledToEstimateTheStandardDeviation() {
        RobustStats s = RobustStats.of(new double[] {1, 2, 3, 4, 5}, 5, 0, 0);
        assertThat(s.median).isEqualTo(3.0);
        assertThat(s.sigma).isCloseTo(1.4826, within(1e-9)); // MAD of {2,1,0,1,2} is 1
        assertThat(s.z(6.0)).isCloseTo(3 / 1.4826, within(1e-9));
        assertThat(s.z(0.0)).isNegative();
    }

    @Test
    void oneOutlierAmongManyMovesNeitherMedianNorSpreadAndStandsOut() {
        double[] v = new double[4096];
        for (int i = 0; i < v.length; i++) v[i] = 1000 + (i % 11) - 5; // 995..1005
        v[1234] = 1500;
        RobustStats s = RobustStats.of(v.clone(), v.length, 0.0, 0.0);
        assertThat(s.median).isEqualTo(1000.0);
        assertThat(s.sigma).isBetween(2.9, 4.5);
        assertThat(s.z(1500)).isGreaterThan(100);
    }

    @Test
    void floorsKeepAUniformOrTinyCohortFromTurningSmallDifferencesIntoHugeScores() {
        double[] uniform = new double[64];
        Arrays.fill(uniform, 1980);
        RobustStats s = RobustStats.of(uniform, uniform.length, 0.01, 0.0);
        assertThat(s.sigma).isEqualTo(19.8); // 1% of the median, not 0
        assertThat(s.z(1960)).isCloseTo(-20 / 19.8, within(1e-9));
        RobustStats nearZero = RobustStats.of(new double[] {0, 0, 0}, 3, 0.01, 0.5);
        assertThat(nearZero.sigma).isEqualTo(0.5);
        assertThat(nearZero.z(1)).isEqualTo(2.0);
    }
}
