//! What the unit tests of several modules share. A leaf, compiled for tests only.

/// A fixed sequence of numbers in [0, 1): scrambled, yet the same in every run (a 64-bit
/// linear congruential generator with Knuth's MMIX constants, its top 53 bits).
pub(crate) struct Uniform(u64);

impl Uniform {
    /// The sequence that `seed` starts.
    pub(crate) fn new(seed: u64) -> Uniform {
        Uniform(seed)
    }

    /// The next number.
    pub(crate) fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}
