package io.vigil.dashboard.capacity.ui;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.grid.GridVariant;
import com.vaadin.flow.component.html.Anchor;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.H3;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.radiobutton.RadioButtonGroup;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import io.vigil.dashboard.security.Role;
import jakarta.annotation.security.RolesAllowed;
import io.vigil.dashboard.layout.LiveView;
import io.vigil.dashboard.layout.Chart;
import io.vigil.dashboard.layout.MainLayout;
import io.vigil.storage.query.HistoryQueries;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What a capacity team plans with: each rack's peak and p95 power against its PDU capacity, GPU-hours and energy by
 * team, the CDUs' cooling, over a chosen range, with CSV downloads of the same numbers the API gives, and when each
 * rack's daily peak will reach 90 % of its PDU capacity on its current trend.
 */
@Route(value = "capacity", layout = MainLayout.class)
@PageTitle("Capacity · Vigil")
@RolesAllowed(Role.VIEWER_NAME)
public class CapacityView extends LiveView<CapacityView.Data> {

    record Data(List<Map<String, Object>> racks, List<Map<String, Object>> teams, List<Map<String, Object>> jobs,
                List<Map<String, Object>> cdus, List<Map<String, Object>> forecast, String resolution) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> RANGES = Map.of("Last hour", "-1h", "Last 24 hours", "-24h",
            "Last 7 days", "-7d", "Last 30 days", "-30d");

    private final HistoryQueries history;
    private final RadioButtonGroup<String> range = new RadioButtonGroup<>();
    private final Chart rackChart = new Chart();
    private final Chart teamChart = new Chart();
    private final Grid<Map<String, Object>> racks = new Grid<>();
    private final Grid<Map<String, Object>> cdus = new Grid<>();
    private final Grid<Map<String, Object>> jobs = new Grid<>();
    private final Grid<Map<String, Object>> forecast = new Grid<>();
    private final Anchor rackCsv = new Anchor("", "Racks as CSV");
    private final Anchor teamCsv = new Anchor("", "GPU-hours by team as CSV");
    private final Span status = new Span();
    private volatile String from = "-24h";

    public CapacityView(HistoryQueries history, ScheduledExecutorService liveUpdates) {
        super(liveUpdates, Duration.ofSeconds(30));
        this.history = history;
        setSizeFull();
        range.setItems("Last hour", "Last 24 hours", "Last 7 days", "Last 30 days");
        range.setValue("Last 24 hours");
        range.addValueChangeListener(e -> {
            from = RANGES.get(e.getValue());
            status.setText("Loading…");
            links();
            refreshNow();
        });
        rackChart.setId("rack-power-chart");
        rackChart.setWidthFull();
        rackChart.setHeight("320px");
        teamChart.setId("team-gpu-hours-chart");
        teamChart.setWidthFull();
        teamChart.setHeight("260px");
        racks.addThemeVariants(GridVariant.LUMO_COMPACT, GridVariant.LUMO_ROW_STRIPES);
        for (String[] c : new String[][] {{"rack", "Rack"}, {"peakW", "Peak W"}, {"p95W", "p95 W"}, {"p99W", "p99 W"},
                {"capacityW", "Capacity W"}, {"headroomW", "Headroom W"}, {"peakPctOfCapacity", "Peak % of capacity"},
                {"source", "Measured by"}}) {
            racks.addColumn(r -> r.get(c[0])).setHeader(c[1]).setAutoWidth(true);
        }
        racks.setHeight("220px");
        cdus.addThemeVariants(GridVariant.LUMO_COMPACT);
        for (String[] c : new String[][] {{"device", "CDU"}, {"supplyMeanC", "Supply °C"}, {"returnMeanC", "Return °C"},
                {"deltaTMeanC", "ΔT °C"}, {"flowMeanLpm", "Flow L/min"}, {"flowMinLpm", "Min flow"},
                {"heatMeanKw", "Heat kW"}, {"heatPeakKw", "Peak heat kW"}}) {
            cdus.addColumn(r -> r.get(c[0])).setHeader(c[1]).setAutoWidth(true);
        }
        cdus.setHeight("160px");
        jobs.setId("jobs-grid");
        jobs.addThemeVariants(GridVariant.LUMO_COMPACT, GridVariant.LUMO_ROW_STRIPES);
        for (String[] c : new String[][] {{"job", "Job"}, {"gpuHours", "GPU-hours"}, {"energyKwh", "Energy kWh"},
                {"utilMeanPct", "Mean util %"}, {"idleGpuHours", "Idle GPU-hours"},
                {"stragglerMinutes", "Straggler min"}, {"stallMinutes", "Stall min"}}) {
            jobs.addColumn(r -> r.get(c[0])).setHeader(c[1]).setAutoWidth(true);
        }
        jobs.setHeight("220px");
        forecast.addThemeVariants(GridVariant.LUMO_COMPACT);
        for (String[] c : new String[][] {{"rack", "Rack"}, {"days", "Days"}, {"lastDailyPeakW", "Last daily peak W"},
                {"trendWPerDay", "Trend W/day"}, {"thresholdW", "90 % of capacity W"}, {"crossesAt", "Crosses it at"}}) {
            forecast.addColumn(r -> {
                Object v = r.get(c[0]);
                if (c[0].equals("crossesAt")) {
                    return Boolean.TRUE.equals(r.get("alreadyAbove")) ? "already above" : v == null ? "not on this trend"
                            : v.toString().substring(0, 10);
                }
                return v;
            }).setHeader(c[1]).setAutoWidth(true);
        }
        forecast.setHeight("180px");
        links();
        add(new H2("Capacity"), new HorizontalLayout(range, status), new H3("Rack power against PDU capacity"),
                rackChart, racks, rackCsv, new H3("GPU-hours and energy by team"), teamChart, teamCsv,
                new H3("Jobs: GPU-hours, energy, idle GPUs, straggler and stall minutes"), jobs,
                new H3("Cooling per CDU"), cdus,
                new H3("Forecast: when each rack's daily peak reaches 90 % of its PDU capacity (last 14 days)"), forecast);
    }

