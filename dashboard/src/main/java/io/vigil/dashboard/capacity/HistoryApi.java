package io.vigil.dashboard.capacity;

import io.vigil.storage.query.HistoryQueries;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The history API, {@code /api/v1/history/...}, JSON or CSV ({@code format=csv} or {@code Accept: text/csv});
 * described in {@code docs/openapi.yaml}. Times are RFC 3339 or relative to now ({@code -10m}, {@code -24h},
 * {@code -30d}, {@code now}). Bad parameters get a 400 saying what is wrong; a query over the statement timeout a 503.
 */
@RestController
@RequestMapping("/api/v1/history")
public class HistoryApi {

    /** The longest range one request may cover, and the most points a series may return. */
    static final Duration MAX_RANGE = Duration.ofDays(3 * 366);
    static final Duration MAX_RAW_RANGE = Duration.ofDays(2);
    static final int MAX_POINTS = 20_000;

    private final HistoryQueries history;

    public HistoryApi(HistoryQueries history) {
        this.history = history;
    }

    /** Power headroom per rack or row: peak, p95, p99 and mean of the racks' PDU load against their capacity. */
    @GetMapping("/capacity/{scope:racks|rows}")
    public ResponseEntity<?> power(@org.springframework.web.bind.annotation.PathVariable String scope,
                                   @RequestParam(defaultValue = "-24h") String from,
                                   @RequestParam(defaultValue = "now") String to,
                                   @RequestParam(required = false) String cluster,
                                   @RequestParam(defaultValue = "auto") String resolution,
                                   @RequestParam(required = false) String format,
                                   @RequestHeader(value = HttpHeaders.ACCEPT, required = false) String accept) {
        return answer(format, accept, () -> {
            Range r = range(from, to);
            return history.powerHeadroom(blank(cluster), scope.equals("rows"), r.from, r.to, resolution(resolution, r));
        });
    }

    /** Per rack: the trend of its daily peak power and when it crosses {@code fraction} (0.9) of its PDU capacity. */
    @GetMapping("/capacity/forecast")
    public ResponseEntity<?> forecast(@RequestParam(defaultValue = "-14d") String from,
                                      @RequestParam(defaultValue = "now") String to,
                                      @RequestParam(defaultValue = "0.9") double fraction,
                                      @RequestParam(required = false) String cluster,
                                      @RequestParam(required = false) String format,
                                      @RequestHeader(value = HttpHeaders.ACCEPT, required = false) String accept) {
        return answer(format, accept, () -> {
            if (!(fraction > 0 && fraction <= 1.5)) throw new BadRequest("fraction must be in (0, 1.5]");
            Range r = range(from, to);
            return history.powerForecast(blank(cluster), r.from, r.to, fraction);
        });
    }

    /** Cooling headroom per CDU: supply and return temperature, ΔT, flow and the heat removed. */
    @GetMapping("/capacity/cdus")
    public ResponseEntity<?> cooling(@RequestParam(defaultValue = "-24h") String from,
                                     @RequestParam(defaultValue = "now") String to,
                                     @RequestParam(required = false) String cluster,
                                     @RequestParam(defaultValue = "auto") String resolution,
                                     @RequestParam(required = false) String format,
                                     @RequestHeader(value = HttpHeaders.ACCEPT, required = false) String accept) {
        return answer(format, accept, () -> {
            Range r = range(from, to);
            return history.coolingHeadroom(blank(cluster), r.from, r.to, resolution(resolution, r));
        });
    }

    /** GPU-hours, energy (kWh), mean utilisation and idle-allocated GPU-hours per job, team or account. */
    @GetMapping("/gpu-hours")
    public ResponseEntity<?> gpuHours(@RequestParam(defaultValue = "-24h") String from,
                                      @RequestParam(defaultValue = "now") String to,
                                      @RequestParam(defaultValue = "job") String by,
                                      @RequestParam(defaultValue = "auto") String resolution,
                                      @RequestParam(required = false) String format,
                                      @RequestHeader(value = HttpHeaders.ACCEPT, required = false) String accept) {
        return answer(format, accept, () -> {
            if (!HistoryQueries.OWNER_GROUPS.contains(by)) throw new BadRequest("by must be job, team or account");
            Range r = range(from, to);
            return history.gpuHours(by, r.from, r.to, resolution(resolution, r));
        });
    }

