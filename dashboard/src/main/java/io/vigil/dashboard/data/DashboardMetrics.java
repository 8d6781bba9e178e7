package io.vigil.dashboard.data;

import com.zaxxer.hikari.HikariDataSource;
import io.vigil.dashboard.readside.FleetService;
import io.vigil.dashboard.readside.FleetSnapshot;
import io.vigil.model.metrics.JvmMetrics;
import io.vigil.model.metrics.MetricsServer;
import io.vigil.model.metrics.PrometheusText;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The console's Prometheus {@code /metrics} on its own address ({@code vigil.dashboard.metrics-address},
 * {@code HOST:PORT}; unset: none), outside the signed-in web port so Prometheus needs no account: live views, the
 * shared refresher's database read, how old the data shown is, the database pool, the JVM.
 */
@Component
public class DashboardMetrics implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DashboardMetrics.class);

    private final FleetService fleet;
    private final DataSource dataSource;
    private final MetricsServer server;

    public DashboardMetrics(FleetService fleet, DataSource dataSource,
                            @Value("${vigil.dashboard.metrics-address}") String address) throws IOException {
        this.fleet = fleet;
        this.dataSource = dataSource;
        if (address == null || address.isBlank()) {
            server = null;
        } else {
            server = MetricsServer.start(address.trim(), this::metrics);
            LOG.info("Dashboard metrics on http://{}/metrics", address.trim());
        }
    }

    PrometheusText metrics() {
        PrometheusText m = new PrometheusText();
        FleetSnapshot s = fleet.peek();
        m.gauge("vigil_dashboard_live_views", "Open views receiving the shared refresher's snapshots.",
                fleet.subscribers());
        long readMs = fleet.lastReadMillis();
        m.gauge("vigil_dashboard_refresh_read_seconds", "How long the last refresh took to read the database "
                + "(NaN before the first).", readMs < 0 ? Double.NaN : readMs / 1000.0);
        m.gauge("vigil_dashboard_refresh_failing", "1 if the last refresh failed (the views show the previous "
                + "snapshot and say why).", s.error() != null ? 1 : 0);
        m.gauge("vigil_dashboard_data_age_seconds", "Age of the newest GPU sample the views show (NaN with none).",
                s.newest() == null ? Double.NaN
                        : Math.max(0, Duration.between(s.newest(), Instant.now()).toMillis()) / 1000.0);
        m.gauge("vigil_dashboard_gpus", "GPUs in the views' snapshot.", s.gpus().size());
        m.gauge("vigil_dashboard_firing_incidents", "Incidents firing in the views' snapshot.", s.firingIncidents());
        if (dataSource instanceof HikariDataSource hikari && hikari.getHikariPoolMXBean() != null) {
            var pool = hikari.getHikariPoolMXBean();
            m.gauge("vigil_dashboard_db_connections", "Database pool connections by state.",
                    pool.getActiveConnections(), "state", "active");
            m.gauge("vigil_dashboard_db_connections", "Database pool connections by state.",
                    pool.getIdleConnections(), "state", "idle");
            m.gauge("vigil_dashboard_db_waiting_threads", "Threads waiting for a database connection.",
                    pool.getThreadsAwaitingConnection());
        }
        return JvmMetrics.addTo(m);
    }

    @Override
    public void close() {
        if (server != null) server.close();
    }
}
