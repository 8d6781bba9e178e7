package io.vigil.dashboard.notifications.ui;

import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.combobox.ComboBox;
import com.vaadin.flow.component.orderedlayout.FlexComponent.Alignment;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.grid.GridVariant;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.H3;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.notification.Notification;
import com.vaadin.flow.component.textfield.TextField;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import io.vigil.dashboard.security.Role;
import jakarta.annotation.security.RolesAllowed;
import io.vigil.dashboard.layout.LiveView;
import io.vigil.dashboard.layout.MainLayout;
import io.vigil.dashboard.notifications.NotificationsApi;
import io.vigil.dashboard.notifications.OperatorActions;
import io.vigil.model.LabelMatcher;
import io.vigil.model.Silence;
import io.vigil.storage.query.NotificationQueries;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Map;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What on-call was told: on-call health of the last week, the demo inbox (one row per page, update or resolution the
 * built-in receiver got) with an Acknowledge button on incidents still firing, the delivery attempts to every
 * receiver, and the silences in force, which can be created and ended here.
 */
@Route(value = "notifications", layout = MainLayout.class)
@PageTitle("Notifications · Vigil")
@RolesAllowed(Role.VIEWER_NAME)
public class NotificationsView extends LiveView<NotificationsView.Data> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    record Data(List<NotificationQueries.InboxMessage> inbox, List<NotificationQueries.Attempt> attempts,
                List<NotificationQueries.SilenceRow> silences, Set<String> firing, Set<String> acknowledged,
                Map<String, Object> health) {}

    private final NotificationQueries queries;
    private final OperatorActions actions;
    private final Grid<NotificationQueries.InboxMessage> inbox = new Grid<>();
    private final Grid<NotificationQueries.Attempt> attempts = new Grid<>();
    private final Grid<NotificationQueries.SilenceRow> silences = new Grid<>();
    private final Span status = new Span();
    private final Span health = new Span();
    private final TextField matchers = new TextField("Silence matchers");
    private final ComboBox<String> kind = new ComboBox<>("Kind");
    private final ComboBox<String> duration = new ComboBox<>("For");
    private final TextField comment = new TextField("Comment");
    private volatile Data shown;

    public NotificationsView(NotificationQueries queries, OperatorActions actions, ScheduledExecutorService liveUpdates) {
        super(liveUpdates, Duration.ofSeconds(2));
        this.queries = queries;
        this.actions = actions;
        setSizeFull();

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
            ack.setEnabled(actions.available() && OperatorActions.allowed());
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
        silences.addComponentColumn(s -> {
            if ("ACK".equals(s.kind()) || !s.active()) return new Span();
            Button end = new Button("End now", e -> expire(s));
            end.addThemeVariants(ButtonVariant.LUMO_SMALL, ButtonVariant.LUMO_ERROR);
            end.setEnabled(actions.available() && OperatorActions.allowed());
            return end;
        }).setHeader("").setAutoWidth(true).setFlexGrow(0);
        silences.setHeight("20%");

        matchers.setPlaceholder("rack=\"B01\", type=~\"COOLING|POWER\"");
        matchers.setWidth("24em");
        matchers.setId("silence-matchers");
        kind.setItems("silence", "maintenance");
        kind.setValue("silence");
        duration.setItems("30m", "1h", "2h", "4h", "1d");
        duration.setValue("2h");
        Button create = new Button("Create", e -> createSilence());
        create.setEnabled(actions.available() && OperatorActions.allowed());
        HorizontalLayout form = new HorizontalLayout(matchers, kind, duration, comment, create);
        form.setDefaultVerticalComponentAlignment(Alignment.BASELINE);

        add(new H2("Notifications"), status, health, new H3("Inbox (the demo's built-in receiver)"), inbox,
                new H3("Delivery attempts, every receiver"), attempts, new H3("Silences, maintenance, acknowledgements"),
                form, silences);
    }

    private void acknowledge(String incident) {
        try {
            actions.acknowledge(incident, null);
            Notification.show("Acknowledged " + incident + ": its repeats stop");
        } catch (Exception e) {
            Notification.show("Could not acknowledge: " + e.getMessage());
        }
    }

    private void createSilence() {
        try {
            List<LabelMatcher> parsed = new ArrayList<>();
            for (String part : matchers.getValue().split(",(?=\\s*[A-Za-z_][A-Za-z0-9_]*\\s*(=|!=|=~|!~))")) {
                if (!part.isBlank()) parsed.add(LabelMatcher.parse(part));
            }
            if (parsed.isEmpty()) throw new IllegalArgumentException("give at least one matcher, e.g. rack=\"B01\"");
            Instant now = Instant.now();
            Silence s = actions.silence("maintenance".equals(kind.getValue()) ? Silence.Kind.MAINTENANCE
                            : Silence.Kind.SILENCE, parsed, now, now.plus(NotificationsApi.duration(duration.getValue())),
                    comment.getValue().isBlank() ? null : comment.getValue());
            Notification.show("Created " + s.kind().name().toLowerCase() + " " + s.id());
            matchers.clear();
            comment.clear();
        } catch (Exception e) {
            Notification.show("Could not create it: " + e.getMessage());
        }
    }

    private void expire(NotificationQueries.SilenceRow row) {
        try {
            actions.expire(row);
            Notification.show("Ended " + row.id());
        } catch (Exception e) {
            Notification.show("Could not end it: " + e.getMessage());
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
        return new Data(in, queries.attempts(null, 200), sil, firing, acked, queries.health(7));
    }

    @Override
    protected void render(Data d) {
        shown = d;
        inbox.setItems(d.inbox());
        attempts.setItems(d.attempts());
        silences.setItems(d.silences());
        health.setText(healthLine(d.health()));
        status.setText(d.inbox().size() + " message(s) in the inbox, " + d.firing().size() + " incident(s) firing"
                + (actions.available() ? "" : " · acknowledging needs Kafka (VIGIL_KAFKA_BOOTSTRAP)")
                + " · updated " + TIME.format(Instant.now()));
    }

    /** On-call health of the last 7 days in one line: pages, noisiest type, time to acknowledge and resolve. */
    @SuppressWarnings("unchecked")
    static String healthLine(Map<String, Object> h) {
        long pages = ((List<Map<String, Object>>) h.get("pagesPerDay")).stream()
                .mapToLong(r -> ((Number) r.get("pages")).longValue()).sum();
        List<Map<String, Object>> noisy = (List<Map<String, Object>>) h.get("noisiestTypes");
        Map<String, Object> tta = (Map<String, Object>) h.get("timeToAcknowledgeSeconds");
        Map<String, Object> ttr = (Map<String, Object>) h.get("timeToResolveSeconds");
        return "On-call, last 7 days: " + pages + " page(s)"
                + (noisy.isEmpty() ? "" : ", most from " + noisy.get(0).get("type") + " (" + noisy.get(0).get("pages") + ")")
                + " · time to acknowledge p50 " + seconds(tta.get("p50")) + " · time to resolve p50 "
                + seconds(ttr.get("p50"));
    }

    private static String seconds(Object v) {
        return v == null ? "–" : Math.round(((Number) v).doubleValue()) + " s";
    }

    @Override
    protected void renderError(String message) {
        status.setText("Cannot read notifications: " + message);
    }
}