    /** The hottest GPUs by peak temperature. */
    @GetMapping("/top/gpus")
    public ResponseEntity<?> hottest(@RequestParam(defaultValue = "-24h") String from,
                                     @RequestParam(defaultValue = "now") String to,
                                     @RequestParam(defaultValue = "10") int n,
                                     @RequestParam(required = false) String format,
                                     @RequestHeader(value = HttpHeaders.ACCEPT, required = false) String accept) {
        return answer(format, accept, () -> {
            if (n < 1 || n > 1000) throw new BadRequest("n must be 1..1000");
            Range r = range(from, to);
            return history.hottestGpus(r.from, r.to, n);
        });
    }

    /** One GPU's metric over a range, at the resolution the range calls for or the one asked for. */
    @GetMapping("/gpu")
    public ResponseEntity<?> gpu(@RequestParam(required = false) String cluster,
                                 @RequestParam(required = false) String host,
                                 @RequestParam(required = false) Integer gpu,
                                 @RequestParam(defaultValue = "temp_max_c") String metric,
                                 @RequestParam(defaultValue = "-1h") String from,
                                 @RequestParam(defaultValue = "now") String to,
                                 @RequestParam(defaultValue = "auto") String resolution,
                                 @RequestParam(required = false) String format,
                                 @RequestHeader(value = HttpHeaders.ACCEPT, required = false) String accept) {
        return answer(format, accept, () -> {
            if (blank(cluster) == null || blank(host) == null || gpu == null || gpu < 0) {
                throw new BadRequest("cluster, host and gpu (>= 0) are required");
            }
            if (!HistoryQueries.GPU_METRICS.containsKey(metric)) {
                throw new BadRequest("metric must be one of " + new java.util.TreeSet<>(HistoryQueries.GPU_METRICS.keySet()));
            }
            Range r = range(from, to);
            HistoryQueries.Resolution res = resolution(resolution, r);
            return history.gpuSeries(cluster, host, gpu, metric, r.from, r.to, res, MAX_POINTS);
        });
    }

    /** Any metric of a host, rack, row, cluster, PDU, CDU, job or team over a range. */
    @GetMapping("/series")
    public ResponseEntity<?> series(@RequestParam(required = false) String entity,
                                    @RequestParam(required = false) String id,
                                    @RequestParam(required = false) String cluster,
                                    @RequestParam(required = false) String metric,
                                    @RequestParam(defaultValue = "-1h") String from,
                                    @RequestParam(defaultValue = "now") String to,
                                    @RequestParam(defaultValue = "auto") String resolution,
                                    @RequestParam(required = false) String format,
                                    @RequestHeader(value = HttpHeaders.ACCEPT, required = false) String accept) {
        return answer(format, accept, () -> {
            HistoryQueries.Entity e = entity == null ? null : HistoryQueries.ENTITIES.get(entity);
            if (e == null) {
                throw new BadRequest("entity must be one of " + new java.util.TreeSet<>(HistoryQueries.ENTITIES.keySet())
                        + " (a single GPU: /api/v1/history/gpu)");
            }
            if (blank(id) == null) throw new BadRequest("id (the " + entity + "'s name) is required");
            if (metric == null || !e.metrics().containsKey(metric)) {
                throw new BadRequest("metric for " + entity + " must be one of " + new java.util.TreeSet<>(e.metrics().keySet()));
            }
            Range r = range(from, to);
            return history.entitySeries(entity, blank(cluster), id.trim(), metric, r.from, r.to, resolution(resolution, r),
                    MAX_POINTS);
        });
    }

    record Range(Instant from, Instant to) {}

