-- On-call: who was told what about which incident, operators' silences and acknowledgements, and the demo's inbox.

-- Job ownership for routing: the scheduler account and the Kubernetes namespace, beside the team.
ALTER TABLE job_event ADD COLUMN account text, ADD COLUMN namespace text;

-- Every delivery attempt, from topic vigil.notifications. The topic is written at-least-once; a repeated record
-- has the same notification, attempt number and time, and is dropped here.
CREATE TABLE notification_attempt (
    notification_id    text        NOT NULL,
    attempt            integer     NOT NULL,
    at                 timestamptz NOT NULL,
    receiver           text        NOT NULL,
    receiver_type      text        NOT NULL,
    target             text,
    incident           text        NOT NULL,
    incident_starts_at timestamptz,
    action             text        NOT NULL,
    outcome            text        NOT NULL,
    latency_ms         bigint      NOT NULL,
    http_status        integer,
    error              text,
    type               text,
    severity           text,
    team               text,
    summary            text,
    PRIMARY KEY (notification_id, attempt, at)
);
CREATE INDEX notification_attempt_incident_idx ON notification_attempt (incident, at);
CREATE INDEX notification_attempt_at_idx ON notification_attempt (at DESC);

-- Silences, maintenance windows and acknowledgements, from the compacted topic vigil.silences: the newest record
-- per id holds.
CREATE TABLE silence (
    id         text        PRIMARY KEY,
    kind       text        NOT NULL,
    matchers   jsonb       NOT NULL,
    incident   text,
    starts_at  timestamptz NOT NULL,
    ends_at    timestamptz,
    created_by text,
    comment    text,
    updated_at timestamptz NOT NULL
);
CREATE INDEX silence_incident_idx ON silence (incident) WHERE kind = 'ACK';

-- The demo's built-in receiver: webhooks the dashboard received. One row per notification; a notification
-- delivered again (a retry after a lost answer, a restart) counts up `deliveries` instead of adding a row.
CREATE TABLE inbox_message (
    notification_id text        PRIMARY KEY,
    received_at     timestamptz NOT NULL DEFAULT now(),
    action          text        NOT NULL,
    status          text        NOT NULL,
    incident        text        NOT NULL,
    receiver        text,
    summary         text,
    body            jsonb       NOT NULL,
    deliveries      integer     NOT NULL DEFAULT 1
);
CREATE INDEX inbox_message_received_idx ON inbox_message (received_at DESC);
