-- Group administration (docs/PROTOCOL.md, "Administering a group"): admins beside the owner,
-- muted members (until a time; 9223372036854775807: until lifted), "mute all", a description,
-- the announcement (the seq of the event that set it: its text is that event's), and each
-- member's nickname in the group.
ALTER TABLE members DROP CONSTRAINT members_role_check;
ALTER TABLE members ADD CONSTRAINT members_role_check CHECK (role IN ('owner', 'admin', 'member'));
ALTER TABLE members ADD COLUMN muted_until BIGINT;
ALTER TABLE members ADD COLUMN nickname TEXT;

ALTER TABLE conversations ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN announcement_seq BIGINT;
ALTER TABLE conversations ADD COLUMN all_muted BOOLEAN NOT NULL DEFAULT false;