    private void links() {
        rackCsv.setHref("/api/v1/history/capacity/racks?format=csv&from=" + from);
        teamCsv.setHref("/api/v1/history/gpu-hours?by=team&format=csv&from=" + from);
    }

    @Override
    protected Data load() throws Exception {
        Instant now = Instant.now();
        Instant start = now.minus(switch (from) {
            case "-1h" -> Duration.ofHours(1);
            case "-7d" -> Duration.ofDays(7);
            case "-30d" -> Duration.ofDays(30);
            default -> Duration.ofHours(24);
        });
        HistoryQueries.Resolution res = HistoryQueries.resolutionFor(start, now);
        return new Data(history.powerHeadroom(null, false, start, now, res), history.gpuHours("team", start, now, res),
                history.gpuHours("job", start, now, res), history.coolingHeadroom(null, start, now, res),
                history.powerForecast(null, now.minus(Duration.ofDays(14)), now, 0.9), HistoryQueries.label(res));
    }

    @Override
    protected void render(Data d) {
        racks.setItems(d.racks());
        cdus.setItems(d.cdus());
        jobs.setItems(d.jobs());
        forecast.setItems(d.forecast());
        rackChart.setOption(bars(d.racks(), "rack", List.of(new String[] {"peakW", "Peak"},
                new String[] {"p95W", "p95"}, new String[] {"capacityW", "Capacity"}), "W"));
        teamChart.setOption(bars(d.teams(), "team", List.of(new String[] {"gpuHours", "GPU-hours"},
                new String[] {"energyKwh", "Energy kWh"}, new String[] {"idleGpuHours", "Idle GPU-hours"}), ""));
        status.setText(d.racks().size() + " racks, " + d.teams().size() + " teams, " + d.jobs().size() + " jobs, "
                + d.cdus().size() + " CDUs (" + (d.resolution().equals("raw") ? "raw samples" : d.resolution()
                + " rollups") + ")");
    }

    /** A grouped bar chart: one category per row, one series per field. */
    static ObjectNode bars(List<Map<String, Object>> rows, String category, List<String[]> fields, String unit) {
        ObjectNode o = JSON.createObjectNode();
        o.putObject("tooltip").put("trigger", "axis");
        o.putObject("legend");
        o.putObject("grid").put("left", 60).put("right", 20).put("bottom", 40);
        ArrayNode cats = o.putObject("xAxis").put("type", "category").putArray("data");
        rows.forEach(r -> cats.add(String.valueOf(r.getOrDefault(category, "") == null ? "" : r.get(category))));
        o.putObject("yAxis").put("type", "value").put("name", unit);
        ArrayNode series = o.putArray("series");
        for (String[] f : fields) {
            ObjectNode s = series.addObject().put("name", f[1]).put("type", f[0].equals("capacityW") ? "line" : "bar");
            ArrayNode data = s.putArray("data");
            rows.forEach(r -> {
                Object v = r.get(f[0]);
                if (v instanceof Number n) data.add(n.doubleValue());
                else data.addNull();
            });
        }
        return o;
    }

    @Override
    protected void renderError(String message) {
        status.setText("Cannot read history: " + message);
    }
}
