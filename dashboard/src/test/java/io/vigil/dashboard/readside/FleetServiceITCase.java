package io.vigil.dashboard.readside;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.GpuSample;
import io.vigil.storage.query.AlertQueries;
import io.vigil.storage.query.ClusterQueries;
import io.vigil.storage.query.NotificationQueries;
import io.vigil.storage.schema.SchemaMigrator;
import io.vigil.storage.writer.TelemetryBatch;
import io.vigil.testsupport.GpuSamples;
import io.vigil.testsupport.TestPostgres;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The read side's live snapshot against a real PostgreSQL, written through the writer's own batches. */
class FleetServiceITCase {

    DataSource db;
    ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
    FleetService fleet;
    long now = System.currentTimeMillis();

    @BeforeEach
    void start() {
        db = TestPostgres.dataSource(TestPostgres.newDatabase());
        SchemaMigrator.migrate(db);
        // An interval this short makes every current() read the database again.
        fleet = new FleetService(new ClusterQueries(db), new AlertQueries(db), new NotificationQueries(db), executor,
                Duration.ofMillis(1));
    }

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    void write(GpuSample... samples) throws Exception {
        TelemetryBatch b = new TelemetryBatch();
        for (GpuSample s : samples) b.add(s);
        try (Connection c = db.getConnection()) {
            b.writeTo(c);
        }
    }

    FleetSnapshot read() throws Exception {
        Thread.sleep(2); // past the interval: the next current() reads
        return fleet.current();
    }

    static List<String> places(FleetSnapshot s) {
        return s.gpus().stream().map(g -> g.status().rack() + "/" + g.status().host() + "/" + g.status().gpu()).toList();
    }

    @Test
    void gpusComeInDrawingOrderAndThePlacementChangesOnlyWhenAGpuComesGoesOrMoves() throws Exception {
        write(GpuSamples.healthy("b1", 1, now).rack("B01").row("B").build(),
                GpuSamples.healthy("a1", 1, now).rack("A01").row("A").build(),
                GpuSamples.healthy("a1", 0, now).rack("A01").row("A").build());
        FleetSnapshot first = read();
        assertThat(places(first)).containsExactly("A01/a1/0", "A01/a1/1", "B01/b1/1");
        assertThat(first.placement()).isNotEqualTo(FleetSnapshot.UNKNOWN_PLACEMENT);

        // New values for the same GPUs in the same places: the same placement, the new values in place.
        write(GpuSamples.healthy("b1", 1, now + 1000).rack("B01").row("B").gpuTempC(77.0).build(),
                GpuSamples.healthy("a1", 0, now + 1000).rack("A01").row("A").build());
        FleetSnapshot second = read();
        assertThat(second.placement()).isEqualTo(first.placement());
        assertThat(second.gpus().get(2).status().tempC()).isEqualTo(77.0);

        // A GPU moved to another rack, then a new GPU: each time a new placement, in order again.
        write(GpuSamples.healthy("a1", 1, now + 2000).rack("A02").row("A").build());
        FleetSnapshot moved = read();
        assertThat(moved.placement()).isNotEqualTo(second.placement());
        assertThat(places(moved)).containsExactly("A01/a1/0", "A02/a1/1", "B01/b1/1");
        write(GpuSamples.healthy("a0", 0, now + 2000).rack("A01").row("A").build());
        FleetSnapshot added = read();
        assertThat(added.placement()).isNotEqualTo(moved.placement());
        assertThat(places(added)).containsExactly("A01/a0/0", "A01/a1/0", "A02/a1/1", "B01/b1/1");
    }
}
