-- Appending an event advances its conversation (and, for a client's message, the sender's read
-- position) in the same statement, as SQLite's migration 0002 does there.
CREATE FUNCTION tern_event_appended() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE conversations
       SET last_seq = NEW.seq,
           last_ts = NEW.ts,
           change_pos = pg_current_xact_id()::text::bigint
     WHERE id = NEW.conv_id;
    IF NEW.cmid IS NOT NULL THEN
        UPDATE members
           SET read_seq = NEW.seq,
               change_pos = pg_current_xact_id()::text::bigint
         WHERE conv_id = NEW.conv_id AND user_id = NEW.sender_id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER events_advance_conversation AFTER INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION tern_event_appended();
