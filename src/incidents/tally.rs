//! Sums over incidents that keep what is unknown apart from what is zero.

use std::fmt;

/// Fatalities summed over incidents, some of which may not say how many died: the sum of
/// the known counts is a lower bound, never a total, while any count is unknown.
///
/// ```
/// use borderwatch::incidents::tally::Fatalities;
/// let mut sum = Fatalities::default();
/// sum.add(Some(12));
/// assert_eq!(sum.to_string(), "12");
/// sum.add(None);
/// sum.add(None);
/// assert_eq!(sum.to_string(), "at least 12 (2 unknown)");
/// let mut none_known = Fatalities::default();
/// none_known.add(None);
/// assert_eq!(none_known.to_string(), "unknown");
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Fatalities {
    /// The sum of the known counts.
    pub known: u64,
    /// How many incidents have a known count (zero included).
    pub known_incidents: u64,
    /// How many incidents do not say how many died.
    pub unknown_incidents: u64,
}

impl Fatalities {
    /// The sum of some incidents' counts (`None`: unknown).
    ///
    /// ```
    /// use borderwatch::incidents::tally::Fatalities;
    /// assert_eq!(Fatalities::of([Some(2), None]).to_string(), "at least 2 (1 unknown)");
    /// ```
    pub fn of(counts: impl IntoIterator<Item = Option<u32>>) -> Fatalities {
        let mut sum = Fatalities::default();
        for count in counts {
            sum.add(count);
        }
        sum
    }

    /// Adds one incident's count (`None`: unknown).
    pub fn add(&mut self, fatalities: Option<u32>) {
        match fatalities {
            Some(n) => {
                self.known += u64::from(n);
                self.known_incidents += 1;
            }
            None => self.unknown_incidents += 1,
        }
    }

    /// Adds the incidents of another sum.
    pub fn merge(&mut self, other: Fatalities) {
        self.known += other.known;
        self.known_incidents += other.known_incidents;
        self.unknown_incidents += other.unknown_incidents;
    }

    /// Whether the sum is exact: no incident's count is unknown.
    pub fn is_exact(&self) -> bool {
        self.unknown_incidents == 0
    }
}

/// `12`; `at least 12 (2 unknown)`; `unknown` when no incident's count is known. No
/// incidents at all sum to `0`.
impl fmt::Display for Fatalities {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.known_incidents, self.unknown_incidents) {
            (_, 0) => write!(f, "{}", self.known),
            (0, _) => f.write_str("unknown"),
            (_, unknown) => write!(f, "at least {} ({unknown} unknown)", self.known),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_sums_keep_their_unknowns() {
        let mut a = Fatalities::default();
        a.add(Some(3));
        let mut b = Fatalities::default();
        b.add(None);
        b.add(Some(0));
        a.merge(b);
        assert_eq!(
            a,
            Fatalities {
                known: 3,
                known_incidents: 2,
                unknown_incidents: 1
            }
        );
        assert_eq!(a.to_string(), "at least 3 (1 unknown)");
        assert!(!a.is_exact());
        assert_eq!(Fatalities::default().to_string(), "0");
    }
}
