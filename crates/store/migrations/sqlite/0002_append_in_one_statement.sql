-- Appending an event advances its conversation (and, for a client's message, the sender's read
-- position) in the same statement, so that a message costs one statement instead of five.
CREATE TRIGGER events_advance_conversation AFTER INSERT ON events
BEGIN
    UPDATE conversations
       SET last_seq = NEW.seq,
           last_ts = NEW.ts,
           change_pos = (SELECT value FROM counters WHERE name = 'change_pos')
     WHERE id = NEW.conv_id;
    UPDATE members
       SET read_seq = NEW.seq,
           change_pos = (SELECT value FROM counters WHERE name = 'change_pos')
     WHERE NEW.cmid IS NOT NULL AND conv_id = NEW.conv_id AND user_id = NEW.sender_id;
END;
