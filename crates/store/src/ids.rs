//! Ids of stored objects: a prefix (`src_`, `dst_`, `con_`, `dlv_`, `att_`, `iss_`) and a
//! lowercase ULID, monotonic within the process so that ids made in a row sort in that
//! order (listings read oldest first by id).

use std::sync::Mutex;

/// A fresh id with `prefix`.
pub fn new_id(prefix: &str) -> String {
    static IDS: Mutex<ulid::Generator> = Mutex::new(ulid::Generator::new());
    let monotonic = IDS.lock().ok().and_then(|mut ids| ids.generate().ok());
    // (The generator refuses only when a millisecond's random part overflows.)
    let id = match monotonic {
        Some(id) => id,
        None => ulid::Ulid::new(),
    };
    format!("{prefix}{}", id.to_string().to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_made_one_after_another_sort_in_that_order() {
        let ids: Vec<String> = (0..1_000).map(|_| new_id("src_")).collect();
        assert!(ids.iter().all(|id| id.starts_with("src_")));
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
    }
}
