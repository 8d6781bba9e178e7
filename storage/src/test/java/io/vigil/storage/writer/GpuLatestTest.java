package io.vigil.storage.writer;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.GpuSample;
import io.vigil.testsupport.GpuSamples;
import org.junit.jupiter.api.Test;

class GpuLatestTest {

    private static GpuSample at(long ts, GpuSample.Source source) {
        return GpuSamples.healthy("h1", 0, ts).source(source).build();
    }

    @Test
    void aNewerSampleOfTheSameKindOfSourceWins() {
        assertThat(GpuLatest.replaces(at(1000, GpuSample.Source.NVML), at(2000, GpuSample.Source.DCGM))).isTrue();
        assertThat(GpuLatest.replaces(at(2000, GpuSample.Source.NVML), at(1000, GpuSample.Source.NVML))).isFalse();
        assertThat(GpuLatest.replaces(at(2000, GpuSample.Source.NVML), at(2000, GpuSample.Source.NVML))).isFalse();
        assertThat(GpuLatest.replaces(at(1000, GpuSample.Source.REDFISH), at(2000, GpuSample.Source.REDFISH))).isTrue();
    }

    @Test
    void inBandIsPreferredOverABmcReadingWithinTheMargin() {
        long m = GpuLatest.IN_BAND_PREFERENCE_MS;
        // A BMC's reading replaces an in-band sample only once it is more than the margin newer.
        assertThat(GpuLatest.replaces(at(0, GpuSample.Source.DCGM), at(m, GpuSample.Source.REDFISH))).isFalse();
        assertThat(GpuLatest.replaces(at(0, GpuSample.Source.DCGM), at(m + 1, GpuSample.Source.REDFISH))).isTrue();
        // An in-band sample replaces a BMC's reading unless it is the margin or more older.
        assertThat(GpuLatest.replaces(at(m, GpuSample.Source.REDFISH), at(1, GpuSample.Source.NVML))).isTrue();
        assertThat(GpuLatest.replaces(at(m, GpuSample.Source.REDFISH), at(0, GpuSample.Source.NVML))).isFalse();
        // A sample without a source counts as in-band (the NVML agent's older records).
        assertThat(GpuLatest.replaces(at(m, GpuSample.Source.REDFISH), at(1, null))).isTrue();
    }

    @Test
    void migInstancesAreLeftOutAndEachGpuKeepsOneRow() {
        GpuLatest latest = new GpuLatest();
        latest.add(GpuSamples.healthy("h1", 0, 1000).build());
        latest.add(GpuSamples.healthy("h1", 0, 2000).build());
        latest.add(GpuSamples.healthy("h1", 1, 1000).build());
        latest.add(GpuSamples.healthy("h1", 0, 3000).migInstance(2).build());
        assertThat(latest.size()).isEqualTo(2);
    }
}
