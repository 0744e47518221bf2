//! The work the benchmarks measure. `HASH_LOOP_ROUNDS` is what the A/B test repository's
//! second commit raises by 30 %.

pub const HASH_LOOP_ROUNDS: u64 = 4000;

/// Work multiplier from `REALBENCH_SCALE` (1.25 = 25 % more work), read once per run.
pub fn scale() -> f64 {
    std::env::var("REALBENCH_SCALE")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or(1.0)
}

pub fn scaled(n: u64) -> u64 {
    (n as f64 * scale()).round() as u64
}

/// FNV-1a over the loop counter.
pub fn hash_loop(rounds: u64) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for i in 0..rounds {
        h ^= i;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Insertion sort of a reversed 40-element vector, `times` times: linear in `times`.
pub fn sort_reversed(times: u64) -> u64 {
    (0..times).map(|_| sort_once(40)).sum()
}

fn sort_once(len: u64) -> u64 {
    let mut v: Vec<u64> = (0..len).rev().collect();
    for i in 1..v.len() {
        let mut j = i;
        while j > 0 && v[j - 1] > v[j] {
            v.swap(j - 1, j);
            j -= 1;
        }
    }
    v[0]
}

/// Sum of the bytes, as a checksum.
pub fn checksum(data: &[u8]) -> u64 {
    data.iter().fold(0u64, |acc, &b| acc.wrapping_mul(31).wrapping_add(b as u64))
}