    /**
     * {@code auto} (raw up to 2 hours, per-minute rollups up to 7 days, hourly beyond), {@code raw}, {@code 1m} or
     * {@code 1h}; raw samples for at most {@link #MAX_RAW_RANGE}.
     */
    static HistoryQueries.Resolution resolution(String asked, Range r) {
        HistoryQueries.Resolution res = switch (asked == null ? "auto" : asked.toLowerCase(Locale.ROOT)) {
            case "auto" -> HistoryQueries.resolutionFor(r.from, r.to);
            case "raw" -> HistoryQueries.Resolution.RAW;
            case "1m" -> HistoryQueries.Resolution.MINUTE;
            case "1h" -> HistoryQueries.Resolution.HOUR;
            default -> throw new BadRequest("resolution must be auto, raw, 1m or 1h");
        };
        if (res == HistoryQueries.Resolution.RAW && Duration.between(r.from, r.to).compareTo(MAX_RAW_RANGE) > 0) {
            throw new BadRequest("raw samples are served for at most " + MAX_RAW_RANGE.toDays()
                    + " days at a time; ask for resolution 1m or 1h");
        }
        return res;
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    static Range range(String from, String to) {
        Instant now = Instant.now();
        Instant f = time(from, now, "from");
        Instant t = time(to, now, "to");
        if (!t.isAfter(f)) throw new BadRequest("'to' must be after 'from'");
        if (Duration.between(f, t).compareTo(MAX_RANGE) > 0) {
            throw new BadRequest("a range may cover at most " + MAX_RANGE.toDays() + " days");
        }
        return new Range(f, t);
    }

    /** RFC 3339, {@code now}, or {@code -N} with s, m, h or d before now. */
    static Instant time(String v, Instant now, String name) {
        String s = v == null ? "" : v.trim();
        if (s.equals("now")) return now;
        if (s.matches("-\\d{1,9}[smhd]")) {
            return now.minus(io.vigil.model.config.Settings.parseDuration(s.substring(1)));
        }
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            throw new BadRequest("'" + name + "' must be an RFC 3339 time, 'now' or relative like -10m, -24h, -30d; was '"
                    + v + "'");
        }
    }

    interface Question {
        List<Map<String, Object>> ask() throws SQLException;
    }

    static final class BadRequest extends RuntimeException {
        BadRequest(String message) {
            super(message);
        }
    }

    private static ResponseEntity<?> answer(String format, String accept, Question q) {
        boolean csv = "csv".equalsIgnoreCase(format) || (format == null && accept != null && accept.contains("text/csv"));
        if (format != null && !format.equalsIgnoreCase("csv") && !format.equalsIgnoreCase("json")) {
            return ResponseEntity.badRequest().body(Map.of("error", "format must be json or csv"));
        }
        try {
            List<Map<String, Object>> rows = q.ask();
            if (!csv) return ResponseEntity.ok(rows);
            return ResponseEntity.ok().contentType(new MediaType("text", "csv", java.nio.charset.StandardCharsets.UTF_8))
                    .body(toCsv(rows));
        } catch (BadRequest | IllegalArgumentException e) {
            return ResponseEntity.badRequest().body(Map.of("error", e.getMessage()));
        } catch (SQLException e) {
            boolean timeout = "57014".equals(e.getSQLState());
            return ResponseEntity.status(503).body(Map.of("error", timeout
                    ? "the query ran over its time limit; ask for a shorter range or a coarser resolution"
                    : "the database could not answer: " + e.getMessage()));
        }
    }

    static String toCsv(List<Map<String, Object>> rows) {
        Set<String> columns = new LinkedHashSet<>();
        rows.forEach(r -> columns.addAll(r.keySet()));
        StringBuilder b = new StringBuilder(String.join(",", columns)).append('\n');
        for (Map<String, Object> r : rows) {
            boolean first = true;
            for (String c : columns) {
                if (!first) b.append(',');
                first = false;
                Object v = r.get(c);
                if (v == null) continue;
                String s = v.toString();
                b.append(s.matches("[A-Za-z0-9_.:+\\-/ ]*") ? s : '"' + s.replace("\"", "\"\"") + '"');
            }
            b.append('\n');
        }
        return b.toString();
    }
}
