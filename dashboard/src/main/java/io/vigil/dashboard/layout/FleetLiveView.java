package io.vigil.dashboard.layout;

import com.vaadin.flow.component.AttachEvent;
import com.vaadin.flow.component.DetachEvent;
import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import io.vigil.dashboard.readside.FleetService;
import io.vigil.dashboard.readside.FleetSnapshot;

/**
 * A view fed by the shared {@link FleetService} refresher: it subscribes while on screen and is pushed each new
 * snapshot, so a hundred open consoles cost one database read per second, not a hundred. {@link #render} runs with
 * the UI locked; a slow browser only delays its own updates.
 */
public abstract class FleetLiveView extends VerticalLayout {

    protected final FleetService fleet;
    private Runnable unsubscribe;

    protected FleetLiveView(FleetService fleet) {
        this.fleet = fleet;
    }

    protected abstract void render(FleetSnapshot snapshot);

    @Override
    protected void onAttach(AttachEvent event) {
        UI ui = event.getUI();
        render(fleet.current());
        unsubscribe = fleet.subscribe(s -> ui.access(() -> render(s)));
    }

    @Override
    protected void onDetach(DetachEvent event) {
        if (unsubscribe != null) unsubscribe.run();
    }
}
