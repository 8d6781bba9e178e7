package io.vigil.launcher.cluster;

import io.vigil.launcher.embedded.KafkaTls;
import io.vigil.model.Topics;
import io.vigil.model.config.Settings;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Who may do what on Kafka: one user per kind of component, each allowed only what it needs. Collectors write the
 * telemetry topics; writers read what they store and write dead letters; the detection job reads telemetry and
 * writes alerts (in transactions) and dead letters; the notification job reads alerts, silences and job events and
 * writes its attempts; the dashboard writes operator actions (it reads everything it shows from PostgreSQL). The
 * same rules as the {@code KafkaUser}s of {@code deploy/kubernetes/} ({@code KubernetesManifestsTest}).
 */
public final class KafkaAccess {

    /** The kinds of Kafka client, each its own user. */
    public enum Role {
        COLLECTOR, WRITER, DETECTION, NOTIFICATIONS, DASHBOARD;

        public String user() {
            return "vigil-" + name().toLowerCase(Locale.ROOT);
        }
    }

    /** The user the launcher administers the cluster as (creates topics, users, ACLs): a super user. */
    public static final String ADMIN_USER = "vigil-admin";
    /** The user the nodes authenticate to each other as: a super user. */
    public static final String BROKER_USER = "vigil-kafka-broker";

    private KafkaAccess() {}

    /** What {@code role} may do, for topics named by {@code topics} and group and transaction ids from {@code s}. */
    public static List<AclBinding> acls(Role role, Topics topics, Settings s) {
        String user = "User:" + role.user();
        List<AclBinding> acls = new ArrayList<>();
        switch (role) {
            case COLLECTOR -> {
                for (String t : List.of(topics.gpu(), topics.power(), topics.cooling(), topics.jobs(), topics.steps())) {
                    acls.add(allow(user, ResourceType.TOPIC, t, PatternType.LITERAL, AclOperation.WRITE));
                }
            }
            case WRITER -> {
                for (String t : List.of(topics.gpu(), topics.power(), topics.cooling(), topics.jobs(), topics.alerts(),
                        topics.notifications(), topics.silences())) {
                    acls.add(allow(user, ResourceType.TOPIC, t, PatternType.LITERAL, AclOperation.READ));
                }
                acls.add(allow(user, ResourceType.TOPIC, topics.deadLetter(), PatternType.LITERAL, AclOperation.WRITE));
                acls.add(allow(user, ResourceType.GROUP, s.string("writer.group-id"), PatternType.LITERAL,
                        AclOperation.READ));
            }
            case DETECTION -> {
                for (String t : topics.detectionInputs()) {
                    acls.add(allow(user, ResourceType.TOPIC, t, PatternType.LITERAL, AclOperation.READ));
                }
                acls.add(allow(user, ResourceType.TOPIC, topics.alerts(), PatternType.LITERAL, AclOperation.WRITE));
                // The sink recovering its transactions after a restart asks which producers are active on the
                // alert partitions (DescribeProducers), which Kafka grants with Read on the topic.
                acls.add(allow(user, ResourceType.TOPIC, topics.alerts(), PatternType.LITERAL, AclOperation.READ));
                acls.add(allow(user, ResourceType.TOPIC, topics.deadLetter(), PatternType.LITERAL, AclOperation.WRITE));
                acls.add(allow(user, ResourceType.GROUP, s.string("detection.group-id"), PatternType.LITERAL,
                        AclOperation.READ));
                // The exactly-once alert sink's transactions, named from the prefix.
                String prefix = s.string("detection.transactional-id-prefix");
                acls.add(allow(user, ResourceType.TRANSACTIONAL_ID, prefix, PatternType.PREFIXED, AclOperation.WRITE));
                acls.add(allow(user, ResourceType.TRANSACTIONAL_ID, prefix, PatternType.PREFIXED,
                        AclOperation.DESCRIBE));
            }
            case NOTIFICATIONS -> {
                for (String t : List.of(topics.alerts(), topics.silences(), topics.jobs())) {
                    acls.add(allow(user, ResourceType.TOPIC, t, PatternType.LITERAL, AclOperation.READ));
                }
                acls.add(allow(user, ResourceType.TOPIC, topics.notifications(), PatternType.LITERAL,
                        AclOperation.WRITE));
                // Its alert group and the control group, <group>-control.
                acls.add(allow(user, ResourceType.GROUP, s.string("notify.group-id"), PatternType.PREFIXED,
                        AclOperation.READ));
            }
            case DASHBOARD -> acls.add(allow(user, ResourceType.TOPIC, topics.silences(), PatternType.LITERAL,
                    AclOperation.WRITE));
        }
        // Every topic a role reads or writes it may also describe (clients look up partitions first).
        List<AclBinding> describe = new ArrayList<>();
        for (AclBinding b : acls) {
            if (b.pattern().resourceType() == ResourceType.TOPIC) {
                describe.add(allow(user, ResourceType.TOPIC, b.pattern().name(), PatternType.LITERAL,
                        AclOperation.DESCRIBE));
            }
        }
        acls.addAll(describe);
        return acls;
    }

    /** Creates (or updates) every role's user with its password and grants its ACLs. Safe to repeat. */
    public static void provision(Admin admin, String mechanism, Map<Role, String> passwords, Topics topics,
                                 Settings s) throws Exception {
        ScramMechanism m = ScramMechanism.fromMechanismName(mechanism);
        List<org.apache.kafka.clients.admin.UserScramCredentialAlteration> users = new ArrayList<>();
        List<AclBinding> acls = new ArrayList<>();
        for (Role role : Role.values()) {
            users.add(new UserScramCredentialUpsertion(role.user(), new ScramCredentialInfo(m, 8192),
                    passwords.get(role)));
            acls.addAll(acls(role, topics, s));
        }
        admin.alterUserScramCredentials(users).all().get(30, TimeUnit.SECONDS);
        admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
    }

    /**
     * Every role's password and the admin's and broker's, from {@code file}; made (random) and saved there, readable
     * by its owner only, on the first start.
     */
    public static Map<String, String> passwords(Path file) throws IOException {
        Properties p = new Properties();
        if (Files.exists(file)) {
            try (Reader r = Files.newBufferedReader(file)) {
                p.load(r);
            }
        }
        boolean changed = false;
        List<String> users = new ArrayList<>(List.of(ADMIN_USER, BROKER_USER));
        for (Role r : Role.values()) users.add(r.user());
        for (String u : users) {
            if (p.getProperty(u) == null) {
                p.setProperty(u, KafkaTls.randomSecret());
                changed = true;
            }
        }
        if (changed) {
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (Writer w = Files.newBufferedWriter(file)) {
                p.store(w, "Kafka users' SCRAM passwords of ./vigil cluster (KafkaAccess)");
            }
        }
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (String u : users) out.put(u, p.getProperty(u));
        return out;
    }

    /** The roles' passwords out of {@link #passwords}. */
    public static Map<Role, String> rolePasswords(Map<String, String> passwords) {
        Map<Role, String> out = new EnumMap<>(Role.class);
        for (Role r : Role.values()) out.put(r, passwords.get(r.user()));
        return out;
    }

    private static AclBinding allow(String principal, ResourceType type, String name, PatternType pattern,
                                    AclOperation op) {
        return new AclBinding(new ResourcePattern(type, name, pattern),
                new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW));
    }
}
