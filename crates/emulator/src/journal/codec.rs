//! The log's line format and its replay.
//!
//! One line per mutation: `{len:x} {crc32:08x} {json}\n`, where `json` is the array of the mutation's
//! [`Record`]s, `len` its byte length and `crc32` its CRC-32.

use std::fmt;

use crate::store::{Record, Store};

/// Encodes one mutation as a log line. A line that would not decode again (a value JSON cannot
/// carry back) is refused here, so nothing acknowledged can make the log unreadable.
///
/// # Errors
/// The records cannot be serialized, or their JSON does not read back as records.
pub fn encode(records: &[Record]) -> Result<Vec<u8>, String> {
    let json = serde_json::to_vec(records).map_err(|e| format!("cannot encode: {e}"))?;
    serde_json::from_slice::<Vec<Record>>(&json)
        .map_err(|e| format!("the encoded change does not read back: {e}"))?;
    let mut line = format!("{:x} {:08x} ", json.len(), crc32fast::hash(&json)).into_bytes();
    line.extend_from_slice(&json);
    line.push(b'\n');
    Ok(line)
}

/// Decodes one line (without its `\n`).
fn decode(line: &[u8]) -> Result<Vec<Record>, String> {
    let text = std::str::from_utf8(line).map_err(|_| "not UTF-8".to_owned())?;
    let mut parts = text.splitn(3, ' ');
    let (Some(len), Some(crc), Some(json)) = (parts.next(), parts.next(), parts.next()) else {
        return Err("malformed header".into());
    };
    let len = usize::from_str_radix(len, 16).map_err(|_| "bad length field")?;
    let crc = u32::from_str_radix(crc, 16).map_err(|_| "bad checksum field")?;
    if json.len() != len {
        return Err(format!(
            "length {} does not match the header's {len}",
            json.len()
        ));
    }
    if crc32fast::hash(json.as_bytes()) != crc {
        return Err("checksum mismatch".into());
    }
    serde_json::from_str(json).map_err(|e| format!("bad record: {e}"))
}

/// A line of the log that cannot be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unreadable {
    /// Byte offset of the line's first byte.
    pub offset: usize,
    /// 1-based line number.
    pub line: usize,
    /// Its length in bytes (without the `\n`).
    pub len: usize,
    /// Why it cannot be read.
    pub why: String,
}

impl fmt::Display for Unreadable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "byte offset {} (line {}, {} bytes): {}",
            self.offset, self.line, self.len, self.why
        )
    }
}

/// What a replay read.
#[derive(Debug, Default)]
pub struct Replay {
    /// The state the readable records build.
    pub store: Store,
    /// How many mutations were applied.
    pub applied: usize,
    /// A last record without its line end: a write cut short by a crash. It was never acknowledged
    /// (a response waits for the whole line and its fsync), so it is dropped.
    pub torn_tail: Option<Unreadable>,
    /// Complete lines that could not be read (only with `repair`; otherwise the first one is the error).
    pub dropped: Vec<Unreadable>,
}

/// Replays a log's bytes. Never panics.
///
/// A last line without its `\n` is a torn write and is dropped ([`Replay::torn_tail`]). Any other
/// line that cannot be read is an error unless `repair` is set, in which case it is skipped and
/// listed in [`Replay::dropped`].
///
/// # Errors
/// The first unreadable complete line, when `repair` is off.
pub fn replay(bytes: &[u8], repair: bool) -> Result<Replay, Unreadable> {
    let mut out = Replay::default();
    let mut offset = 0;
    let mut line_no = 0;
    while offset < bytes.len() {
        line_no += 1;
        let rest = &bytes[offset..];
        let (line, complete) = match rest.iter().position(|&b| b == b'\n') {
            Some(i) => (&rest[..i], true),
            None => (rest, false),
        };
        let unreadable = |why: String| Unreadable {
            offset,
            line: line_no,
            len: line.len(),
            why,
        };
        if !complete {
            out.torn_tail = Some(unreadable("incomplete (no line end)".into()));
            break;
        }
        match decode(line) {
            Ok(records) => {
                records.into_iter().for_each(|r| out.store.apply(r));
                out.applied += 1;
            }
            Err(why) if repair => out.dropped.push(unreadable(why)),
            Err(why) => return Err(unreadable(why)),
        }
        offset += line.len() + 1;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use stagecraft_core::api::RestApi;

    fn put(id: &str) -> Record {
        Record::PutApi {
            seq: 1,
            api: RestApi {
                id: id.into(),
                name: id.into(),
                ..RestApi::default()
            },
        }
    }

    fn line(id: &str) -> Vec<u8> {
        encode(&[put(id)]).unwrap()
    }

    fn ids(store: &Store) -> Vec<&str> {
        store.apis.keys().map(String::as_str).collect()
    }

    #[test]
    fn round_trips_and_drops_torn_tail() {
        let mut log = line("a");
        log.extend(line("b"));
        let torn = line("c");
        let at = log.len();
        log.extend_from_slice(&torn[..torn.len() / 2]);
        let r = replay(&log, false).unwrap();
        assert_eq!(ids(&r.store), ["a", "b"]);
        assert_eq!(r.applied, 2);
        let tail = r.torn_tail.unwrap();
        assert_eq!((tail.offset, tail.line), (at, 3));
    }

    #[test]
    fn a_complete_but_unreadable_last_line_is_corruption_not_a_torn_write() {
        let mut log = line("a");
        let mut bad = line("b");
        let n = bad.len();
        bad[n - 3] ^= 0x01;
        log.extend(bad);
        let err = replay(&log, false).unwrap_err();
        assert_eq!(err.offset, line("a").len());
        assert_eq!(err.why, "checksum mismatch");
    }

    #[test]
    fn refuses_a_corrupt_middle_record_and_names_its_offset() {
        let mut log = line("a");
        let at = log.len();
        let mut bad = line("b");
        let n = bad.len();
        bad[n - 5] ^= 0x20;
        log.extend(bad);
        log.extend(line("c"));
        let err = replay(&log, false).unwrap_err();
        assert_eq!((err.offset, err.line), (at, 2));
        assert!(
            err.to_string()
                .starts_with(&format!("byte offset {at} (line 2"))
        );
    }

    #[test]
    fn repair_keeps_what_is_readable() {
        let mut log = line("a");
        log.extend(b"garbage\n");
        log.extend(line("c"));
        let r = replay(&log, true).unwrap();
        assert_eq!(ids(&r.store), ["a", "c"]);
        assert_eq!(r.dropped.len(), 1);
        assert_eq!(r.dropped[0].why, "malformed header");
    }

    #[test]
    fn header_faults_are_named() {
        for (bytes, why) in [
            (&b"zz 00000000 []\n"[..], "bad length field"),
            (b"2 zzzzzzzz []\n", "bad checksum field"),
            (b"5 00000000 []\n", "length 2 does not match the header's 5"),
            (b"\xff\xfe\n", "not UTF-8"),
        ] {
            assert_eq!(replay(bytes, false).unwrap_err().why, why);
        }
    }

    #[test]
    fn a_value_that_would_not_read_back_is_refused() {
        let mut stage = stagecraft_core::Stage {
            stage_name: Some("s".into()),
            ..stagecraft_core::Stage::default()
        };
        stage.canary_settings = Some(stagecraft_core::CanarySettings {
            percent_traffic: f64::NAN,
            ..stagecraft_core::CanarySettings::default()
        });
        let record = Record::PutStage {
            api: "a".into(),
            stage: Box::new(stage),
        };
        assert!(encode(&[record]).is_err());
    }
}
