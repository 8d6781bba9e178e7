-- The dashboard's audit log: sign-ins (and failed ones), sign-outs, operator actions and refused attempts at them.
-- Written by the dashboard; kept until an administrator deletes rows (retention does not touch it).
CREATE TABLE audit_event (
    id          bigserial   PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor       text        NOT NULL,
    action      text        NOT NULL,
    target      text,
    outcome     text        NOT NULL,
    remote_addr text,
    detail      text
);
CREATE INDEX audit_event_at_idx ON audit_event (at DESC);
CREATE INDEX audit_event_actor_idx ON audit_event (actor, at DESC);
