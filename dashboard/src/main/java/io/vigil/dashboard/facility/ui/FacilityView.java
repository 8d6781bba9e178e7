package io.vigil.dashboard.facility.ui;

import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.grid.GridVariant;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.H3;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import io.vigil.dashboard.layout.LiveView;
import io.vigil.dashboard.layout.MainLayout;
import io.vigil.dashboard.security.Role;
import io.vigil.storage.query.ClusterQueries;
import io.vigil.storage.query.ClusterQueries.CoolingReading;
import io.vigil.storage.query.ClusterQueries.PowerReading;
import jakarta.annotation.security.RolesAllowed;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The facility: a floor map of racks by row coloured by their PDUs' load against capacity (leaks and inlet air shown
 * on the tile), the CDUs (supply, return, ΔT, flow, leak), and the power devices (load against capacity). Newest
 * readings within 2 minutes; refreshes every 5 s (facility telemetry arrives every 10–30 s).
 */
@Route(value = "facility", layout = MainLayout.class)
@PageTitle("Facility · Vigil")
@RolesAllowed(Role.VIEWER_NAME)
public class FacilityView extends LiveView<FacilityView.Data> {

    record Data(List<PowerReading> power, List<CoolingReading> cooling) {}

    private static final Duration WINDOW = Duration.ofMinutes(2);
    private final ClusterQueries cluster;
    private final Div floor = new Div();
    private final Grid<CoolingReading> cdus = new Grid<>();
    private final Grid<PowerReading> pdus = new Grid<>();
    private final Span status = new Span();

    public FacilityView(ClusterQueries cluster, ScheduledExecutorService liveUpdates) {
        super(liveUpdates, Duration.ofSeconds(5));
        this.cluster = cluster;
        setWidthFull();
        floor.setId("facility-floor");
        floor.addClassName("vigil-floor");
        cdus.setId("facility-cdus");
        cdus.addThemeVariants(GridVariant.LUMO_COMPACT, GridVariant.LUMO_ROW_STRIPES);
        cdus.addColumn(CoolingReading::device).setHeader("Device").setAutoWidth(true).setFlexGrow(0);
        cdus.addColumn(CoolingReading::source).setHeader("Kind").setAutoWidth(true).setFlexGrow(0);
        cdus.addColumn(r -> r.row() == null ? "" : r.row()).setHeader("Row").setAutoWidth(true).setFlexGrow(0);
        cdus.addColumn(r -> f(r.supplyC(), "°C")).setHeader("Supply").setAutoWidth(true).setFlexGrow(0);
        cdus.addColumn(r -> f(r.returnC(), "°C")).setHeader("Return").setAutoWidth(true).setFlexGrow(0);
        cdus.addColumn(r -> r.supplyC() == null || r.returnC() == null ? "" : f(r.returnC() - r.supplyC(), "°C"))
                .setHeader("ΔT").setAutoWidth(true).setFlexGrow(0);
        cdus.addColumn(r -> f(r.flowLpm(), "l/min")).setHeader("Flow").setAutoWidth(true).setFlexGrow(0);
        cdus.addColumn(r -> r.supplyC() == null || r.returnC() == null || r.flowLpm() == null ? ""
                : f(r.flowLpm() / 60.0 * 4.18 * (r.returnC() - r.supplyC()), "kW")).setHeader("Heat removed")
                .setAutoWidth(true).setFlexGrow(0);
        cdus.addColumn(r -> r.leak() == null ? "" : r.leak() ? "LEAK" : "no").setHeader("Leak").setAutoWidth(true)
                .setFlexGrow(0);
        cdus.addColumn(r -> String.join(", ", r.servesRacks())).setHeader("Serves").setFlexGrow(1);
        cdus.setAllRowsVisible(true);
        pdus.setId("facility-pdus");
        pdus.addThemeVariants(GridVariant.LUMO_COMPACT, GridVariant.LUMO_ROW_STRIPES);
        pdus.addColumn(PowerReading::device).setHeader("Device").setAutoWidth(true).setFlexGrow(0);
        pdus.addColumn(PowerReading::source).setHeader("Kind").setAutoWidth(true).setFlexGrow(0);
        pdus.addColumn(r -> r.rack() == null ? "" : r.rack()).setHeader("Rack").setAutoWidth(true).setFlexGrow(0);
        pdus.addColumn(r -> f(r.powerW() == null ? null : r.powerW() / 1000, "kW")).setHeader("Load")
                .setAutoWidth(true).setFlexGrow(0);
        pdus.addColumn(r -> f(r.capacityW() == null ? null : r.capacityW() / 1000, "kW")).setHeader("Capacity")
                .setAutoWidth(true).setFlexGrow(0);
        pdus.addColumn(r -> pct(r.powerW(), r.capacityW())).setHeader("Load %").setAutoWidth(true).setFlexGrow(0);
        pdus.setAllRowsVisible(true);
        add(new H2("Facility"), status, new H3("Floor (rack tiles: PDU load against capacity)"), floor,
                new H3("Cooling"), cdus, new H3("Power"), pdus);
    }

