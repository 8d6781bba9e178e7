package io.vigil.dashboard.incidents;

import io.vigil.dashboard.readside.FleetService;
import io.vigil.dashboard.readside.FleetSnapshot;
import io.vigil.dashboard.readside.Incident;
import io.vigil.storage.query.AlertRow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The console's read side over HTTP, the same data the views show:
 * <ul>
 * <li>{@code GET /api/v1/incidents[?state=firing|all]}: one object per incident (firing first);</li>
 * <li>{@code GET /api/v1/incidents/{id}}: one incident with its alerts;</li>
 * <li>{@code GET /api/v1/fleet}: counts of GPUs by health and of firing incidents by severity, and the jobs.</li>
 * </ul>
 */
@RestController
@RequestMapping("/api/v1")
public class IncidentsApi {

    private final FleetService fleet;

    public IncidentsApi(FleetService fleet) {
        this.fleet = fleet;
    }

    @GetMapping("/incidents")
    public ResponseEntity<?> incidents(@RequestParam(defaultValue = "firing") String state) {
        if (!state.equals("firing") && !state.equals("all")) {
            return ResponseEntity.badRequest().body(Map.of("error", "state must be firing or all"));
        }
        FleetSnapshot s = fleet.current();
        if (s.error() != null) return unavailable(s.error());
        List<Map<String, Object>> out = new ArrayList<>();
        for (Incident i : s.incidents()) {
            if (state.equals("firing") && !i.firing()) continue;
            out.add(json(i, false));
        }
        return ResponseEntity.ok(out);
    }

    @GetMapping("/incidents/{id}")
    public ResponseEntity<?> incident(@PathVariable String id) throws Exception {
        if (!id.matches("[A-Za-z0-9_.:-]{1,128}")) {
            return ResponseEntity.badRequest().body(Map.of("error", "not an incident id: " + id));
        }
        return fleet.incident(id).<ResponseEntity<?>>map(i -> ResponseEntity.ok(json(i, true)))
                .orElseGet(() -> ResponseEntity.status(HttpStatus.NOT_FOUND).body(Map.of("error", "no incident " + id)));
    }

    @GetMapping("/fleet")
    public ResponseEntity<?> fleet() {
        FleetSnapshot s = fleet.current();
        if (s.error() != null) return unavailable(s.error());
        Map<String, Integer> byHealth = new LinkedHashMap<>();
        for (FleetSnapshot.Gpu g : s.gpus()) byHealth.merge(g.health().cssName(), 1, Integer::sum);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("gpus", s.gpus().size());
        m.put("gpusByHealth", byHealth);
        m.put("firingIncidentsBySeverity", s.firingIncidentsBySeverity());
        m.put("jobs", s.jobs());
        m.put("newestSample", s.newest());
        m.put("readAt", s.takenAt());
        m.put("readMillis", fleet.lastReadMillis());
        m.put("liveViews", fleet.subscribers());
        return ResponseEntity.ok(m);
    }

    static Map<String, Object> json(Incident i, boolean withAlerts) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", i.id());
        m.put("type", i.type());
        m.put("state", i.state().toLowerCase());
        m.put("severity", i.severity().toLowerCase());
        m.put("startsAt", i.startsAt());
        m.put("endsAt", i.endsAt());
        m.put("summary", i.summary());
        m.put("jobs", i.jobs());
        m.put("racks", i.racks());
        m.put("hosts", i.hosts());
        m.put("alerts", withAlerts ? i.alerts() : i.alerts().size());
        m.put("occurrences", i.occurrences());
        m.put("acknowledgedBy", i.acknowledgedBy());
        m.put("acknowledgedAt", i.acknowledgedAt());
        m.put("link", "/incidents/" + i.id());
        return m;
    }

    private static ResponseEntity<?> unavailable(String why) {
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).body(Map.of("error", "cannot read the database: " + why));
    }
}
