-- The append statements now advance the conversation and the sender's read position themselves
-- (write/apply.rs), so the plpgsql trigger of migration 0003 goes: it ran two more statements
-- through the plpgsql interpreter for every event.
DROP TRIGGER events_advance_conversation ON events;
DROP FUNCTION tern_event_appended();
-- The foreign keys of events and members go too. The writes already require what they checked
-- (an event needs its conversation and its sender's membership, a member row is added only for
-- users looked up in the same transaction; neither conversations nor users are ever deleted),
-- and PostgreSQL re-ran the check on every update of a row changed earlier in the same
-- transaction: a member's read position moves with each message of a batch. Together they
-- cost a tenth of PostgreSQL's time per message (docs/benchmarks.md).
ALTER TABLE events
    DROP CONSTRAINT IF EXISTS events_conv_id_fkey,
    DROP CONSTRAINT IF EXISTS events_sender_id_fkey;
ALTER TABLE members
    DROP CONSTRAINT IF EXISTS members_conv_id_fkey,
    DROP CONSTRAINT IF EXISTS members_user_id_fkey;
