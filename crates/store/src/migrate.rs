//! A small embedded-migration runner shared by the backends: numbered SQL files compiled into
//! the binary, applied in order at start, each once, each checked against edits afterwards.

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
