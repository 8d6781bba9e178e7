package io.vigil.dashboard.layout;

import com.vaadin.flow.component.AttachEvent;
import com.vaadin.flow.component.DetachEvent;
import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A view that refreshes itself by server push while it is on screen: {@link #load()} runs on a background thread,
 * {@link #render} in the UI's lock. Refreshing stops when the view is detached (tab closed, navigated away).
 */
public abstract class LiveView<T> extends VerticalLayout {
    private static final Logger LOG = LoggerFactory.getLogger(LiveView.class);

    private final ScheduledExecutorService scheduler;
    private final Duration period;
    private ScheduledFuture<?> task;

    protected LiveView(ScheduledExecutorService scheduler, Duration period) {
        this.scheduler = scheduler;
        this.period = period;
    }

    /** Reads the data to show; called off the UI thread. */
    protected abstract T load() throws Exception;

    /** Shows the data; called with the UI locked. */
    protected abstract void render(T data);

    /** Shows that data could not be read (e.g. the database is down); called with the UI locked. */
    protected abstract void renderError(String message);

    @Override
    protected void onAttach(AttachEvent event) {
        UI ui = event.getUI();
        task = scheduler.scheduleWithFixedDelay(() -> refresh(ui), 0, period.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    protected void onDetach(DetachEvent event) {
        if (task != null) {
            task.cancel(false);
        }
    }

    /** Refreshes now, off the UI thread (after the user changed what the view shows). */
    protected void refreshNow() {
        getUI().ifPresent(ui -> scheduler.execute(() -> refresh(ui)));
    }

    private void refresh(UI ui) {
        try {
            T data = load();
            ui.access(() -> render(data));
        } catch (Exception e) {
            LOG.debug("Live view refresh failed", e);
            ui.access(() -> renderError(e.getMessage()));
        }
    }
}
