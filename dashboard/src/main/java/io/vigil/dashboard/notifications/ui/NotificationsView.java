package io.vigil.dashboard.notifications.ui;

import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.grid.GridVariant;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.H3;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.notification.Notification;
import com.vaadin.flow.component.textfield.TextField;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import com.vaadin.flow.server.auth.AnonymousAllowed;
import io.vigil.dashboard.layout.LiveView;
import io.vigil.dashboard.layout.MainLayout;
import io.vigil.dashboard.notifications.OperatorActions;
import io.vigil.storage.query.NotificationQueries;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What on-call was told: the demo inbox (one row per page, update or resolution the built-in receiver got), an
 * Acknowledge button on incidents still firing, the delivery attempts to every receiver, and the silences in force.
 */
@Route(value = "notifications", layout = MainLayout.class)
@PageTitle("Notifications · Vigil")
@AnonymousAllowed
public class NotificationsView extends LiveView<NotificationsView.Data> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    record Data(List<NotificationQueries.InboxMessage> inbox, List<NotificationQueries.Attempt> attempts,
                List<NotificationQueries.SilenceRow> silences, Set<String> firing, Set<String> acknowledged) {}

    private final NotificationQueries queries;
    private final OperatorActions actions;
    private final Grid<NotificationQueries.InboxMessage> inbox = new Grid<>();
    private final Grid<NotificationQueries.Attempt> attempts = new Grid<>();
    private final Grid<NotificationQueries.SilenceRow> silences = new Grid<>();
    private final TextField who = new TextField("Acknowledge as");
    private final Span status = new Span();
    private volatile Data shown;

    public NotificationsView(NotificationQueries queries, OperatorActions actions, ScheduledExecutorService liveUpdates) {
        super(liveUpdates, Duration.ofSeconds(2));
        this.queries = queries;
        this.actions = actions;
        setSizeFull();
        who.setValue("operator");
        who.setWidth("14em");

        inbox.addThemeVariants(GridVariant.LUMO_ROW_STRIPES, GridVariant.LUMO_COMPACT);
        inbox.addColumn(m -> TIME.format(m.receivedAt())).setHeader("Received").setAutoWidth(true).setFlexGrow(0);
        inbox.addComponentColumn(m -> {
            Span badge = new Span(m.action());
            badge.getElement().getThemeList().add("resolve".equals(m.action()) ? "badge success"
                    : "trigger".equals(m.action()) ? "badge error primary" : "badge");
            return badge;
        }).setHeader("Action").setAutoWidth(true).setFlexGrow(0);
        inbox.addColumn(NotificationQueries.InboxMessage::incident).setHeader("Incident").setAutoWidth(true).setFlexGrow(0);
        inbox.addColumn(NotificationQueries.InboxMessage::summary).setHeader("Summary").setFlexGrow(3);
        inbox.addColumn(NotificationQueries.InboxMessage::deliveries).setHeader("Deliveries").setAutoWidth(true)
                .setFlexGrow(0);
        inbox.addComponentColumn(m -> {
            Data d = shown;
            if (d == null || !"trigger".equals(m.action()) || !d.firing().contains(m.incident())) return new Span();
            if (d.acknowledged().contains(m.incident())) return new Span("acknowledged");
            Button ack = new Button("Acknowledge", e -> acknowledge(m.incident()));
            ack.addThemeVariants(ButtonVariant.LUMO_SMALL);
            ack.setEnabled(actions.available());
            return ack;
        }).setHeader("").setAutoWidth(true).setFlexGrow(0);
        inbox.setHeight("40%");

        attempts.addThemeVariants(GridVariant.LUMO_ROW_STRIPES, GridVariant.LUMO_COMPACT);
        attempts.addColumn(a -> TIME.format(a.at())).setHeader("At").setAutoWidth(true).setFlexGrow(0);
        attempts.addColumn(a -> a.receiver() + " " + (a.target() == null ? "" : a.target())).setHeader("Receiver")
                .setAutoWidth(true).setFlexGrow(0);
        attempts.addColumn(a -> a.action().toLowerCase()).setHeader("Action").setAutoWidth(true).setFlexGrow(0);
        attempts.addColumn(a -> a.outcome().toLowerCase()).setHeader("Outcome").setAutoWidth(true).setFlexGrow(0);
        attempts.addColumn(NotificationQueries.Attempt::incident).setHeader("Incident").setAutoWidth(true).setFlexGrow(0);
        attempts.addColumn(a -> a.latencyMs() + " ms").setHeader("Latency").setAutoWidth(true).setFlexGrow(0);
        attempts.addColumn(a -> a.error() == null ? "" : a.error()).setHeader("Error").setFlexGrow(2);
        attempts.setHeight("30%");

        silences.addThemeVariants(GridVariant.LUMO_COMPACT);
        silences.addColumn(NotificationQueries.SilenceRow::kind).setHeader("Kind").setAutoWidth(true).setFlexGrow(0);
        silences.addColumn(s -> s.incident() != null ? "incident " + s.incident() : String.valueOf(s.matchers()))
                .setHeader("Matches").setFlexGrow(2);
        silences.addColumn(s -> TIME.format(s.startsAt())).setHeader("From").setAutoWidth(true).setFlexGrow(0);
        silences.addColumn(s -> s.endsAt() == null ? "until resolved" : TIME.format(s.endsAt())).setHeader("Until")
                .setAutoWidth(true).setFlexGrow(0);
        silences.addColumn(s -> s.createdBy() == null ? "" : s.createdBy()).setHeader("By").setAutoWidth(true);
        silences.addColumn(s -> s.comment() == null ? "" : s.comment()).setHeader("Comment").setFlexGrow(1);
        silences.setHeight("20%");

        add(new H2("Notifications"), status, who, new H3("Inbox (the demo's built-in receiver)"), inbox,
                new H3("Delivery attempts, every receiver"), attempts, new H3("Silences, maintenance, acknowledgements"),
                silences);
    }

    private void acknowledge(String incident) {
        try {
            actions.acknowledge(incident, who.getValue().isBlank() ? "operator" : who.getValue().trim(), null);
            Notification.show("Acknowledged " + incident + ": its repeats stop");
        } catch (Exception e) {
            Notification.show("Could not acknowledge: " + e.getMessage());
        }
    }

    @Override
    protected Data load() throws Exception {
        List<NotificationQueries.InboxMessage> in = queries.inbox(200);
        Set<String> firing = new HashSet<>();
        Set<String> resolved = new HashSet<>();
        // Newest first: an incident whose newest message is not a resolution still fires.
        for (NotificationQueries.InboxMessage m : in) {
            if (resolved.contains(m.incident()) || firing.contains(m.incident())) continue;
            if ("resolve".equals(m.action())) resolved.add(m.incident());
            else firing.add(m.incident());
        }
        List<NotificationQueries.SilenceRow> sil = queries.silences(Duration.ofHours(1), 200);
        Set<String> acked = new HashSet<>();
        sil.stream().filter(s -> "ACK".equals(s.kind())).forEach(s -> acked.add(s.incident()));
        return new Data(in, queries.attempts(null, 200), sil, firing, acked);
    }

    @Override
    protected void render(Data d) {
        shown = d;
        inbox.setItems(d.inbox());
        attempts.setItems(d.attempts());
        silences.setItems(d.silences());
        status.setText(d.inbox().size() + " message(s) in the inbox, " + d.firing().size() + " incident(s) firing"
                + (actions.available() ? "" : " · acknowledging needs Kafka (VIGIL_KAFKA_BOOTSTRAP)")
                + " · updated " + TIME.format(Instant.now()));
    }

    @Override
    protected void renderError(String message) {
        status.setText("Cannot read notifications: " + message);
    }
}
