package io.vigil.notify.routing;

import io.vigil.model.LabelMatcher;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A node of the routing tree, as in Alertmanager: an incident enters at the root and goes down into the first child
 * whose matchers all match, then on into that child's children; with {@code continue: true} a matching child does
 * not stop the search, so later siblings can match too. Where no child matches, the node itself takes the incident.
 * Timing and receiver are inherited from the parent unless a node sets them.
 *
 * @param groupWait      how long the first notification waits so the first consequences join the root's
 * @param groupInterval  the least time between two updates of a growing incident
 * @param repeatInterval how often a firing, unacknowledged incident is sent again
 * @param line           where the route is in the routing file, for messages
 */
public record Route(String receiver, List<LabelMatcher> matchers, boolean continueMatching, Duration groupWait,
                    Duration groupInterval, Duration repeatInterval, List<Route> routes, int line)
        implements Serializable {

    /** The routes that take an incident with these labels, in tree order; at least one (the root's fallback). */
    public List<Route> match(Map<String, String> labels) {
        List<Route> out = new java.util.ArrayList<>();
        collect(labels, out);
        return out;
    }

    private void collect(Map<String, String> labels, List<Route> out) {
        boolean childMatched = false;
        for (Route child : routes) {
            if (LabelMatcher.all(child.matchers, labels)) {
                child.collect(labels, out);
                childMatched = true;
                if (!child.continueMatching) break;
            }
        }
        if (!childMatched) out.add(this);
    }
}
