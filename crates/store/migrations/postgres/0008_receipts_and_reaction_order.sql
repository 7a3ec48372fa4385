-- Read receipts ("seen by", docs/PROTOCOL.md, the `receipts` frame): whether a user lets the
-- other members see how far they have read (and so sees theirs). The default is yes.
ALTER TABLE users ADD COLUMN share_receipts BOOLEAN NOT NULL DEFAULT TRUE;

-- The seq of the change that added each reaction: reactions are listed in the order they were
-- added, which timestamps cannot tell apart within one millisecond. NULL for older rows.
ALTER TABLE reactions ADD COLUMN added_seq BIGINT;
