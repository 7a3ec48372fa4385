//! The embedded-migration rules shared by the backends: numbered SQL files compiled into the
//! binary, applied in order at start, each once, and checked against edits afterwards.

use crate::{StoreError, StoreResult};

/// Declares every migration pair once: version, number and name, from which both files
/// `migrations/sqlite/NNNN_name.sql` and `migrations/postgres/NNNN_name.sql` are embedded.
macro_rules! migrations {
    ($($version:literal $number:literal $name:literal,)*) => {
        /// Every SQLite migration, in order.
        pub const SQLITE: &[Migration] = &[$(Migration {
            version: $version,
            name: $name,
            sql: include_str!(concat!("../migrations/sqlite/", $number, "_", $name, ".sql")),
        }),*];
        /// Every PostgreSQL migration, in order: the same versions and names as SQLite's.
        pub const POSTGRES: &[Migration] = &[$(Migration {
            version: $version,
            name: $name,
            sql: include_str!(concat!("../migrations/postgres/", $number, "_", $name, ".sql")),
        }),*];
    };
}

// Never edit one that has shipped: add the next number.
migrations! {
    1 "0001" "core",
    2 "0002" "append_in_one_statement",
    3 "0003" "append_in_one_statement_postgres",
    4 "0004" "followers",
    5 "0005" "append_without_trigger",
    6 "0006" "message_actions",
    7 "0007" "member_preferences",
    8 "0008" "receipts_and_reaction_order",
    9 "0009" "files",
    10 "0010" "group_administration",
    11 "0011" "contacts_and_blocks",
}

/// One migration file: `NNNN_name.sql`.
#[derive(Clone, Copy, Debug)]
pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

impl Migration {
    /// A stable checksum of the SQL text (FNV-1a), so an edited applied migration is detected.
    pub fn checksum(&self) -> i64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in self.sql.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h as i64
    }
}

/// Which of `all` still need applying, given the (version, checksum) pairs a database records.
/// Refuses a database that has a migration this build does not know or whose text changed.
pub(crate) fn pending<'a>(
    all: &'a [Migration],
    applied: &[(i64, i64)],
) -> StoreResult<Vec<&'a Migration>> {
    for &(version, checksum) in applied {
        match all.iter().find(|m| m.version == version) {
            None => {
                return Err(StoreError::Internal(format!(
                    "database has migration {version}, unknown to this tern build; \
                     it was written by a newer version"
                )));
            }
            Some(m) if m.checksum() != checksum => {
                return Err(StoreError::Internal(format!(
                    "migration {version} ({}) differs from the one applied to this database",
                    m.name
                )));
            }
            Some(_) => {}
        }
    }
    Ok(all
        .iter()
        .filter(|m| !applied.iter().any(|(v, _)| *v == m.version))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_dialects_carry_the_same_migrations() {
        let names = |ms: &[Migration]| -> Vec<(i64, &str)> {
            ms.iter().map(|m| (m.version, m.name)).collect()
        };
        assert_eq!(
            names(crate::sqlite::MIGRATIONS),
            names(crate::postgres::MIGRATIONS)
        );
        for (i, m) in crate::sqlite::MIGRATIONS.iter().enumerate() {
            assert_eq!(
                m.version,
                i as i64 + 1,
                "versions are 1, 2, 3, ... in order"
            );
        }
    }

    #[test]
    fn edited_or_unknown_migrations_are_refused() {
        let all = [Migration {
            version: 1,
            name: "a",
            sql: "SELECT 1",
        }];
        assert_eq!(pending(&all, &[]).unwrap().len(), 1);
        assert!(pending(&all, &[(1, all[0].checksum())]).unwrap().is_empty());
        assert!(pending(&all, &[(1, 42)]).is_err());
        assert!(pending(&all, &[(2, 0)]).is_err());
    }
}
