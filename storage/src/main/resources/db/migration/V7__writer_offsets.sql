-- The writer's Kafka offsets, committed in the same transaction as the rows they produced: the database, not
-- Kafka, says where each partition resumes, so a crash between the two can neither repeat nor lose a row.
CREATE TABLE writer_offset (
    group_id    text        NOT NULL,
    topic       text        NOT NULL,
    partition   integer     NOT NULL,
    next_offset bigint      NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, topic, partition)
);
