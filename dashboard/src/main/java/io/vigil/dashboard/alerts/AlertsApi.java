package io.vigil.dashboard.alerts;

import io.vigil.model.AlertEvent;
import io.vigil.storage.query.AlertQueries;
import io.vigil.storage.query.AlertRow;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/v1/alerts[?state=firing|resolved][&limit=N]}: alert episodes, newest first, as JSON. */
@RestController
@RequestMapping("/api/v1")
public class AlertsApi {

    private final AlertQueries alerts;

    public AlertsApi(AlertQueries alerts) {
        this.alerts = alerts;
    }

    @GetMapping("/alerts")
    public ResponseEntity<?> list(@RequestParam(required = false) String state,
                                  @RequestParam(defaultValue = "500") int limit) throws SQLException {
        AlertEvent.State wanted = null;
        if (state != null && !state.isBlank()) {
            try {
                wanted = AlertEvent.State.valueOf(state.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                return ResponseEntity.badRequest().body(Map.of("error",
                        "state must be 'firing' or 'resolved', was '" + state + "'"));
            }
        }
        if (limit < 1 || limit > 10_000) {
            return ResponseEntity.status(HttpStatus.BAD_REQUEST).body(Map.of("error", "limit must be 1..10000"));
        }
        List<AlertRow> rows = alerts.list(wanted, limit);
        return ResponseEntity.ok(rows);
    }
}
