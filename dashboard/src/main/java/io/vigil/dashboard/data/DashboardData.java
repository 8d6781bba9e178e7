package io.vigil.dashboard.data;

import io.vigil.storage.query.AlertQueries;
import io.vigil.storage.query.ClusterQueries;
import io.vigil.storage.query.HistoryQueries;
import io.vigil.storage.query.NotificationQueries;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import javax.sql.DataSource;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The storage module's query layer, and the scheduler that drives live views. */
@Configuration
public class DashboardData {

    @Bean
    AlertQueries alertQueries(DataSource dataSource) {
        return new AlertQueries(dataSource);
    }

    @Bean
    NotificationQueries notificationQueries(DataSource dataSource) {
        return new NotificationQueries(dataSource);
    }

    @Bean
    HistoryQueries historyQueries(DataSource dataSource,
                                  @org.springframework.beans.factory.annotation.Value("${vigil.history.statement-timeout}")
                                  java.time.Duration timeout) {
        return new HistoryQueries(dataSource, timeout);
    }

    @Bean
    io.vigil.storage.query.AuditQueries auditQueries(DataSource dataSource) {
        return new io.vigil.storage.query.AuditQueries(dataSource);
    }

    @Bean
    ClusterQueries clusterQueries(DataSource dataSource) {
        return new ClusterQueries(dataSource);
    }

    /** Overview frames shared by all sessions. */
    @Bean
    io.vigil.dashboard.overview.HeatmapCache heatmapCache() {
        return new io.vigil.dashboard.overview.HeatmapCache();
    }

    @Bean(destroyMethod = "shutdownNow")
    ScheduledExecutorService liveUpdates() {
        return Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "vigil-live-updates");
            t.setDaemon(true);
            return t;
        });
    }
}
