package io.vigil.dashboard.overview;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vigil.dashboard.readside.FleetSnapshot;
import io.vigil.dashboard.readside.GpuHealth;
import io.vigil.model.WireFormat;
import io.vigil.storage.query.GpuStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeatmapFrameTest {

    static FleetSnapshot.Gpu gpu(String row, String rack, String host, int g, double temp, String job, String team,
                                 GpuHealth h) {
        return new FleetSnapshot.Gpu(new GpuStatus("c1", row, rack, host, g, Instant.EPOCH, temp, 90.0, 300.0, 50.0,
                1500.0, 0L, job, 0), h, team);
    }

    static FleetSnapshot snapshot(List<FleetSnapshot.Gpu> gpus) {
        return new FleetSnapshot(gpus, List.of(), List.of(), Map.of(), Instant.EPOCH, Instant.EPOCH, null);
    }

    @Test
    void layoutGroupsRowsRacksHostsInOrderAndCellsFollowIt() throws Exception {
        List<FleetSnapshot.Gpu> gpus = new ArrayList<>(List.of(
                gpu("B", "B01", "b1", 1, 60, "j2", "t2", GpuHealth.BUSY),
                gpu("A", "A01", "a1", 1, 100, "j1", "t1", GpuHealth.CRITICAL),
                gpu("A", "A01", "a1", 0, 20, "j1", "t1", GpuHealth.IDLE),
                gpu("A", "A02", "a2", 0, 60, null, null, GpuHealth.HOT)));
        FleetSnapshot s = snapshot(gpus);
        HeatmapFrame.Layout layout = HeatmapFrame.layout(s, HeatmapFrame.Mode.HEALTH);
        JsonNode json = WireFormat.mapper().readTree(layout.json());
        assertThat(json.at("/rows/0/name").asText()).isEqualTo("A");
        assertThat(json.at("/rows/0/racks/0/hosts/0/gpus").asInt()).isEqualTo(2);
        assertThat(json.at("/rows/0/racks/1/name").asText()).isEqualTo("A02");
        assertThat(json.at("/rows/1/racks/0/hosts/0/name").asText()).isEqualTo("b1");
        byte[] health = HeatmapFrame.cells(layout, s, HeatmapFrame.Mode.HEALTH, "");
        assertThat(health).containsExactly(GpuHealth.IDLE.ordinal(), GpuHealth.CRITICAL.ordinal(),
                GpuHealth.HOT.ordinal(), GpuHealth.BUSY.ordinal());
        byte[] temp = HeatmapFrame.cells(layout, s, HeatmapFrame.Mode.TEMPERATURE, "t1");
        // 20 °C is the bottom of the scale, 100 °C the top; GPUs of other teams are filtered out.
        assertThat(temp[0] & 0xff).isEqualTo(0);
        assertThat(temp[1] & 0xff).isEqualTo(250);
        assertThat(temp[2] & 0xff).isEqualTo(HeatmapFrame.FILTERED);
        assertThat(HeatmapFrame.cells(layout, s, HeatmapFrame.Mode.HEALTH, "j2")[3]).isEqualTo((byte) GpuHealth.BUSY.ordinal());
    }

    @Test
    void aGpuThatStopsReportingIsNoDataUntilTheLayoutChanges() {
        List<FleetSnapshot.Gpu> gpus = List.of(gpu("A", "A01", "a1", 0, 50, null, null, GpuHealth.BUSY),
                gpu("A", "A01", "a1", 1, 50, null, null, GpuHealth.BUSY));
        HeatmapFrame.Layout layout = HeatmapFrame.layout(snapshot(gpus), HeatmapFrame.Mode.HEALTH);
        FleetSnapshot later = snapshot(List.of(gpus.get(0)));
        assertThat(HeatmapFrame.cells(layout, later, HeatmapFrame.Mode.HEALTH, null)[1] & 0xff)
                .isEqualTo(HeatmapFrame.NO_DATA);
        assertThat(HeatmapFrame.layout(later, HeatmapFrame.Mode.HEALTH).signature()).isNotEqualTo(layout.signature());
    }

    @Test
    void aKnownPlacementKeepsTheLayoutAndTakesCellsByPositionAsMatchingByKeyWould() {
        List<FleetSnapshot.Gpu> placed = List.of(gpu("A", "A01", "a1", 0, 50, null, null, GpuHealth.BUSY),
                gpu("A", "A01", "a1", 1, 50, null, null, GpuHealth.BUSY),
                gpu("B", "B01", "b1", 0, 50, null, null, GpuHealth.IDLE));
        FleetSnapshot first = new FleetSnapshot(placed, List.of(), List.of(), Map.of(), Instant.EPOCH, Instant.EPOCH,
                null, 7);
        HeatmapFrame.Layout layout = HeatmapFrame.layout(first, HeatmapFrame.Mode.HEALTH);
        List<FleetSnapshot.Gpu> later = List.of(placed.get(0),
                gpu("A", "A01", "a1", 1, 95, null, null, GpuHealth.CRITICAL), placed.get(2));
        FleetSnapshot next = new FleetSnapshot(later, List.of(), List.of(), Map.of(), Instant.EPOCH, Instant.EPOCH,
                null, 7);
        assertThat(HeatmapFrame.layout(next, HeatmapFrame.Mode.HEALTH).signature()).isEqualTo(layout.signature());
        byte[] byPosition = HeatmapFrame.cells(layout, next, HeatmapFrame.Mode.HEALTH, "");
        assertThat(byPosition).containsExactly(GpuHealth.BUSY.ordinal(), GpuHealth.CRITICAL.ordinal(),
                GpuHealth.IDLE.ordinal());
        // The same GPUs in another order and without a placement: matched by key, the same cells.
        FleetSnapshot unordered = snapshot(List.of(later.get(2), later.get(1), later.get(0)));
        assertThat(HeatmapFrame.cells(layout, unordered, HeatmapFrame.Mode.HEALTH, "")).isEqualTo(byPosition);
        // Another placement: a new layout.
        FleetSnapshot moved = new FleetSnapshot(later, List.of(), List.of(), Map.of(), Instant.EPOCH, Instant.EPOCH,
                null, 8);
        assertThat(HeatmapFrame.layout(moved, HeatmapFrame.Mode.HEALTH).signature()).isNotEqualTo(layout.signature());
    }

    @Test
    void sixteenThousandGpusFitInAFrameOfUnder25Kilobytes() {
        List<FleetSnapshot.Gpu> gpus = new ArrayList<>();
        for (int h = 0; h < 2048; h++) {
            for (int g = 0; g < 8; g++) {
                gpus.add(gpu("R" + (h / 128), "K" + (h / 4), "h" + h, g, 50, null, null, GpuHealth.BUSY));
            }
        }
        FleetSnapshot s = snapshot(gpus);
        HeatmapFrame.Layout layout = HeatmapFrame.layout(s, HeatmapFrame.Mode.HEALTH);
        String frame = HeatmapFrame.base64(HeatmapFrame.cells(layout, s, HeatmapFrame.Mode.HEALTH, ""));
        assertThat(frame.length()).isLessThan(25_000);
    }

    @Test
    void sessionsShareOneEncodingPerSnapshotModeAndFilter() {
        HeatmapCache cache = new HeatmapCache();
        FleetSnapshot s = snapshot(List.of(gpu("A", "A01", "a1", 0, 50, "j1", "t1", GpuHealth.BUSY)));
        HeatmapFrame.Layout layout = cache.layout(s, HeatmapFrame.Mode.HEALTH);
        assertThat(cache.layout(s, HeatmapFrame.Mode.HEALTH)).isSameAs(layout);
        String cells = cache.cells(layout, s, HeatmapFrame.Mode.HEALTH, "");
        assertThat(cache.cells(layout, s, HeatmapFrame.Mode.HEALTH, " ")).isSameAs(cells);
        assertThat(cache.cells(layout, s, HeatmapFrame.Mode.HEALTH, "other")).isNotEqualTo(cells);
        FleetSnapshot next = snapshot(List.of(gpu("A", "A01", "a1", 0, 50, "j1", "t1", GpuHealth.CRITICAL)));
        assertThat(cache.cells(layout, next, HeatmapFrame.Mode.HEALTH, "")).isNotEqualTo(cells);
    }
}
