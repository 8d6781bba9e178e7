package io.vigil.dashboard.overview.ui;

import com.vaadin.flow.component.combobox.ComboBox;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.textfield.TextField;
import com.vaadin.flow.data.value.ValueChangeMode;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import io.vigil.dashboard.gpu.ui.GpuView;
import io.vigil.dashboard.layout.FleetLiveView;
import io.vigil.dashboard.layout.MainLayout;
import io.vigil.dashboard.overview.HeatmapCache;
import io.vigil.dashboard.overview.HeatmapFrame;
import io.vigil.dashboard.readside.FleetService;
import io.vigil.dashboard.readside.FleetSnapshot;
import io.vigil.dashboard.readside.GpuHealth;
import io.vigil.dashboard.security.Role;
import jakarta.annotation.security.RolesAllowed;
import java.util.EnumMap;
import java.util.Map;

/**
 * The whole site at a glance: every GPU a square on one canvas, row by row, rack by rack, coloured by health or by a
 * chosen metric, optionally only one job's or team's GPUs; counts of firing incidents by severity. A click opens the
 * GPU. Updated by push from the shared refresher.
 */
@Route(value = "", layout = MainLayout.class)
@PageTitle("Overview · Vigil")
@RolesAllowed(Role.VIEWER_NAME)
public class OverviewView extends FleetLiveView implements com.vaadin.flow.router.BeforeEnterObserver {

    private final Span summary = new Span("Waiting for telemetry…");
    private final Span incidents = new Span();
    private final Heatmap heatmap = new Heatmap();
    private final ComboBox<HeatmapFrame.Mode> colourBy = new ComboBox<>("Colour by");
    private final TextField filter = new TextField("Job or team");
    private final HeatmapCache frames;
    private final Div legend = new Div();
    private final Span scale = new Span();
    private HeatmapFrame.Layout layout;
    private FleetSnapshot last;

    public OverviewView(FleetService fleet, HeatmapCache frames) {
        super(fleet);
        this.frames = frames;
        setWidthFull();
        summary.setId("overview-summary");
        incidents.setId("overview-incidents");
        heatmap.setId("heatmap");
        heatmap.setWidthFull();
        colourBy.setItems(HeatmapFrame.Mode.values());
        colourBy.setItemLabelGenerator(HeatmapFrame.Mode::label);
        colourBy.setValue(HeatmapFrame.Mode.HEALTH);
        colourBy.addValueChangeListener(e -> redraw(true));
        filter.setPlaceholder("all");
        filter.setClearButtonVisible(true);
        filter.setValueChangeMode(ValueChangeMode.LAZY);
        filter.addValueChangeListener(e -> redraw(false));
        heatmap.addGpuClickListener(e -> {
            if (layout != null && e.index() >= 0 && e.index() < layout.order().size()) {
                var s = layout.order().get(e.index()).status();
                getUI().ifPresent(ui -> ui.navigate(GpuView.path(s.cluster(), s.host(), s.gpu())));
            }
        });
        legend.addClassName("vigil-legend");
        scale.addClassName("vigil-legend");
        scale.setVisible(false);
        for (GpuHealth h : GpuHealth.values()) {
            Span swatch = new Span();
            swatch.addClassNames("gpu-cell", "gpu-" + h.cssName());
            legend.add(swatch, new Span(switch (h) {
                case CRITICAL -> "critical alert";
                case WARNING -> "warning alert";
                case HOT -> "thermal slowdown";
                case WARM -> "within " + (int) GpuHealth.WARM_BAND_C + " °C of its slowdown";
                case BUSY -> "busy, healthy";
                case IDLE -> "idle";
            }));
        }
        HorizontalLayout controls = new HorizontalLayout(colourBy, filter);
        add(new H2("Overview"), summary, incidents, controls, legend, scale, heatmap);
    }

    /** Deep-linkable: {@code /?colour=temperature&filter=job-2}. */
    @Override
    public void beforeEnter(com.vaadin.flow.router.BeforeEnterEvent event) {
        var q = event.getLocation().getQueryParameters().getParameters();
        if (q.containsKey("colour")) {
            String c = q.get("colour").get(0).toUpperCase(java.util.Locale.ROOT);
            for (HeatmapFrame.Mode m : HeatmapFrame.Mode.values()) {
                if (m.name().equals(c)) colourBy.setValue(m);
            }
        }
        if (q.containsKey("filter")) filter.setValue(q.get("filter").get(0));
    }

    @Override
    protected void render(FleetSnapshot s) {
        last = s;
        if (s.error() != null) {
            summary.setText("Cannot read the database: " + s.error());
            return;
        }
        if (s.gpus().isEmpty()) {
            summary.setText("No GPU telemetry yet. Is a collector or the simulator publishing?");
        } else {
            Map<GpuHealth, Integer> counts = new EnumMap<>(GpuHealth.class);
            for (FleetSnapshot.Gpu g : s.gpus()) counts.merge(g.health(), 1, Integer::sum);
            summary.setText(String.format("%,d GPUs · %d hot · %d warm · %d idle · data as of %s", s.gpus().size(),
                    counts.getOrDefault(GpuHealth.HOT, 0), counts.getOrDefault(GpuHealth.WARM, 0),
                    counts.getOrDefault(GpuHealth.IDLE, 0), s.newest()));
        }
        int firing = s.firingIncidents();
        incidents.setText(firing == 0 ? "No incident firing" : firing + " incident" + (firing == 1 ? "" : "s")
                + " firing: " + s.firingIncidentsBySeverity().entrySet().stream()
                .map(e -> e.getValue() + " " + e.getKey().toLowerCase()).reduce((a, b) -> a + ", " + b).orElse(""));
        redraw(false);
    }

    private void redraw(boolean modeChanged) {
        FleetSnapshot s = last;
        if (s == null || s.gpus().isEmpty()) return;
        HeatmapFrame.Mode mode = colourBy.getValue() == null ? HeatmapFrame.Mode.HEALTH : colourBy.getValue();
        legend.setVisible(mode == HeatmapFrame.Mode.HEALTH);
        scale.setVisible(mode != HeatmapFrame.Mode.HEALTH);
        scale.setText(mode.label() + ": blue " + mode.scaleText() + " red; grey no data");
        HeatmapFrame.Layout next = frames.layout(s, mode);
        if (layout == null || modeChanged || !next.signature().equals(layout.signature())) {
            layout = next;
            heatmap.setLayout(next.json(), mode == HeatmapFrame.Mode.HEALTH ? "health" : "metric");
        }
        heatmap.setCells(frames.cells(layout, s, mode, filter.getValue()));
    }
}
