package io.vigil.dashboard.incidents;

import io.vigil.dashboard.layout.TimeSeriesChart;
import io.vigil.dashboard.readside.Incident;
import io.vigil.storage.query.AlertRow;
import io.vigil.storage.query.HistoryQueries;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The charts that show an incident's fault against a reference, chosen by what the root is about:
 * <ul>
 * <li>a GPU (thermal, lost, XID, silent): its temperature against the other GPUs of its host;</li>
 * <li>a straggler: its SM clock against the median of its job's GPUs;</li>
 * <li>a CDU (cooling): its flow and ΔT against its mean of the day before;</li>
 * <li>a power device: its load against its capacity.</li>
 * </ul>
 * The window runs from 15 minutes before the incident to 5 minutes after it ended (or now).
 */
public final class IncidentEvidence {

    /** A chart to draw: title, unit and lines. */
    public record Figure(String title, String unit, List<TimeSeriesChart.Line> lines) {}

    private final HistoryQueries history;

    public IncidentEvidence(HistoryQueries history) {
        this.history = history;
    }

    public static Instant from(Incident i) {
        return i.startsAt().minus(Duration.ofMinutes(15));
    }

    public static Instant to(Incident i, Instant now) {
        Instant end = i.endsAt() == null ? now : i.endsAt().plus(Duration.ofMinutes(5));
        return end.isAfter(now) ? now : end;
    }

    public List<Figure> figures(Incident i, int gpusPerHost, Instant now) throws Exception {
        List<Figure> out = new ArrayList<>();
        AlertRow lead = i.root() != null ? i.root() : i.alerts().get(0);
        Map<String, String> l = lead.labels();
        String cluster = l.get("cluster");
        Instant from = from(i), to = to(i, now);
        HistoryQueries.Resolution raw = HistoryQueries.Resolution.RAW;
        if (l.get("host") != null && l.get("gpu") != null && cluster != null) {
            int gpu = Integer.parseInt(l.get("gpu"));
            String host = l.get("host");
            if ("STRAGGLER".equals(lead.type()) && l.get("job") != null) {
                out.add(new Figure("SM clock of " + host + " gpu" + gpu + " against the median of job " + l.get("job"),
                        "MHz", List.of(
                        new TimeSeriesChart.Line(host + " gpu" + gpu,
                                history.gpuSeries(cluster, host, gpu, "sm_clock_mhz", from, to, raw, 20_000), true),
                        new TimeSeriesChart.Line("job median",
                                history.jobMedianSeries(cluster, l.get("job"), "sm_clock_mhz", from, to, 20_000), false))));
            }
            List<TimeSeriesChart.Line> peers = new ArrayList<>();
            peers.add(new TimeSeriesChart.Line("gpu" + gpu + " (this one)",
                    history.gpuSeries(cluster, host, gpu, "temp_max_c", from, to, raw, 20_000), true));
            for (int g = 0; g < gpusPerHost; g++) {
                if (g == gpu) continue;
                peers.add(new TimeSeriesChart.Line("gpu" + g,
                        history.gpuSeries(cluster, host, g, "temp_max_c", from, to, raw, 20_000), false));
            }
            out.add(new Figure("Temperature of " + host + " gpu" + gpu + " against its host's other GPUs", "°C", peers));
            out.add(new Figure("Power of " + host + " gpu" + gpu, "W", List.of(new TimeSeriesChart.Line("gpu" + gpu,
                    history.gpuSeries(cluster, host, gpu, "power_mean_w", from, to, raw, 20_000), true))));
        } else if (l.get("device") != null && "COOLING".equals(lead.type())) {
            String device = l.get("device");
            List<Map<String, Object>> flow = history.entitySeries("cdu", cluster, device, "flow_mean_lpm", from, to, raw, 20_000);
            out.add(new Figure("Coolant flow of " + device + " against its mean of the day before", "l/min", List.of(
                    new TimeSeriesChart.Line(device, flow, true),
                    new TimeSeriesChart.Line("usual (mean of the day before)", flat(history.entitySeries("cdu", cluster,
                            device, "flow_mean_lpm", from.minus(Duration.ofDays(1)), from,
                            HistoryQueries.Resolution.MINUTE, 2_000), from, to), false))));
            out.add(new Figure("Supply-return ΔT of " + device, "°C", List.of(new TimeSeriesChart.Line(device,
                    history.entitySeries("cdu", cluster, device, "delta_t_mean_c", from, to, raw, 20_000), true))));
        } else if (l.get("device") != null && "POWER".equals(lead.type())) {
            String device = l.get("device");
            out.add(new Figure("Load of " + device + " against its capacity", "W", List.of(
                    new TimeSeriesChart.Line("load", history.entitySeries("pdu", cluster, device, "power_mean_w", from,
                            to, raw, 20_000), true),
                    new TimeSeriesChart.Line("capacity", history.entitySeries("pdu", cluster, device, "capacity_w",
                            from, to, raw, 20_000), false))));
        }
        return out;
    }

    /** A flat line at the mean of {@code points}, over [from, to]; empty when there are none. */
    static List<Map<String, Object>> flat(List<Map<String, Object>> points, Instant from, Instant to) {
        double sum = 0;
        int n = 0;
        for (Map<String, Object> p : points) {
            if (p.get("value") instanceof Number v) {
                sum += v.doubleValue();
                n++;
            }
        }
        if (n == 0) return List.of();
        double mean = sum / n;
        return List.of(Map.of("time", from.toString(), "value", mean), Map.of("time", to.toString(), "value", mean));
    }
}
