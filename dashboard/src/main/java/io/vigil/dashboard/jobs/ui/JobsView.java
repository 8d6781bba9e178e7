package io.vigil.dashboard.jobs.ui;

import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.grid.GridVariant;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import io.vigil.dashboard.layout.FleetLiveView;
import io.vigil.dashboard.layout.MainLayout;
import io.vigil.dashboard.readside.FleetService;
import io.vigil.dashboard.readside.FleetSnapshot;
import io.vigil.dashboard.security.Role;
import jakarta.annotation.security.RolesAllowed;

/** Running jobs (those with GPUs reporting now), worst health first; a row opens the job. */
@Route(value = "jobs", layout = MainLayout.class)
@PageTitle("Jobs · Vigil")
@RolesAllowed(Role.VIEWER_NAME)
public class JobsView extends FleetLiveView {

    private final Grid<FleetSnapshot.Job> grid = new Grid<>();
    private final Span status = new Span();

    public JobsView(FleetService fleet) {
        super(fleet);
        setSizeFull();
        grid.setId("jobs-list");
        grid.addThemeVariants(GridVariant.LUMO_ROW_STRIPES, GridVariant.LUMO_COMPACT);
        grid.addComponentColumn(j -> {
            Span b = new Span(j.worst().cssName());
            b.addClassNames("gpu-badge", "gpu-" + j.worst().cssName());
            return b;
        }).setHeader("Health").setAutoWidth(true).setFlexGrow(0);
        grid.addColumn(FleetSnapshot.Job::jobId).setHeader("Job").setAutoWidth(true).setFlexGrow(0);
        grid.addColumn(j -> j.name() == null ? "" : j.name()).setHeader("Name").setFlexGrow(1);
        grid.addColumn(j -> j.team() == null ? "" : j.team()).setHeader("Team").setAutoWidth(true).setFlexGrow(0);
        grid.addColumn(FleetSnapshot.Job::gpus).setHeader("GPUs").setAutoWidth(true).setFlexGrow(0);
        grid.addColumn(FleetSnapshot.Job::hosts).setHeader("Hosts").setAutoWidth(true).setFlexGrow(0);
        grid.addColumn(j -> j.utilMeanPct() == null ? "" : String.format("%.0f %%", j.utilMeanPct()))
                .setHeader("Utilisation").setAutoWidth(true).setFlexGrow(0);
        grid.addColumn(j -> String.format("%.1f kW", j.powerW() / 1000)).setHeader("Power").setAutoWidth(true)
                .setFlexGrow(0);
        grid.addColumn(FleetSnapshot.Job::firingIncidents).setHeader("Incidents firing").setAutoWidth(true)
                .setFlexGrow(0);
        grid.addItemClickListener(e -> getUI().ifPresent(ui -> ui.navigate(JobView.path(e.getItem().jobId()))));
        grid.setSizeFull();
        add(new H2("Jobs"), status, grid);
    }

    @Override
    protected void render(FleetSnapshot s) {
        grid.setItems(s.jobs());
        status.setText(s.error() != null ? "Cannot read the database: " + s.error()
                : s.jobs().size() + " job(s) running on " + s.jobs().stream().mapToInt(FleetSnapshot.Job::gpus).sum()
                + " GPUs");
    }
}
