package io.vigil.notify.routing;

import io.vigil.model.LabelMatcher;
import io.vigil.model.config.Settings;
import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * The notification routing file, read once and checked whole at start: a route tree in the style of Alertmanager's
 * ({@code route:}), the receivers by name ({@code receivers:}) and runbook links per alert type ({@code runbooks:}).
 * Every problem is reported with its line; unknown keys are errors, so a typo cannot silently route nowhere.
 * An example covering teams and facilities is {@code docs/notify-routing.example.yml}.
 */
public record RoutingConfig(Route root, Map<String, List<ReceiverSpec>> receivers, Map<String, String> runbooks)
        implements Serializable {

    public static final Duration DEFAULT_GROUP_WAIT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_GROUP_INTERVAL = Duration.ofMinutes(1);
    public static final Duration DEFAULT_REPEAT_INTERVAL = Duration.ofHours(4);
    public static final Duration DEFAULT_ALERTMANAGER_RESEND = Duration.ofMinutes(1);
    public static final String PAGERDUTY_EVENTS_URL = "https://events.pagerduty.com/v2/enqueue";

    /** Every delivery target, in file order. */
    public List<ReceiverSpec> targets() {
        return receivers.values().stream().flatMap(List::stream).toList();
    }

    /** A problem in the routing file, with the file and line it is on. */
    public static final class RoutingException extends RuntimeException {
        public RoutingException(String message) {
            super(message);
        }
    }

    public static RoutingConfig load(Path file) {
        try (Reader r = Files.newBufferedReader(file)) {
            return parse(r, file.toString());
        } catch (IOException e) {
            throw new RoutingException("cannot read routing file " + file + ": " + e.getMessage());
        }
    }

    public static RoutingConfig parse(String yaml, String name) {
        return parse(new StringReader(yaml), name);
    }

    static RoutingConfig parse(Reader reader, String name) {
        Node top;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            top = new Yaml(options).compose(reader);
        } catch (MarkedYAMLException e) {
            throw new RoutingException(name + ":" + (e.getProblemMark().getLine() + 1) + ": " + e.getProblem());
        } catch (RuntimeException e) {
            throw new RoutingException(name + ": " + e.getMessage());
        }
        return new Parser(name).config(top);
    }

    private static final class Parser {
        private final String file;

        Parser(String file) {
            this.file = file;
        }

        RoutingConfig config(Node top) {
            if (top == null) throw error(null, "the routing file is empty; it needs 'route:' and 'receivers:'");
            Map<String, Node> map = mapping(top, "the file", Set.of("route", "receivers", "runbooks"));
            Node receiversNode = require(map, "receivers", top);
            Map<String, List<ReceiverSpec>> receivers = new LinkedHashMap<>();
            for (Node r : sequence(receiversNode, "receivers")) {
                String receiverName = receiver(r, receivers);
                if (receivers.get(receiverName).isEmpty()) {
                    throw error(r, "receiver '" + receiverName + "' has no configuration (alertmanager_configs, "
                            + "pagerduty_configs, slack_configs or webhook_configs)");
                }
            }
            Route root = route(require(map, "route", top), null, receivers, true);
            Map<String, String> runbooks = new LinkedHashMap<>();
            if (map.containsKey("runbooks")) {
                for (NodeTuple t : ((MappingNode) expect(map.get("runbooks"), MappingNode.class, "runbooks")).getValue()) {
                    String type = scalar(t.getKeyNode(), "runbook type").toUpperCase(Locale.ROOT);
                    runbooks.put(type, url(t.getValueNode(), "runbook for " + type));
                }
            }
            return new RoutingConfig(root, receivers, runbooks);
        }

        private Route route(Node node, Route parent, Map<String, List<ReceiverSpec>> receivers, boolean isRoot) {
            Map<String, Node> m = mapping(node, "a route", Set.of("receiver", "matchers", "continue", "group_wait",
                    "group_interval", "repeat_interval", "routes"));
            String receiver = m.containsKey("receiver") ? scalar(m.get("receiver"), "receiver")
                    : parent == null ? null : parent.receiver();
            if (receiver == null) throw error(node, "the root route needs a 'receiver' (the default one)");
            if (!receivers.containsKey(receiver)) {
                throw error(m.getOrDefault("receiver", node), "receiver '" + receiver + "' is not defined under "
                        + "'receivers' (defined: " + String.join(", ", receivers.keySet()) + ")");
            }
            List<LabelMatcher> matchers = new ArrayList<>();
            if (m.containsKey("matchers")) {
                if (isRoot) throw error(m.get("matchers"), "the root route matches everything; it takes no matchers");
                for (Node mn : sequence(m.get("matchers"), "matchers")) {
                    try {
                        matchers.add(LabelMatcher.parse(scalar(mn, "matcher")));
                    } catch (IllegalArgumentException e) {
                        throw error(mn, e.getMessage());
                    }
                }
            }
            boolean cont = m.containsKey("continue") && bool(m.get("continue"), "continue");
            Duration wait = duration(m, "group_wait", parent == null ? DEFAULT_GROUP_WAIT : parent.groupWait());
            Duration interval = duration(m, "group_interval",
                    parent == null ? DEFAULT_GROUP_INTERVAL : parent.groupInterval());
            Duration repeat = duration(m, "repeat_interval",
                    parent == null ? DEFAULT_REPEAT_INTERVAL : parent.repeatInterval());
            if (repeat.compareTo(Duration.ofSeconds(1)) < 0) {
                throw error(m.get("repeat_interval"), "repeat_interval must be at least 1s");
            }
            int line = node.getStartMark().getLine() + 1;
            Route self = new Route(receiver, matchers, cont, wait, interval, repeat, List.of(), line);
            List<Route> children = new ArrayList<>();
            if (m.containsKey("routes")) {
                for (Node child : sequence(m.get("routes"), "routes")) {
                    children.add(route(child, self, receivers, false));
                }
            }
            return new Route(receiver, List.copyOf(matchers), cont, wait, interval, repeat, List.copyOf(children), line);
        }

        private String receiver(Node node, Map<String, List<ReceiverSpec>> receivers) {
            Map<String, Node> m = mapping(node, "a receiver", Set.of("name", "alertmanager_configs",
                    "pagerduty_configs", "slack_configs", "webhook_configs"));
            String name = scalar(require(m, "name", node), "name");
            if (!name.matches("[A-Za-z0-9_.-]+")) {
                throw error(m.get("name"), "receiver names may hold letters, digits, '.', '_' and '-': '" + name + "'");
            }
            if (receivers.containsKey(name)) throw error(m.get("name"), "receiver '" + name + "' is defined twice");
            List<ReceiverSpec> specs = new ArrayList<>();
            receivers.put(name, specs);
            int i = 0;
            for (Node c : list(m, "alertmanager_configs")) {
                Map<String, Node> cm = mapping(c, "an alertmanager config", Set.of("urls", "resend_interval",
                        "http_config"));
                List<String> urls = new ArrayList<>();
                for (Node u : sequence(require(cm, "urls", c), "urls")) urls.add(url(u, "alertmanager url"));
                if (urls.isEmpty()) throw error(c, "an alertmanager config lists at least one URL");
                Duration resend = duration(cm, "resend_interval", DEFAULT_ALERTMANAGER_RESEND);
                specs.add(new ReceiverSpec.Alertmanager(name, "alertmanager[" + i++ + "]", List.copyOf(urls), resend,
                        httpConfig(cm)));
            }
            i = 0;
            for (Node c : list(m, "pagerduty_configs")) {
                Map<String, Node> cm = mapping(c, "a pagerduty config",
                        Set.of("routing_key", "routing_key_file", "routing_key_env", "url"));
                SecretRef key = secret(cm, "routing_key", c, true);
                String url = cm.containsKey("url") ? url(cm.get("url"), "url") : PAGERDUTY_EVENTS_URL;
                specs.add(new ReceiverSpec.PagerDuty(name, "pagerduty[" + i++ + "]", key, url));
            }
            i = 0;
            for (Node c : list(m, "slack_configs")) {
                Map<String, Node> cm = mapping(c, "a slack config",
                        Set.of("webhook_url", "webhook_url_file", "webhook_url_env", "channel"));
                SecretRef hook = secret(cm, "webhook_url", c, true);
                if (hook.inline() != null) url(cm.get("webhook_url"), "webhook_url");
                String channel = cm.containsKey("channel") ? scalar(cm.get("channel"), "channel") : null;
                specs.add(new ReceiverSpec.Slack(name, "slack[" + i++ + "]", hook, channel));
            }
            i = 0;
            for (Node c : list(m, "webhook_configs")) {
                Map<String, Node> cm = mapping(c, "a webhook config", Set.of("url", "secret", "secret_file", "secret_env",
                        "http_config"));
                String url = url(require(cm, "url", c), "url");
                specs.add(new ReceiverSpec.Webhook(name, "webhook[" + i++ + "]", url, secret(cm, "secret", c, false),
                        httpConfig(cm)));
            }
            return name;
        }

        /**
         * Alertmanager's {@code http_config}: {@code basic_auth} or {@code authorization}, not both, and
         * {@code tls_config: {ca_file: ...}}.
         */
        private ReceiverSpec.HttpConfig httpConfig(Map<String, Node> cm) {
            if (!cm.containsKey("http_config")) return ReceiverSpec.HttpConfig.none();
            Node hc = cm.get("http_config");
            Map<String, Node> h = mapping(hc, "http_config", Set.of("basic_auth", "authorization", "tls_config"));
            if (h.containsKey("basic_auth") && h.containsKey("authorization")) {
                throw error(hc, "http_config takes basic_auth or authorization, not both");
            }
            String caFile = null;
            if (h.containsKey("tls_config")) {
                Node t = h.get("tls_config");
                Map<String, Node> tm = mapping(t, "tls_config", Set.of("ca_file"));
                caFile = scalar(require(tm, "ca_file", t), "ca_file");
            }
            if (h.containsKey("basic_auth")) {
                Node b = h.get("basic_auth");
                Map<String, Node> bm = mapping(b, "basic_auth", Set.of("username", "password", "password_file",
                        "password_env"));
                return new ReceiverSpec.HttpConfig(scalar(require(bm, "username", b), "username"),
                        secret(bm, "password", b, true), null, SecretRef.none(), caFile);
            }
            if (h.containsKey("authorization")) {
                Node a = h.get("authorization");
                Map<String, Node> am = mapping(a, "authorization", Set.of("type", "credentials", "credentials_file",
                        "credentials_env"));
                String type = am.containsKey("type") ? scalar(am.get("type"), "type") : "Bearer";
                return new ReceiverSpec.HttpConfig(null, SecretRef.none(), type, secret(am, "credentials", a, true),
                        caFile);
            }
            return new ReceiverSpec.HttpConfig(null, SecretRef.none(), null, SecretRef.none(), caFile);
        }

        private SecretRef secret(Map<String, Node> m, String key, Node owner, boolean required) {
            String inline = m.containsKey(key) ? scalar(m.get(key), key) : null;
            String fileRef = m.containsKey(key + "_file") ? scalar(m.get(key + "_file"), key + "_file") : null;
            String env = m.containsKey(key + "_env") ? scalar(m.get(key + "_env"), key + "_env") : null;
            int set = (inline != null ? 1 : 0) + (fileRef != null ? 1 : 0) + (env != null ? 1 : 0);
            if (set > 1) throw error(owner, "give one of " + key + ", " + key + "_file or " + key + "_env, not several");
            if (set == 0 && required) throw error(owner, "needs " + key + " (or " + key + "_file, " + key + "_env)");
            return new SecretRef(inline, fileRef, env);
        }

        private List<Node> list(Map<String, Node> m, String key) {
            return m.containsKey(key) ? sequence(m.get(key), key) : List.of();
        }

        private Duration duration(Map<String, Node> m, String key, Duration fallback) {
            if (!m.containsKey(key)) return fallback;
            String v = scalar(m.get(key), key).trim();
            try {
                return Settings.parseDuration(v);
            } catch (IllegalArgumentException e) {
                throw error(m.get(key), key + " must be a duration such as 30s, 5m, 4h or 1d, was '" + v + "'");
            }
        }

        private String url(Node node, String what) {
            String v = scalar(node, what);
            if (!v.startsWith("http://") && !v.startsWith("https://")) {
                throw error(node, what + " must be an http:// or https:// URL");
            }
            try {
                java.net.URI.create(v);
            } catch (IllegalArgumentException e) {
                throw error(node, what + " is not a URL: " + e.getMessage());
            }
            return v;
        }

        private boolean bool(Node node, String what) {
            String v = scalar(node, what);
            if (v.equals("true")) return true;
            if (v.equals("false")) return false;
            throw error(node, what + " must be true or false, was '" + v + "'");
        }

        private Map<String, Node> mapping(Node node, String what, Set<String> allowed) {
            MappingNode mn = expect(node, MappingNode.class, what);
            Map<String, Node> out = new LinkedHashMap<>();
            for (NodeTuple t : mn.getValue()) {
                String key = scalar(t.getKeyNode(), "key");
                if (!allowed.contains(key)) {
                    throw error(t.getKeyNode(), "unknown key '" + key + "' in " + what + " (allowed: "
                            + String.join(", ", new LinkedHashSet<>(allowed.stream().sorted().toList())) + ")");
                }
                out.put(key, t.getValueNode());
            }
            return out;
        }

        private List<Node> sequence(Node node, String what) {
            return expect(node, SequenceNode.class, what).getValue();
        }

        private String scalar(Node node, String what) {
            String v = expect(node, ScalarNode.class, what).getValue();
            if (v == null || v.isBlank()) throw error(node, what + " is empty");
            return v;
        }

        private Node require(Map<String, Node> m, String key, Node owner) {
            Node n = m.get(key);
            if (n == null) throw error(owner, "'" + key + "' is required here");
            return n;
        }

        @SuppressWarnings("unchecked")
        private <T extends Node> T expect(Node node, Class<T> type, String what) {
            if (!type.isInstance(node)) {
                String want = type == MappingNode.class ? "a mapping (key: value)"
                        : type == SequenceNode.class ? "a list (- item)" : "a single value";
                throw error(node, what + " must be " + want);
            }
            return (T) node;
        }

        private RoutingException error(Node at, String message) {
            String where = at == null ? file : file + ":" + (at.getStartMark().getLine() + 1);
            return new RoutingException(where + ": " + message);
        }
    }
}
