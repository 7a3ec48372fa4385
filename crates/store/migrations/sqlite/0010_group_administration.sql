-- Group administration (docs/PROTOCOL.md, "Administering a group"): admins beside the owner,
-- muted members (until a time; 9223372036854775807: until lifted), "mute all", a description,
-- the announcement (the seq of the event that set it: its text is that event's), and each
-- member's nickname in the group.
--
-- SQLite cannot widen a CHECK in place: the role column is rebuilt under the same name.
ALTER TABLE members ADD COLUMN role_next TEXT NOT NULL DEFAULT 'member'
    CHECK (role_next IN ('owner', 'admin', 'member'));
UPDATE members SET role_next = role;
ALTER TABLE members DROP COLUMN role;
ALTER TABLE members RENAME COLUMN role_next TO role;

ALTER TABLE members ADD COLUMN muted_until INTEGER;
ALTER TABLE members ADD COLUMN nickname TEXT;

ALTER TABLE conversations ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN announcement_seq INTEGER;
ALTER TABLE conversations ADD COLUMN all_muted INTEGER NOT NULL DEFAULT 0;