    @Override
    protected Data load() throws Exception {
        return new Data(cluster.latestPower(WINDOW), cluster.latestCooling(WINDOW));
    }

    @Override
    protected void render(Data d) {
        status.setText(d.power().size() + " power device(s), " + d.cooling().size() + " cooling device(s) reporting");
        // The liquid loop's devices; rack air sensors show on the floor map's tiles instead.
        cdus.setItems(d.cooling().stream().filter(r -> !io.vigil.model.CoolingSample.Source.RACK_AIR.name()
                .equals(r.source())).toList());
        pdus.setItems(d.power());
        // Floor map: row -> rack -> [load, capacity], from rack PDUs; inlet air and leaks from rack-level cooling.
        Map<String, Map<String, double[]>> racks = new TreeMap<>();
        for (PowerReading p : d.power()) {
            if (p.rack() == null || !io.vigil.model.PowerSample.Source.RACK_PDU.name().equals(p.source())) continue;
            double[] v = racks.computeIfAbsent(String.valueOf(p.row()), k -> new TreeMap<>())
                    .computeIfAbsent(p.rack(), k -> new double[2]);
            v[0] += p.powerW() == null ? 0 : p.powerW();
            v[1] += p.capacityW() == null ? 0 : p.capacityW();
        }
        Map<String, CoolingReading> air = new LinkedHashMap<>();
        for (CoolingReading c : d.cooling()) {
            if (c.rack() != null && (c.inletAirC() != null || Boolean.TRUE.equals(c.leak()))) air.put(c.rack(), c);
        }
        floor.removeAll();
        racks.forEach((row, rs) -> {
            Div line = new Div();
            line.addClassName("vigil-floor-row");
            line.add(new Span(row));
            rs.forEach((rack, v) -> {
                Div tile = new Div();
                tile.addClassName("vigil-floor-rack");
                double pct = v[1] > 0 ? v[0] / v[1] * 100 : Double.NaN;
                tile.addClassName(Double.isNaN(pct) ? "load-unknown" : pct >= 90 ? "load-high" : pct >= 70 ? "load-mid" : "load-low");
                CoolingReading c = air.get(rack);
                boolean leak = c != null && Boolean.TRUE.equals(c.leak());
                if (leak) tile.addClassName("leak");
                tile.setText(rack);
                tile.setTitle(String.format("%s · %.1f of %.1f kW (%s)%s%s", rack, v[0] / 1000, v[1] / 1000,
                        Double.isNaN(pct) ? "?" : String.format("%.0f %%", pct),
                        c == null || c.inletAirC() == null ? "" : String.format(" · inlet air %.1f °C", c.inletAirC()),
                        leak ? " · LEAK" : ""));
                line.add(tile);
            });
            floor.add(line);
        });
        if (racks.isEmpty()) floor.setText("No rack PDU readings in the last 2 minutes.");
    }

    @Override
    protected void renderError(String message) {
        status.setText("Cannot read facility telemetry: " + message);
    }

    private static String f(Double v, String unit) {
        return v == null ? "" : String.format("%.1f %s", v, unit);
    }

    private static String pct(Double v, Double of) {
        return v == null || of == null || of == 0 ? "" : String.format("%.0f %%", v / of * 100);
    }
}
